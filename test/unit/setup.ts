// Mocha setup: onnxruntime-node writes a telemetry log to $TMPDIR and a device id under $HOME; keep both in a
// throwaway folder so tests leave nothing behind (shared/docs/e2e-host.md, pitfall 8).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const state = fs.mkdtempSync(path.join(os.tmpdir(), 'di-unit-'));
fs.mkdirSync(path.join(state, 'home'));
fs.mkdirSync(path.join(state, 'tmp'));
process.env.HOME = path.join(state, 'home');
process.env.TMPDIR = path.join(state, 'tmp');
process.on('exit', () => fs.rmSync(state, { recursive: true, force: true }));
