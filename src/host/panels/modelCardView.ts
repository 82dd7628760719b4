// Fills a webview (a panel or a custom editor) with the model card of one ONNX file and answers its messages.
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../../protocol/webview';
import { Jobs } from '../jobs';
import { panelHtml, webviewOptions } from './webviewHtml';

export function showModelCard(webview: vscode.Webview, extensionUri: vscode.Uri, file: vscode.Uri, jobs: Jobs): vscode.Disposable {
  webview.options = webviewOptions(extensionUri);
  webview.html = panelHtml(webview, extensionUri, 'modelCard', 'Model card', { plotly: true });
  const post = (m: HostToWebview): void => void webview.postMessage(m);
  let cardJson = '';
  let configFile: string | undefined;

  const load = async (): Promise<void> => {
    post({ type: 'loading', file: file.fsPath });
    try {
      const card = await jobs.run('modelCard', { file: file.fsPath });
      cardJson = JSON.stringify(card, null, 2);
      configFile = card.configFile;
      post({ type: 'card', card, canRun: vscode.workspace.isTrusted });
    } catch (e) {
      post({ type: 'error', file: file.fsPath, error: jobs.explain(e) });
    }
  };

  const probe = async (sigma: number): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      post({ type: 'probeError', error: { message: 'Running models is disabled in an untrusted workspace.', hint: 'Trust the workspace to run the model.' } });
      return;
    }
    post({ type: 'probeRunning' });
    try {
      post({ type: 'probe', result: await jobs.run('probeDenoiser', { file: file.fsPath, sigma, batch: 8 }, `Running ${file.path.split('/').pop()} at σ = ${sigma}`) });
    } catch (e) {
      post({ type: 'probeError', error: jobs.explain(e) });
    }
  };

  return webview.onDidReceiveMessage(async (m: WebviewToHost) => {
    switch (m.type) {
      case 'ready':
      case 'reload':
        return load();
      case 'probe':
        return probe(m.sigma);
      case 'copyJson':
        await vscode.env.clipboard.writeText(cardJson);
        return void vscode.window.showInformationMessage('Model card copied as JSON.');
      case 'openConfig':
        if (configFile) await vscode.window.showTextDocument(vscode.Uri.file(configFile));
        return;
    }
  });
}

export const MODEL_CARD_PANEL = 'diffusionInspector.modelCardPanel';

/** Opens a model-card panel for a file. */
export function openModelCardPanel(extensionUri: vscode.Uri, file: vscode.Uri, jobs: Jobs): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(MODEL_CARD_PANEL, '', vscode.ViewColumn.Active, webviewOptions(extensionUri));
  attachModelCard(panel, extensionUri, file, jobs);
  return panel;
}

export function attachModelCard(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, file: vscode.Uri, jobs: Jobs): void {
  panel.title = `Model: ${file.path.split('/').pop() ?? 'model'}`;
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
  const sub = showModelCard(panel.webview, extensionUri, file, jobs);
  panel.onDidDispose(() => sub.dispose());
}

/** "Reopen With… → Diffusion Model": a read-only custom editor showing the card. */
export class ModelCardEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'diffusionInspector.modelCard';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly jobs: Jobs,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const sub = showModelCard(panel.webview, this.extensionUri, document.uri, this.jobs);
    panel.onDidDispose(() => sub.dispose());
  }
}
