// The dataset-statistics panel: a preview of the data, then the Gaussian fit with progress, cancel and exports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FitSummary } from '../../protocol/fit';
import type { FitViewToHost, HostToFitView } from '../../protocol/webview';
import { Jobs } from '../jobs';
import { cacheDir } from '../storage';
import { panelHtml, webviewOptions } from './webviewHtml';

export const FIT_PANEL = 'diffusionInspector.fitPanel';

/** Opens a panel for one dataset (file or folder). */
export function openFitPanel(context: vscode.ExtensionContext, dataset: vscode.Uri, jobs: Jobs): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(FIT_PANEL, '', vscode.ViewColumn.Active, { ...webviewOptions(context.extensionUri), retainContextWhenHidden: true });
  attachFitPanel(panel, context, dataset.fsPath, jobs);
  return panel;
}

export function attachFitPanel(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, dataset: string, jobs: Jobs): void {
  panel.title = `Dataset: ${path.basename(dataset)}`;
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
  panel.webview.options = webviewOptions(context.extensionUri);
  panel.webview.html = panelHtml(panel.webview, context.extensionUri, 'fit', 'Dataset statistics', { plotly: true });
  const post = (m: HostToFitView): void => void panel.webview.postMessage(m);
  let fitting: AbortController | undefined;
  let summary: FitSummary | undefined;

  const preview = async (): Promise<void> => {
    post({ type: 'loading', dataset });
    try {
      post({ type: 'preview', preview: await jobs.run('datasetPreview', { dataset, count: 48 }) });
    } catch (e) {
      post({ type: 'error', dataset, error: jobs.explain(e) });
    }
  };

  const fit = async (topk?: number): Promise<void> => {
    if (fitting) return;
    fitting = new AbortController();
    post({ type: 'fitting' });
    try {
      summary = await jobs.run('fit', { dataset, topk, cacheDir: cacheDir(context) }, `Fitting ${path.basename(dataset)}`, fitting.signal);
      post({ type: 'fit', summary });
    } catch (e) {
      post({ type: 'fitError', error: jobs.explain(e) });
    } finally {
      fitting = undefined;
    }
  };

  const sub = panel.webview.onDidReceiveMessage(async (m: FitViewToHost) => {
    switch (m.type) {
      case 'ready':
        return preview();
      case 'fit':
        return fit(m.topk);
      case 'cancel':
        return fitting?.abort();
      case 'export':
        return summary && exportStats(summary, m.layout, jobs);
      case 'openFolder':
        if (summary) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(summary.statsDir, 'fit.json')));
        return;
    }
  });
  panel.onDidDispose(() => {
    fitting?.abort();
    sub.dispose();
  });
}

async function exportStats(summary: FitSummary, layout: 'ours' | 'authors', jobs: Jobs): Promise<void> {
  const name = layout === 'ours' ? 'stats.npz' : 'stats_authors_layout.npz';
  const target = await vscode.window.showSaveDialog({ title: layout === 'ours' ? 'Export statistics' : 'Export in the authors\' PCA layout', saveLabel: 'Export', filters: { 'NumPy archive': ['npz'] }, defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(summary.meta.dataset.path), name)) });
  if (!target) return;
  if (layout === 'ours') {
    fs.copyFileSync(path.join(summary.statsDir, 'stats.npz'), target.fsPath);
  } else {
    await jobs.run('exportStats', { statsDir: summary.statsDir, target: target.fsPath, layout: 'authors' });
  }
  void vscode.window.showInformationMessage(`Statistics exported to ${target.fsPath}.`);
}
