// File pickers and QuickPicks shared by the commands (models, datasets), remembering recent choices.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Memory } from '../storage';

export async function pickModel(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Use Model',
    title: 'Choose an ONNX diffusion model',
    filters: { 'ONNX models': ['onnx'], 'All files': ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

/** A dataset file or folder: recent ones first, then "Browse…". */
export async function pickDataset(memory: Memory, title: string): Promise<string | undefined> {
  const recent = memory.get<string[]>('recentDatasets', []);
  type Item = vscode.QuickPickItem & { path?: string; browse?: boolean };
  const browse: Item = { label: '$(folder-opened) Browse for a dataset file or folder…', browse: true };
  const items: Item[] = [...recent.map((p) => ({ label: path.basename(p), description: path.dirname(p), path: p })), browse];
  const choice = recent.length ? await vscode.window.showQuickPick(items, { title, placeHolder: 'Dataset (IDX, .npy/.npz, image folder or .zip, CIFAR-10 batches, safetensors)' }) : browse;
  if (!choice) return undefined;
  if (!choice.browse) return choice.path;
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, openLabel: 'Use Dataset', title, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
  return picked?.[0]?.fsPath;
}
