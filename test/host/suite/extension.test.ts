/**
 * Runs INSIDE the real VS Code extension host (code-server 4.100.3 = VS Code 1.100.3, Node 20), with the repository
 * folder as the extension under development and a fresh copy of test/fixtures/models/ as the workspace folder.
 * Only VS Code API <= 1.100 may be used here.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'diffusion-inspector.diffusion-inspector';
const CARD_VIEW_TYPE = 'diffusionInspector.modelCard';
const INSPECT_COMMAND = 'diffusionInspector.inspectModel';

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

  test('activation writes activated.json into DIFFUSION_INSPECTOR_TEST_OUT', async function () {
    const outDir = process.env.DIFFUSION_INSPECTOR_TEST_OUT;
    if (!outDir) this.skip(); // only the e2e run sets it
    await activeExtension();
    const file = path.join(outDir!, 'activated.json');
    await waitFor(`${file}`, () => fs.existsSync(file), 10_000);
    JSON.parse(fs.readFileSync(file, 'utf8')); // must be valid JSON
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
});
