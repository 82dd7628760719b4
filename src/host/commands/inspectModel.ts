// "Diffusion Inspector: Inspect Model": from the explorer (a Uri) or the palette (a file picker).
import * as vscode from 'vscode';
import { Jobs } from '../jobs';
import { openModelCardPanel } from '../panels/modelCardView';
import { pickModel } from './pickers';

export async function inspectModelCommand(extensionUri: vscode.Uri, jobs: Jobs, uri?: vscode.Uri): Promise<vscode.WebviewPanel | undefined> {
  const target = uri instanceof vscode.Uri ? uri : await pickModel();
  if (!target) return undefined;
  return openModelCardPanel(extensionUri, target, jobs);
}
