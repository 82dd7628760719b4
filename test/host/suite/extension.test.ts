/**
 * Runs INSIDE the real VS Code extension host (code-server 4.100.3 = VS Code 1.100.3, Node 20), with the repository
 * folder as the extension under development and a fresh copy of test/fixtures/models/ as the workspace folder.
 * Only VS Code API <= 1.100 may be used here.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DiffusionInspectorApi } from '../../../src/extension';

const EXTENSION_ID = 'diffusion-inspector.diffusion-inspector';
const CARD_VIEW_TYPE = 'diffusionInspector.modelCard';
const INSPECT_COMMAND = 'diffusionInspector.inspectModel';
const FIT_COMMAND = 'diffusionInspector.fitDataset';
const COMPARE_COMMAND = 'diffusionInspector.compareScores';
const FMNIST = '/usr/share/datasets/fashion-mnist';

/** Polls `probe` until it returns a truthy value (tabs and panels appear asynchronously after a command). */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function allTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs);
}

function describeTabs(): string {
  return JSON.stringify(allTabs().map((t) => ({ label: t.label, input: t.input?.constructor?.name })));
}

/** A file of the workspace folder (the fresh copy of test/fixtures/models/); fails clearly if it's missing. */
function fixture(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e run opens a workspace folder (a copy of test/fixtures/models/)');
  const uri = vscode.Uri.joinPath(folder.uri, name);
  assert.ok(fs.existsSync(uri.fsPath), `fixture ${name} missing from the workspace folder ${folder.uri.fsPath}`);
  return uri;
}

async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  await ext.activate();
  return ext;
}

suite('Diffusion Inspector in the extension host', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the extension is loaded and activates', async () => {
    const ext = await activeExtension();
    assert.strictEqual(ext.isActive, true);
  });

  test('every command in contributes.commands is registered', async () => {
    const ext = await activeExtension();
    const contributed: Array<{ command: string }> = ext.packageJSON?.contributes?.commands ?? [];
    const ids = contributed.map((c) => c.command);
    assert.ok(ids.includes(INSPECT_COMMAND), `package.json contributes.commands lacks ${INSPECT_COMMAND}: ${ids}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = ids.filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], 'contributed but not registered');
  });

  test(`${INSPECT_COMMAND} with a Uri opens a model card webview for gauss_edm.onnx`, async () => {
    await activeExtension();
    const uri = fixture('gauss_edm.onnx');
    await vscode.commands.executeCommand(INSPECT_COMMAND, uri);
    const tab = await waitFor(`a webview tab labelled *gauss_edm* (tabs: ${describeTabs()})`, () =>
      allTabs().find((t) => t.input instanceof vscode.TabInputWebview && t.label.includes('gauss_edm')),
    );
    assert.ok(tab.label.includes('gauss_edm'));
  });

  test(`vscode.openWith ${CARD_VIEW_TYPE} opens the custom editor`, async () => {
    await activeExtension();
    const uri = fixture('gauss_edm.onnx');
    await vscode.commands.executeCommand('vscode.openWith', uri, CARD_VIEW_TYPE);
    const tab = await waitFor(`a ${CARD_VIEW_TYPE} custom editor tab (tabs: ${describeTabs()})`, () =>
      allTabs().find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === CARD_VIEW_TYPE),
    );
    const input = tab.input as vscode.TabInputCustom;
    assert.strictEqual(input.uri.toString(), uri.toString());
  });

  test('the fit job runs in the compute process forked from this extension host (real Fashion-MNIST), then is a cache hit', async function () {
    this.timeout(120_000);
    const api = (await activeExtension()).exports as DiffusionInspectorApi;
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'di-host-cache-'));
    const params = { dataset: FMNIST, cacheDir: cache };
    const first = await api.jobs.run('fit', params);
    assert.strictEqual(first.cacheHit, false);
    assert.strictEqual(first.meta.count, 60000);
    assert.strictEqual(first.meta.dim, 784);
    assert.ok(first.meta.residual < 1e-10 && first.meta.orthogonality < 1e-10, JSON.stringify(first.meta));
    assert.ok(first.eigval[0] > first.eigval[1] && first.eigenImages instanceof Float32Array);
    const second = await api.jobs.run('fit', params);
    assert.strictEqual(second.cacheHit, true);
    assert.deepStrictEqual(second.eigval, first.eigval);
  });

  test('Fit Dataset Statistics with a folder opens the dataset panel', async () => {
    await activeExtension();
    await vscode.commands.executeCommand(FIT_COMMAND, vscode.Uri.file(FMNIST));
    await waitFor(`a webview tab "Dataset: fashion-mnist" (tabs: ${describeTabs()})`, () =>
      allTabs().find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Dataset: fashion-mnist'),
    );
  });

  test('Compare Score Approximations (answers preset) runs to completion and writes run.json + results.csv', async function () {
    this.timeout(120_000);
    await activeExtension();
    const panel = (await vscode.commands.executeCommand(COMPARE_COMMAND, fixture('gauss_edm.onnx'), {
      dataset: fixture('gauss_points.npy').fsPath,
      approx: ['gaussian', 'mean'],
      probes: 16,
      sigmas: [0.1, 1, 10],
      protocols: ['A'],
    })) as vscode.WebviewPanel | undefined;
    assert.ok(panel, 'the command returns its panel');
    const runs = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.diffusion-inspector', 'runs');
    const dir = await waitFor('a compare run folder', () => fs.existsSync(runs) && fs.readdirSync(runs).find((d) => d.endsWith('-compare')));
    const run = JSON.parse(fs.readFileSync(path.join(runs, dir, 'run.json'), 'utf8'));
    assert.strictEqual(run.status, 'complete');
    assert.strictEqual(run.completedSigmas, 3);
    const rows = fs.readFileSync(path.join(runs, dir, 'results.csv'), 'utf8').trim().split('\n');
    assert.strictEqual(rows.length, 1 + 6);
  });

  test('a cancelled job rejects as cancelled and the compute process serves the next one', async function () {
    this.timeout(60_000);
    const api = (await activeExtension()).exports as DiffusionInspectorApi;
    const ctl = new AbortController();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'di-host-cache-'));
    const job = api.jobs.run('fit', { dataset: FMNIST, cacheDir: cache }, undefined, ctl.signal);
    setTimeout(() => ctl.abort(), 300);
    await assert.rejects(job, /cancelled/);
    assert.deepStrictEqual(fs.readdirSync(path.join(cache, 'fits')).filter((f) => !f.includes('.tmp-')), [], 'nothing half-written');
    const card = await api.jobs.run('modelCard', { file: fixture('gauss_edm.onnx').fsPath });
    assert.strictEqual(card.parameterization.ok, true);
  });
});
