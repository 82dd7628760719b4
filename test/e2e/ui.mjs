// UI suite: drives the real VS Code 1.100.3 workbench (code-server) in headless Debian chromium, the way a user
// would: command palette, the simple file dialog, the explorer context menu, and the model card webview.
//
// Contract of the extension under test:
//   - command diffusionInspector.inspectModel, title "Diffusion Inspector: Inspect Model": in the palette (asks for
//     a file when called without a Uri) and in explorer/context for *.onnx;
//   - the card webview has #title, #parameterization, #error and sets document.body.dataset.state to
//     'ready' | 'error' once rendered.
// One browser window for the whole suite (a new window costs ~8-10 s of workbench start + activation); tests are
// isolated from each other with "View: Close All Editors".
import fs from 'node:fs';
import path from 'node:path';
import {
  env, isNoise, launchBrowser, recordConsole, reportResult, screenshot, waitForWorkbench, waitUntil, workbenchUrl,
} from './lib.mjs';

const SUITE = 'ui';
const TEST_TIMEOUT_MS = Number(process.env.E2E_UI_TEST_TIMEOUT_MS || 60_000);
const INSPECT_TITLE = 'Diffusion Inspector: Inspect Model';
const FIT_TITLE = 'Diffusion Inspector: Fit Dataset Statistics';
const COMPARE_TITLE = 'Diffusion Inspector: Compare Score Approximations';
const FMNIST = '/usr/share/datasets/fashion-mnist';
const GAUSS = path.join(env.workspace, 'gauss_edm.onnx');
const FMNIST_MODEL = path.join(env.workspace, 'fmnist_edm_small.onnx');
const NOT_ONNX = path.join(env.workspace, 'not_onnx.onnx');

// ------------------------------------------------------------------------------------------------ workbench helpers

const quickInput = (page) => page.locator('.quick-input-widget');
const quickInputBox = (page) => page.locator('.quick-input-widget input.input');

async function openPalette(page) {
  await page.keyboard.press('Escape'); // close whatever quick input / menu is still open
  await page.keyboard.press('F1'); // F1 works headless; Ctrl+Shift+P is taken by chromium in some setups
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
}

/**
 * Runs a command through the palette and clicks the row whose label is exactly `title` (a substring match could
 * pick "... Inspect Model from Path"; the row order depends on "recently used").
 */
async function paletteCommand(page, title, { waitHidden = true } = {}) {
  const row = page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.getByText(title, { exact: true }) })
    .first();
  // Pitfall: the palette computes its list when it opens and does not refresh it when the extension's contributions
  // arrive later, so a command missing at first never shows up: reopen the palette until it does (30 s at most).
  const deadline = Date.now() + 30_000;
  for (;;) {
    await openPalette(page);
    await quickInputBox(page).fill('>' + title);
    const found = await row.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
    if (found) break;
    if (Date.now() > deadline) throw new Error(`no command "${title}" in the command palette`);
  }
  await row.click();
  if (waitHidden) await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * code-server has no native file dialog: showOpenDialog becomes VS Code's "simple file dialog", a quick input whose
 * text box holds a path. Pitfalls:
 *  - the box first still shows the palette's ">..." text: wait for a path;
 *  - the dialog writes the start folder ("/.../ws/") into the box again once its listing has loaded; a path filled
 *    in before that is overwritten, and Enter then just opens the folder (seen under load). So wait until the listing
 *    is there and the progress bar is idle, and before every Enter check the box still holds our path;
 *  - it autocompletes while typing: set the whole path at once with fill().
 */
