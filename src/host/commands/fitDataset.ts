// "Diffusion Inspector: Fit Dataset Statistics": explorer (file or folder) or palette (picker) → the dataset panel.
import * as vscode from 'vscode';
import { Jobs } from '../jobs';
import { openFitPanel } from '../panels/fitPanel';
import { Memory } from '../storage';
import { pickDataset } from './pickers';

export async function fitDatasetCommand(context: vscode.ExtensionContext, jobs: Jobs, memory: Memory, uri?: vscode.Uri): Promise<vscode.WebviewPanel | undefined> {
  const target = uri instanceof vscode.Uri ? uri.fsPath : await pickDataset(memory, 'Fit dataset statistics');
  if (!target) return undefined;
  await memory.remember('recentDatasets', target);
  return openFitPanel(context, vscode.Uri.file(target), jobs);
}
