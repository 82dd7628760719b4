// Driver of the in-host mocha suite (test/host/suite/**).
//
// code-server rejects --extensionTestsPath on its command line ("Unknown option"), but the web workbench reads the
// same keys from its `payload` URL parameter: with extensionDevelopmentPath + extensionTestsPath it loads
// out/test/host/suite/index.js in the real Node extension host, awaits its run() and then calls
// window.codeAutomationExit(code, logs). Its log goes to window.codeAutomationLog(level, args).
// Both functions must be exposed BEFORE the page loads.
import fs from 'node:fs';
import { format } from 'node:util';
import path from 'node:path';
import { env, isNoise, launchBrowser, recordConsole, reportResult, screenshot, waitForWorkbench, workbenchUrl } from './lib.mjs';

const SUITE = 'host';
const TIMEOUT_MS = Number(process.env.E2E_HOST_TIMEOUT_MS || 240_000);
const testsModule = path.join(env.extensionDir, 'out', 'test', 'host', 'suite', 'index'); // no .js, like test-electron

const started = Date.now();
const log = fs.createWriteStream(path.join(env.artifacts, 'host-suite.log'));
const { context, page } = await launchBrowser(SUITE);
const consoleLog = recordConsole(page, 'host-browser-console.log');

let exitCode;
let forwardedSummary; // the "N passed, N failed" line printed by index.ts, as forwarded by the workbench
let resolveExit;
const exited = new Promise((resolve) => { resolveExit = resolve; });
await page.exposeFunction('codeAutomationExit', (code, logs) => {
  // logs: [{ relativePath, contents }] - the workbench's log files (window, exthost, ...): keep them.
  for (const l of Array.isArray(logs) ? logs : []) {
    try {
      const dest = path.join(env.artifacts, 'host-logs', String(l.relativePath).replace(/\.\.+/g, '_'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, l.contents ?? '');
    } catch { /* best effort */ }
  }
  resolveExit(code);
});

// Everything the workbench logs arrives through codeAutomationLog(level, args): the extension host's console.log
// calls (mocha's spec reporter) come as an array of console arguments, format string first ("  ✔ %s", title).
// All of it goes to artifacts/host-suite.log; stdout gets the extension host output from index.ts's
// "[host-suite] running" marker on, plus earlier errors that are not known noise (open-vsx.org ENOTFOUND, ...).
let echo = false;
function forward(level, args) {
  const text = Array.isArray(args) ? format(...args) : String(args);
  log.write(`[${level}] ${text}\n`);
  if (text.includes('[host-suite] running')) echo = true;
  const m = /(\d+) passed, (\d+) failed/.exec(text);
  if (m) forwardedSummary = { passed: Number(m[1]), failed: Number(m[2]) };
  if (echo ? !isNoise(text) : level === 'error' && !isNoise(text)) {
    for (const line of text.split('\n')) console.log(`  | ${line}`);
  }
}
await page.exposeFunction('codeAutomationLog', (level, args) => forward(level, args));

let timedOut = false;
try {
  console.log(`host suite: ${testsModule}.js inside the extension host of ${env.baseUrl}`);
  await page.goto(workbenchUrl({ extensionTestsPath: testsModule }));
  await waitForWorkbench(page);
  exitCode = await Promise.race([
    exited,
    new Promise((r) => setTimeout(() => { timedOut = true; r(1); }, TIMEOUT_MS)),
  ]);
} catch (err) {
  console.error(`host suite driver error: ${err.stack || err}`);
  exitCode = 1;
}
await screenshot(page, 'host-suite-end');
await context.close().catch(() => {});
log.end();
consoleLog.end();

// Counts: host-results.json (written by index.ts into DIFFUSION_INSPECTOR_TEST_OUT) is authoritative; fall back
// to the forwarded summary line. A non-zero exit code always counts as at least one failure (e.g. the suite module
// could not be loaded, or run() rejected before any test ran).
let passed = 0, failed = 0;
const resultsFile = path.join(env.testOut, 'host-results.json');
if (fs.existsSync(resultsFile)) ({ passed, failed } = JSON.parse(fs.readFileSync(resultsFile, 'utf8')));
else if (forwardedSummary) ({ passed, failed } = forwardedSummary);
if (exitCode !== 0 && failed === 0) failed = 1;
if (timedOut) console.error(`host suite: no codeAutomationExit within ${TIMEOUT_MS} ms`);
console.log(`host suite: exit code ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
reportResult(SUITE, passed, failed, { exitCode, timedOut });
process.exit(exitCode === 0 && failed === 0 ? 0 : 1);