async function pickFile(page, absPath) {
  const box = quickInputBox(page);
  await waitUntil('the simple file dialog (a path in the quick input)', async () =>
    (await quickInput(page).isVisible()) && /^(\/|~)/.test(await box.inputValue().catch(() => '')), 15_000);
  const settled = async () =>
    (await page.locator('.quick-input-widget .monaco-list-row').count()) > 0 &&
    (await page.locator('.quick-input-widget .monaco-progress-container.active').count()) === 0;
  await waitUntil('the file dialog listing', settled, 15_000).catch(() => { /* try anyway */ });
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await box.inputValue()) !== absPath) {
      await box.fill(absPath);
      await page.waitForTimeout(200); // let a pending reload of the listing overwrite it now rather than after Enter
      if ((await box.inputValue()) !== absPath) continue;
    }
    const title = await page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => '');
    await page.keyboard.press('Enter');
    // Accepted when the dialog closes, or when the command's next question replaces it (another title).
    const accepted = await waitUntil('the file dialog to close', async () =>
      !(await quickInput(page).isVisible()) ||
      (await page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => title)) !== title, 3_000)
      .then(() => true, () => false);
    if (accepted) return;
  }
  throw new Error(`the file dialog did not accept ${absPath} (value now: ${await box.inputValue()})`);
}

/**
 * The card's document is two iframes deep: iframe.webview (VS Code's host frame) > iframe#active-frame (the
 * extension's HTML). Hidden webviews keep their iframes (visibility:hidden), so take the visible one.
 */
function cardFrame(page) {
  return page.locator('iframe.webview:visible').last().contentFrame().locator('iframe#active-frame').contentFrame();
}

/** Text of `selector` in the card, polled until it matches `re` (the webview renders asynchronously). */
async function cardText(page, selector, re, timeout = 30_000) {
  let last = '';
  try {
    await waitUntil(`${selector} ~ ${re}`, async () => {
      last = (await cardFrame(page).locator(selector).textContent({ timeout: 1_000 }).catch(() => null)) ?? '';
      return re.test(last);
    }, timeout, 200);
  } catch {
    throw new Error(`card ${selector}: expected ${re}, got ${JSON.stringify(last.slice(0, 300))}`);
  }
  return last;
}

async function cardState(page) {
  return cardFrame(page).locator('body').getAttribute('data-state', { timeout: 2_000 }).catch(() => null);
}

async function waitCardState(page, want, timeout = 30_000) {
  let state;
  try {
    await waitUntil(`body[data-state=${want}]`, async () => (state = await cardState(page)) === want, timeout, 200);
  } catch {
    throw new Error(`card body data-state: expected '${want}', got '${state}'`);
  }
}

/** Closes editors so each test starts from an empty editor area without webviews. */
async function reset(page) {
  await page.keyboard.press('Escape');
  await paletteCommand(page, 'View: Close All Editors');
  await waitUntil('no visible webview', async () => (await page.locator('iframe.webview:visible').count()) === 0, 10_000);
}

/** Fails with a clear message when a fixture is missing (the file dialog would just refuse the path). */
function fixture(absPath) {
  if (!fs.existsSync(absPath)) {
    throw new Error(`fixture ${path.basename(absPath)} is missing from the workspace (a copy of test/fixtures/models/)`);
  }
  return absPath;
}

// ---------------------------------------------------------------------------------------------------------- tests

const tests = [];
const test = (name, fn, timeoutMs = TEST_TIMEOUT_MS) => tests.push({ name, fn, timeoutMs });

/**
 * The dataset QuickPick lists recent datasets (remembered across windows) and "Browse…": take the recent entry when
 * it is there, else browse with the simple file dialog.
 */
async function pickDataset(page, absPath) {
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
  const recent = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: path.basename(absPath) }).first();
  if (await recent.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) {
    await recent.click();
    return;
  }
  const browse = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: /Browse for a dataset/ }).first();
  if (await browse.isVisible().catch(() => false)) await browse.click();
  await pickFile(page, absPath);
}

/** Accepts the current QuickPick / InputBox as it stands (remembered defaults). */
async function acceptQuickInput(page) {
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
}

test('palette "Inspect Model" + file dialog shows the model card of gauss_edm.onnx', async (page) => {
  fixture(GAUSS);
  await paletteCommand(page, INSPECT_TITLE, { waitHidden: false });
  await pickFile(page, fixture(GAUSS));
  await cardText(page, '#title', /gauss_edm/);
  await cardText(page, '#parameterization', /edm/i);
  await waitCardState(page, 'ready');
});

