// The real forked compute process: typed jobs, progress, user errors vs bugs, and recovery after a crash.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ComputeClient, JobFailedError } from '../../../src/compute/client';
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
});
