// The real forked compute process: typed jobs, progress, user errors vs bugs, and recovery after a crash.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ComputeClient, JobCancelledError, JobFailedError } from '../../../src/compute/client';
import { encodeNpy } from '../../../src/engine/store/npz';
import { loadLapack } from '../../../src/engine/tensor/lapack';
import { DEFAULT_SETTINGS } from '../../../src/engine/analysis/context';
import { modelPath } from '../helpers/fixtures';

const SCRIPT = path.resolve(__dirname, '../../../src/compute/main.js');

describe('compute process', () => {
  let client: ComputeClient;
  const logs: string[] = [];
  beforeEach(() => (client = new ComputeClient(SCRIPT, (l) => logs.push(l))));
  afterEach(() => client.dispose());

  it('runs a model-card job in another process', async () => {
    const card = await client.run('modelCard', { file: modelPath('gauss_edm.onnx') }, DEFAULT_SETTINGS);
    assert.equal(card.parameterization.prediction, 'x0');
    assert.ok(client.pid && client.pid !== process.pid);
  });

  it('streams progress and runs the network (probe) with the provider it reports', async () => {
    const progress: string[] = [];
    const r = await client.run('probeDenoiser', { file: modelPath('gauss_edm.onnx'), sigma: 1, batch: 4 }, { ...DEFAULT_SETTINGS, provider: 'cpu' }, { onProgress: (m) => progress.push(m) });
    assert.equal(r.provider, 'cpu');
    assert.deepEqual(progress, ['loading model', 'running the network']);
  });

  it('a bad input is a user error with a plain message, not a crash', async () => {
    await assert.rejects(client.run('modelCard', { file: modelPath('not_onnx.onnx') }, DEFAULT_SETTINGS), (e: Error) => e instanceof JobFailedError && e.error.user && /not an ONNX model/.test(e.message));
    // the same process serves the next job
    const pid = client.pid;
    await client.run('modelCard', { file: modelPath('gauss_edm.onnx') }, DEFAULT_SETTINGS);
    assert.equal(client.pid, pid);
  });

  it('a crash of the compute process fails the running job clearly, and the next job starts a fresh process', async () => {
    const job = client.run('probeDenoiser', { file: modelPath('gauss_edm.onnx'), sigma: 1, batch: 4 }, DEFAULT_SETTINGS);
    const pid = client.pid!;
    process.kill(pid, 'SIGKILL');
    await assert.rejects(job, (e: Error) => e instanceof JobFailedError && /stopped unexpectedly \(signal SIGKILL\)/.test(e.message));
    const card = await client.run('modelCard', { file: modelPath('gauss_edm.onnx') }, DEFAULT_SETTINGS);
    assert.equal(card.parameterization.ok, true);
    assert.notEqual(client.pid, pid);
  });

  it('a cancel that a native call cannot see (LAPACK on a 3000×3000 matrix) takes effect after the grace period', async () => {
    const quick = new ComputeClient(SCRIPT, (l) => logs.push(l), process.env, 100);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-cancel-'));
    try {
      const data = path.join(dir, 'wide.npy');
      const rand = Float32Array.from({ length: 64 * 3000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
      fs.writeFileSync(data, encodeNpy({ data: rand, shape: [64, 1, 50, 60] }));
      const ctl = new AbortController();
      let abortedAt = 0;
      const onProgress = (m: string): void => {
        if (!abortedAt && /eigendecomposition/.test(m)) {
          abortedAt = performance.now();
          ctl.abort();
        }
      };
      const pid = (await quick.run('modelCard', { file: modelPath('gauss_edm.onnx') }, DEFAULT_SETTINGS), quick.pid);
      await assert.rejects(quick.run('fit', { dataset: data, cacheDir: path.join(dir, 'cache') }, DEFAULT_SETTINGS, { onProgress, signal: ctl.signal }), JobCancelledError);
      assert.ok(abortedAt > 0 && performance.now() - abortedAt < 2000, 'the cancel took effect promptly');
      // Either the job saw the signal itself (built-in solver) or its process was stopped (native call); the next job runs.
      const card = await quick.run('modelCard', { file: modelPath('gauss_edm.onnx') }, DEFAULT_SETTINGS);
      assert.equal(card.parameterization.ok, true);
      const stopped = logs.some((l) => /did not stop within 100 ms/.test(l));
      assert.equal(stopped, (await loadLapack('auto')) !== null, 'the native call is what needed stopping');
      if (stopped) assert.notEqual(quick.pid, pid);
    } finally {
      quick.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