test('explorer context menu "Inspect Model" on gauss_edm.onnx shows the model card', async (page) => {
  await paletteCommand(page, 'View: Show Explorer');
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: /^\s*gauss_edm\.onnx\s*$/ }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click({ button: 'right' });
  // The web workbench draws its own context menu (in an open shadow root, which Playwright's CSS engine pierces).
  // Context menus show the command title without its category, so accept both forms.
  const item = page.locator('.monaco-menu .action-item').filter({ hasText: /^\s*(Diffusion Inspector: )?Inspect Model\s*$/ }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  // Pitfall: VS Code's menu sometimes swallows the synthetic click (seen in about 1 run of 3: the menu stays open
  // with the item merely highlighted, forever). The hovered item has keyboard focus, so fall back to Enter - only
  // once the menu has stayed open for a second, or the Enter would reach the explorer and open the file.
  await item.hover();
  await item.click();
  const closed = await item.waitFor({ state: 'hidden', timeout: 1_000 }).then(() => true, () => false);
  if (!closed) {
    await item.hover();
    await page.keyboard.press('Enter');
  }
  await item.waitFor({ state: 'hidden', timeout: 5_000 });
  await cardText(page, '#title', /gauss_edm/);
  await cardText(page, '#parameterization', /edm/i);
  await waitCardState(page, 'ready');
});

test('not_onnx.onnx shows a readable error in the card, without a stack trace', async (page) => {
  fixture(NOT_ONNX);
  await paletteCommand(page, INSPECT_TITLE, { waitHidden: false });
  await pickFile(page, fixture(NOT_ONNX));
  await cardText(page, '#error', /not an onnx/i);
  await waitCardState(page, 'error');
  const visible = (await cardFrame(page).locator('body').innerText({ timeout: 5_000 })) ?? '';
  // V8 stack frames ("    at fn (file.js:12:3)", "at file:///...:1:2") or any source location "x.js:12:3".
  const stack = /^\s*at\s+.*(\(|\s)\S+:\d+:\d+\)?\s*$/m.exec(visible) ?? /\S+\.[cm]?[jt]s:\d+:\d+/.exec(visible);
  if (stack) throw new Error(`stack trace visible in the card: ${JSON.stringify(stack[0].trim())}`);
});

test('palette "Fit Dataset Statistics" on Fashion-MNIST: preview grid, then the fit with spectrum and eigen-images', async (page) => {
  await paletteCommand(page, FIT_TITLE, { waitHidden: false });
  await pickDataset(page, FMNIST);
  await cardText(page, '#title', /fashion-mnist/);
  await waitCardState(page, 'ready', 60_000);
  await waitUntil('preview images', async () => (await cardFrame(page).locator('#preview-grid canvas').count()) >= 16, 20_000);
  await cardFrame(page).locator('#fit-button').click();
  await waitCardState(page, 'fitted', 120_000);
  await cardText(page, '#fit-facts', /784/);
  await waitUntil('eigen-images', async () => (await cardFrame(page).locator('#eigen-grid canvas').count()) >= 16, 20_000);
  await waitUntil('spectrum plot', async () => (await cardFrame(page).locator('#spectrum .main-svg').count()) > 0, 20_000);
  await waitUntil('class mean images', async () => (await cardFrame(page).locator('#class-means canvas').count()) === 10, 20_000);
  // Screenshots of the result a reviewer looks at: the spectrum, then the eigen-images and class means.
  await cardFrame(page).locator('#spectrum').scrollIntoViewIfNeeded();
  await screenshot(page, 'ui-4a-fit-spectrum');
  await cardFrame(page).locator('#class-means').scrollIntoViewIfNeeded();
  await screenshot(page, 'ui-4b-fit-eigen-and-class-means');
}, 180_000);

