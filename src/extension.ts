// Extension entry: wires VS Code (commands, editors, settings) to the compute process. No heavy work here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ComputeClient } from './compute/client';
import { ComparePreset, compareScoresCommand } from './host/commands/compareScores';
import { fitDatasetCommand } from './host/commands/fitDataset';
import { inspectModelCommand } from './host/commands/inspectModel';
import { Jobs } from './host/jobs';
import { COMPARE_PANEL, restoreComparePanel } from './host/panels/comparePanel';
import { FIT_PANEL, attachFitPanel } from './host/panels/fitPanel';
import { MODEL_CARD_PANEL, ModelCardEditorProvider, attachModelCard } from './host/panels/modelCardView';
import { restoreFromState } from './host/panels/restore';
import { Memory } from './host/storage';

/** What activate() returns: used by the in-host tests. */
export interface DiffusionInspectorApi {
  jobs: Jobs;
}

export function activate(context: vscode.ExtensionContext): DiffusionInspectorApi {
  const log = vscode.window.createOutputChannel('Diffusion Inspector', { log: true });
  const client = new ComputeClient(context.asAbsolutePath(path.join('out', 'src', 'compute', 'main.js')), (line) => log.info(line));
  const jobs = new Jobs(client, log);
  const uri = context.extensionUri;
  const memory = new Memory(context.globalState);
  context.subscriptions.push(
    log,
    { dispose: () => client.dispose() },
    vscode.commands.registerCommand('diffusionInspector.inspectModel', (target?: vscode.Uri) => inspectModelCommand(uri, jobs, target)),
    vscode.window.registerCustomEditorProvider(ModelCardEditorProvider.viewType, new ModelCardEditorProvider(uri, jobs), {
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.window.registerWebviewPanelSerializer(MODEL_CARD_PANEL, restoreFromState('file', (panel, file) => attachModelCard(panel, uri, vscode.Uri.file(file), jobs))),
    vscode.commands.registerCommand('diffusionInspector.fitDataset', (target?: vscode.Uri) => fitDatasetCommand(context, jobs, memory, target)),
    vscode.window.registerWebviewPanelSerializer(FIT_PANEL, restoreFromState('dataset', (panel, dataset) => attachFitPanel(panel, context, dataset, jobs))),
    vscode.commands.registerCommand('diffusionInspector.compareScores', (target?: vscode.Uri, preset?: ComparePreset) => compareScoresCommand(context, jobs, memory, target, preset)),
    vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL, restoreFromState('runDir', (panel, runDir) => restoreComparePanel(panel, context, runDir))),
  );
  signalActivationForTests();
  return { jobs };
}

export function deactivate(): void {
  // subscriptions dispose the compute process
}

// End-to-end tests wait for this file instead of sleeping (set only by test/e2e/run-e2e.sh).
function signalActivationForTests(): void {
  const dir = process.env.DIFFUSION_INSPECTOR_TEST_OUT;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'activated.json'), JSON.stringify({ pid: process.pid, time: Date.now() }));
}
