// Shared helpers of the two e2e drivers (host-suite.mjs, ui.mjs). Plain Node ESM + playwright-core: not compiled.
// Everything comes from the environment set by run-e2e.sh, so a driver can also be rerun by hand against a server
// that is already up (see the comment at the top of run-e2e.sh).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

// run-e2e.sh ends a driver with SIGTERM (Ctrl-C / timeout of the whole run). playwright-core's own SIGTERM
// handler only closes the browser and leaves this process polling forever; exiting here is enough, because
// playwright-core also kills its browser from an 'exit' handler.
process.on('SIGTERM', () => process.exit(143));

export const env = {
  baseUrl: must('E2E_BASE_URL'), //        http://127.0.0.1:<port>  (loopback: webviews need a secure context)
  state: must('E2E_STATE'), //             this run's state dir under test/e2e/.state/
  workspace: must('E2E_WORKSPACE'), //     fresh copy of test/fixtures/models/
  extensionDir: must('E2E_EXTENSION_DIR'), // extensionDevelopmentPath (the repo root)
  testOut: must('E2E_TEST_OUT'), //        = DIFFUSION_INSPECTOR_TEST_OUT of the server: activated.json lands here
  artifacts: must('E2E_ARTIFACTS'), //     screenshots, logs, <suite>-result.json
  chromium: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
};

function must(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is not set: run this through test/e2e/run-e2e.sh`);
    process.exit(2);
  }
  return v;
}

/** `vscode-remote://<host:port>/<abs path>`: the only form the web workbench accepts for payload paths. */
export function remoteUri(absPath) {
  const authority = new URL(env.baseUrl).host;
  return `vscode-remote://${authority}${absPath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

/** Workbench URL that opens the workspace folder with the extension under development (+ optionally its tests). */
export function workbenchUrl({ extensionTestsPath } = {}) {
  const payload = [
    ['extensionDevelopmentPath', remoteUri(env.extensionDir)],
    ['skipWelcome', 'true'],
  ];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(extensionTestsPath)]);
  return `${env.baseUrl}/?folder=${encodeURIComponent(env.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Headless Debian chromium with a throwaway profile inside the state dir.
 * Pitfall: chromium writes ~/.config/chromium/Crash Reports and ~/.cache/dconf whatever --user-data-dir says,
 * so HOME and XDG_* point into the profile as well.
 */
export async function launchBrowser(name) {
  const profile = path.join(env.state, `browser-${name}`);
  fs.rmSync(profile, { recursive: true, force: true });
  fs.mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env.chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    args: [
      '--no-sandbox', // we run as root in a container
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage', // small /dev/shm in containers
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Console errors that are expected here and never a test failure (see e2e-host.md, pitfall 11). */
export function isNoise(text) {
  return /open-vsx\.org|ENOTFOUND|vsda|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|marketplace|update\.code\.visualstudio/i.test(text);
}

/** Collect browser console output into a log file of the artifacts dir. */
export function recordConsole(page, file) {
  const out = fs.createWriteStream(path.join(env.artifacts, file));
  page.on('console', (m) => out.write(`[${m.type()}] ${m.text()}${m.type() === 'error' && m.location()?.url ? ` (${m.location().url})` : ''}\n`));
  page.on('pageerror', (e) => out.write(`[pageerror] ${e.stack || e}\n`));
  return out;
}

export async function waitForWorkbench(page, timeout = 90_000) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout });
}

export async function screenshot(page, name) {
  const file = path.join(env.artifacts, `${name}.png`);
  // animations:'disabled' - otherwise notification toasts are caught mid-slide.
  await page.screenshot({ path: file, animations: 'disabled' }).catch((e) => console.error(`screenshot ${name}: ${e.message}`));
  return file;
}

/** Polls until `probe()` is truthy. */
export async function waitUntil(what, probe, timeout = 30_000, interval = 100) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Writes <artifacts>/<suite>-result.json, which run-e2e.sh adds up, and prints the `N passed, N failed` line. */
export function reportResult(suite, passed, failed, extra = {}) {
  fs.writeFileSync(path.join(env.artifacts, `${suite}-result.json`), JSON.stringify({ suite, passed, failed, ...extra }, null, 2));
  console.log(`${passed} passed, ${failed} failed`);
}
