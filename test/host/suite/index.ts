/**
 * Entry point of the in-host test suite: the standard `run()` contract of @vscode/test-electron.
 *
 * The e2e driver (test/e2e/host-suite.mjs) opens the code-server workbench with a `payload` URL parameter carrying
 * `extensionDevelopmentPath` + `extensionTestsPath` = <repo>/out/test/host/suite/index; the workbench then loads
 * this module in the real Node extension host, awaits `run()` and reports the outcome through
 * `window.codeAutomationExit(0 | 1)`. The same file works unchanged with @vscode/test-electron on a desktop
 * machine, and with the "Extension Tests" launch configuration.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha = require('mocha');

/** All compiled `*.test.js` files below `dir` (plain fs recursion: no glob dependency). */
function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    // The spec reporter writes through console.log, which the workbench forwards to the driver
    // (window.codeAutomationLog). No ANSI colours: they would end up verbatim in the CI log.
    reporter: 'spec',
    color: false,
    // Generous: the first webview / ONNX load on a loaded 2-core CI machine can take several seconds.
    timeout: 60_000,
  });

  const files = findTests(__dirname);
  for (const f of files) mocha.addFile(f);

  return new Promise<void>((resolve, reject) => {
    // A broken build or a wrong path must not look like a green run with 0 tests.
    if (files.length === 0) {
      console.log(`0 passed, 1 failed`);
      reject(new Error(`no *.test.js files found below ${__dirname}`));
      return;
    }
    try {
      // Marker for the e2e driver: it echoes the extension host's console from here on (the workbench's own
      // chatter before it goes to artifacts/host-suite.log only).
      console.log(`[host-suite] running ${files.length} test file(s): ${files.map((f) => path.basename(f)).join(', ')}`);
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        const failed = Math.max(failures, runner.stats?.failures ?? 0);
        // The one line CI greps for; the driver also reads host-results.json (written below) to be independent of
        // log forwarding.
        console.log(`${passed} passed, ${failed} failed`);
        writeResults({ passed, failed, pending: runner.stats?.pending ?? 0, files: files.map((f) => path.basename(f)) });
        if (failed > 0) reject(new Error(`${failed} in-host test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.error(err);
      reject(err);
    }
  });
}

/** Results for the e2e driver, next to the extension's own activated.json (only when run by the e2e driver). */
function writeResults(results: object): void {
  const dir = process.env.DIFFUSION_INSPECTOR_TEST_OUT;
  if (!dir) return;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'host-results.json'), JSON.stringify(results, null, 2));
  } catch (err) {
    console.error('could not write host-results.json:', err);
  }
}
