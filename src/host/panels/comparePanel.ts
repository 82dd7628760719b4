// The score-comparison panel: EV curves that fill in σ by σ while the compute process runs, exports, restore.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareParams, CompareResult, CompareRow, CompareRun } from '../../protocol/compare';
import type { CompareViewToHost, HostToCompareView } from '../../protocol/webview';
import { JobCancelledError } from '../../compute/client';
import { Jobs } from '../jobs';
import { panelHtml, webviewOptions } from './webviewHtml';

export const COMPARE_PANEL = 'diffusionInspector.comparePanel';

/** Starts a comparison and shows it; resolves when the run ends (complete, cancelled or failed). */
export async function runComparePanel(context: vscode.ExtensionContext, params: CompareParams, jobs: Jobs): Promise<vscode.WebviewPanel> {
  const panel = vscode.window.createWebviewPanel(COMPARE_PANEL, `Compare: ${path.basename(params.model)}`, vscode.ViewColumn.Active, { ...webviewOptions(context.extensionUri), retainContextWhenHidden: true });
  const view = attachCompareView(panel, context, params.out);
  const ctl = new AbortController();
  view.onCancel(() => ctl.abort());
  panel.onDidDispose(() => ctl.abort());
  await view.ready;
  view.post({ type: 'started', runDir: params.out, model: path.basename(params.model), dataset: path.basename(params.dataset) });
  try {
    const result = await jobs.run('compare', params, `Comparing score approximations (${path.basename(params.model)})`, ctl.signal, (partial) => view.post({ type: 'partial', partial }));
    view.post({ type: 'done', result });
  } catch (e) {
    view.post({ type: 'stopped', run: readRun(params.out), runDir: params.out, error: jobs.explain(e), cancelled: e instanceof JobCancelledError });
  }
  return panel;
}

interface CompareView {
  ready: Promise<void>;
  post(m: HostToCompareView): void;
  onCancel(f: () => void): void;
}

function attachCompareView(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, runDir: string): CompareView {
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
  panel.webview.options = webviewOptions(context.extensionUri);
  panel.webview.html = panelHtml(panel.webview, context.extensionUri, 'compare', 'Score comparison', { plotly: true });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  let cancel: () => void = () => undefined;
  const sub = panel.webview.onDidReceiveMessage(async (m: CompareViewToHost) => {
    switch (m.type) {
      case 'ready':
        return markReady();
      case 'cancel':
        return cancel();
      case 'openRunFolder':
        await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(runDir, 'run.json')));
        return;
      case 'exportCsv':
        return saveCopy(path.join(runDir, 'results.csv'), 'results.csv', { CSV: ['csv'] });
      case 'saveImage':
        return saveDataUrl(m.dataUrl, m.format);
    }
  });
  panel.onDidDispose(() => sub.dispose());
  return { ready, post: (m) => void panel.webview.postMessage(m), onCancel: (f) => (cancel = f) };
}

function readRun(runDir: string): CompareRun | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as CompareRun;
  } catch {
    return undefined;
  }
}

/** Reads a finished (or partial) run folder back into a result (panel restore). */
export function readResult(runDir: string): CompareResult | undefined {
  const run = readRun(runDir);
  if (!run) return undefined;
  const csv = fs.existsSync(path.join(runDir, 'results.csv')) ? fs.readFileSync(path.join(runDir, 'results.csv'), 'utf8') : '';
  const [header, ...lines] = csv.trim().split('\n');
  const keys = header ? header.split(',') : [];
  const rows = lines.filter(Boolean).map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], keys[i] === 'name' || keys[i] === 'protocol' ? v.replace(/^"|"$/g, '') : Number(v)])) as unknown as CompareRow);
  return { runDir, run, rows };
}

async function saveCopy(src: string, name: string, filters: Record<string, string[]>): Promise<void> {
  const target = await vscode.window.showSaveDialog({ saveLabel: 'Export', filters, defaultUri: vscode.Uri.file(path.join(path.dirname(src), name)) });
  if (target) fs.copyFileSync(src, target.fsPath);
}

async function saveDataUrl(dataUrl: string, format: 'png' | 'svg'): Promise<void> {
  const target = await vscode.window.showSaveDialog({ saveLabel: 'Save plot', filters: { [format.toUpperCase()]: [format] } });
  if (!target) return;
  const comma = dataUrl.indexOf(',');
  const meta = dataUrl.slice(0, comma);
  const body = dataUrl.slice(comma + 1);
  await vscode.workspace.fs.writeFile(target, meta.includes('base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8'));
}

/** Restores a comparison panel after a reload from its run folder (finished or partial). */
export async function restoreComparePanel(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, runDir: string): Promise<void> {
  const result = readResult(runDir);
  if (!result) return panel.dispose();
  const view = attachCompareView(panel, context, result.runDir);
  await view.ready;
  view.post({ type: 'restore', result });
}