test('palette "Compare Score Approximations": model, dataset and defaults → EV curves fill in and the run completes', async (page) => {
  await paletteCommand(page, COMPARE_TITLE, { waitHidden: false });
  await pickFile(page, fixture(FMNIST_MODEL));
  await pickDataset(page, FMNIST);
  await acceptQuickInput(page); // approximations: the remembered/default selection
  await quickInputBox(page).fill('16'); // probes per σ: keep the test quick
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  await quickInputBox(page).fill('0.1, 1, 10');
  await page.keyboard.press('Enter');
  await waitUntil('the protocol QuickPick', async () => /Probe points/.test(await page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => '')), 10_000);
  await acceptQuickInput(page); // protocol: A (the default, listed first)
  await cardText(page, '#title', /Score comparison/i);
  await waitCardState(page, 'done', 180_000);
  await cardText(page, '#progress', /complete/i);
  await waitUntil('EV plot traces', async () => (await cardFrame(page).locator('#ev-plot .scatterlayer .trace').count()) >= 4, 20_000);
}, 240_000);

// --------------------------------------------------------------------------------------------------------- runner

const started = Date.now();
const { context, page } = await launchBrowser(SUITE);
const consoleLog = recordConsole(page, 'ui-browser-console.log');
const consoleErrors = [];
page.on('console', (m) => {
  // "Failed to load resource: 404" says nothing about which resource: judge noise by the text plus its URL.
  const text = `${m.text()} (${m.location()?.url ?? ''})`;
  if (m.type() === 'error' && !isNoise(text)) consoleErrors.push(text);
});

let passed = 0, failed = 0;
const results = [];
try {
  // activated.json may still be there from the host suite's window (same server, same out dir): remove it so it
  // signals this window's extension host.
  fs.rmSync(path.join(env.testOut, 'activated.json'), { force: true });
  await page.goto(workbenchUrl());
  await waitForWorkbench(page);
  // Readiness: the extension writes activated.json into DIFFUSION_INSPECTOR_TEST_OUT when it activates. Only wait
  // for it up front when it activates at startup; an onCommand-only extension activates during the first test.
  const pkg = JSON.parse(fs.readFileSync(path.join(env.extensionDir, 'package.json'), 'utf8'));
  const activatesAtStartup = (pkg.activationEvents ?? []).some((e) => e === '*' || e === 'onStartupFinished');
  if (activatesAtStartup) {
    await waitUntil('activated.json', () => fs.existsSync(path.join(env.testOut, 'activated.json')), 60_000);
  }
  console.log(`ui suite: workbench ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`ui suite: workbench did not come up: ${err.stack || err}`);
  await screenshot(page, 'ui-0-startup-failure');
  failed = tests.length;
  tests.length = 0;
}

for (const [i, t] of tests.entries()) {
  const t0 = Date.now();
  const shot = `ui-${i + 1}-${t.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 60).toLowerCase()}`;
  let error;
  try {
    await reset(page);
    await Promise.race([
      t.fn(page),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`test timed out after ${t.timeoutMs} ms`)), t.timeoutMs)),
    ]);
  } catch (err) {
    error = err;
  }
  await screenshot(page, error ? `${shot}-FAILED` : shot);
  const ms = Date.now() - t0;
  if (error) {
    failed++;
    console.log(`  ✖ ${t.name} (${ms} ms)\n      ${String(error.message || error).split('\n')[0]}`);
  } else {
    passed++;
    console.log(`  ✔ ${t.name} (${ms} ms)`);
  }
  results.push({ name: t.name, ok: !error, ms, error: error ? String(error.message || error) : undefined });
}

await context.close().catch(() => {});
consoleLog.end();
if (consoleErrors.length) {
  fs.writeFileSync(path.join(env.artifacts, 'ui-console-errors.log'), consoleErrors.join('\n') + '\n');
  console.log(`ui suite: ${consoleErrors.length} browser console error(s), see artifacts/ui-console-errors.log`);
}
console.log(`ui suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
reportResult(SUITE, passed, failed, { tests: results });
process.exit(failed === 0 ? 0 : 1);
