// The HTML shell of every panel: strict CSP with a nonce, local resources only, theme-aware CSS.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

/** Folders a webview may load from (compiled bundles and static media). */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'out', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/** Options every panel's webview is created with. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
}

/** HTML that loads one panel bundle (out/webview/<bundle>.js), plotly when asked, and the shared stylesheet. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string, opts: { plotly?: boolean } = {}): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`, // plotly and lit set inline styles
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const plotly = opts.plotly ? `<script nonce="${nonce}" src="${asset('out', 'webview', 'vendor', 'plotly.min.js')}"></script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('media', 'panel.css')}">
<title>${escapeHtml(title)}</title>
</head>
<body data-state="loading">
<main id="app"><p class="muted">Loading…</p></main>
${plotly}
<script nonce="${nonce}" type="module" src="${asset('out', 'webview', `${bundle}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
