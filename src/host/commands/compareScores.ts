// "Diffusion Inspector: Compare Score Approximations": asks for what is missing (remembering answers), then runs.
import * as vscode from 'vscode';
import type { Protocol } from '../../protocol/compare';
import { DEFAULT_SIGMAS_TEXT, parseSigmaList } from '../../protocol/defaults';
import { Jobs } from '../jobs';
import { runComparePanel } from '../panels/comparePanel';
import { Memory, cacheDir, newRunDir } from '../storage';
import { pickDataset, pickModel } from './pickers';

const APPROX_CHOICES: { spec: string; detail: string }[] = [
  { spec: 'gaussian', detail: 'the dataset Gaussian (full rank)' },
  { spec: 'gmm:10', detail: 'k-means Gaussian mixture, K = 10' },
  { spec: 'class', detail: 'one Gaussian per label (needs labels)' },
  { spec: 'delta', detail: 'exact training-set score (memorization)' },
  { spec: 'mean', detail: 'baseline: D = μ' },
  { spec: 'meanstd', detail: 'baseline: isotropic Gaussian with matched variance' },
  { spec: 'gaussian:64', detail: 'rank-64 Gaussian' },
  { spec: 'gmm:50', detail: 'k-means mixture, K = 50' },
  { spec: 'gmm:10:64', detail: 'K = 10, rank 64 per component' },
];

/** Answers that skip the QuickPicks (for keybindings, tasks and tests): any subset; the rest is asked. */
export interface ComparePreset {
  dataset?: string;
  approx?: string[];
  probes?: number;
  sigmas?: number[];
  protocols?: Protocol[];
}

export async function compareScoresCommand(context: vscode.ExtensionContext, jobs: Jobs, memory: Memory, uri?: vscode.Uri, preset: ComparePreset = {}): Promise<vscode.WebviewPanel | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Comparing score approximations runs the model; trust this workspace first.');
    return undefined;
  }
  const model = uri instanceof vscode.Uri ? uri : await pickModel();
  if (!model) return undefined;
  const dataset = preset.dataset ?? (await pickDataset(memory, 'Training dataset of the model'));
  if (!dataset) return undefined;
  await memory.remember('recentDatasets', dataset);
  const approx = preset.approx ?? (await pickApproximations(memory));
  if (!approx) return undefined;
  const probes = preset.probes ?? (await askNumber(memory, 'probes', 'Probe points per σ', 512));
  if (probes === undefined) return undefined;
  const sigmas = preset.sigmas ?? (await askSigmas(memory));
  if (!sigmas) return undefined;
  const protocols = preset.protocols ?? (await pickProtocols(memory));
  if (!protocols) return undefined;
  return runComparePanel(context, { model: model.fsPath, dataset, approx, probes, sigmas, seed: 0, protocols, cacheDir: cacheDir(context), out: newRunDir(context, 'compare') }, jobs);
}

async function pickProtocols(memory: Memory): Promise<Protocol[] | undefined> {
  const choices: (vscode.QuickPickItem & { protocols: Protocol[] })[] = [
    { label: 'A', detail: 'x = x_i + σz: noised training images (the papers\' main tables)', protocols: ['A'] },
    { label: 'B', detail: 'x = σz: pure noise (the validation scripts)', protocols: ['B'] },
    { label: 'A and B', detail: 'both, one curve per protocol', protocols: ['A', 'B'] },
  ];
  const last = memory.get('protocols', 'A');
  const picked = await vscode.window.showQuickPick(
    [...choices].sort((p, q) => Number(q.label === last) - Number(p.label === last)),
    { title: 'Probe points (science.md §4.2)' },
  );
  if (!picked) return undefined;
  await memory.set('protocols', picked.label);
  return picked.protocols;
}

async function askSigmas(memory: Memory): Promise<number[] | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Noise levels σ (data scale)',
    value: memory.get('sigmas', DEFAULT_SIGMAS_TEXT),
    prompt: 'Comma-separated; values outside the model\'s range are skipped and listed.',
    validateInput: (v) => (parseSigmaList(v) ? undefined : 'Enter positive numbers separated by commas'),
  });
  if (text === undefined) return undefined;
  await memory.set('sigmas', text);
  return parseSigmaList(text);
}

async function pickApproximations(memory: Memory): Promise<string[] | undefined> {
  const last = new Set(memory.get<string[]>('approx', ['gaussian', 'gmm:10', 'class', 'delta', 'mean']));
  const picked = await vscode.window.showQuickPick(
    APPROX_CHOICES.map((c) => ({ label: c.spec, detail: c.detail, picked: last.has(c.spec) })),
    { title: 'Analytical models to compare with the network', canPickMany: true },
  );
  if (!picked?.length) return undefined;
  const specs = picked.map((p) => p.label);
  await memory.set('approx', specs);
  return specs;
}

async function askNumber(memory: Memory, key: string, title: string, fallback: number): Promise<number | undefined> {
  const v = await vscode.window.showInputBox({ title, value: String(memory.get(key, fallback)), validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? undefined : 'Enter a positive whole number') });
  if (v === undefined) return undefined;
  await memory.set(key, Number(v));
  return Number(v);
}
