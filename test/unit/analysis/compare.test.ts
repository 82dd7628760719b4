// The score comparison end to end on real ONNX files and data: exact networks get EV = 1; the trained network's
// curves have the papers' shape; one σ is checked against an independent float64 computation.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareScores } from '../../../src/engine/analysis/compare';
import { headlessContext } from '../../../src/engine/analysis/context';
import { drawProbes, probesAt } from '../../../src/engine/analysis/probes';
import { openDataset } from '../../../src/engine/data/dataset';
import { OnnxDenoiser } from '../../../src/engine/model/denoiser';
import { encodeNpy, encodeNpz } from '../../../src/engine/store/npz';
import { readFitStats } from '../../../src/engine/store/stats';
import type { CompareRow } from '../../../src/protocol/compare';
import { deltaDenoise, modelPath, truth } from '../helpers/fixtures';

const FMNIST = '/usr/share/datasets/fashion-mnist';
const ctx = headlessContext({ provider: 'cpu' });
const row = (rows: CompareRow[], name: string, sigma: number): CompareRow => rows.find((r) => r.name === name && Math.abs(r.sigma - sigma) < 1e-9 * sigma)!;

describe('score comparison (compare)', function () {
  this.timeout(240000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-compare-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a network that is the exact Gaussian denoiser of the data gets Gaussian EV = 1 at every σ (≤ 1e-6)', async () => {
    // gauss_points.npy has exactly the mean and covariance of the Gaussian inside gauss_edm.onnx (see its script).
    const data = modelPath('gauss_points.npy');
    const res = await compareScores({ model: modelPath('gauss_edm.onnx'), dataset: data, scale: 'raw', approx: ['gaussian', 'mean'], probes: 32, sigmas: [0.01, 0.1, 1, 10, 80], protocols: ['A', 'B'], cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'run-gauss') }, ctx);
    const gauss = res.rows.filter((r) => r.name === 'gaussian');
    assert.equal(gauss.length, 10);
    for (const r of gauss) {
      assert.ok(1 - r.Dt_EV <= 1e-6, `σ=${r.sigma} ${r.protocol}: Dt_EV ${r.Dt_EV}`);
      // The score (D − x)/σ² divides float32 rounding of both networks by σ²; at σ = 0.01 that alone is ~1e-6.
      assert.ok(1 - r.St_EV <= (r.sigma < 0.05 ? 1e-5 : 1e-6), `σ=${r.sigma} ${r.protocol}: St_EV ${r.St_EV}`);
    }
    assert.ok(res.rows.filter((r) => r.name === 'mean isotropic' && r.sigma <= 1).every((r) => r.Dt_EV < 0.999)); // the baseline is not exact
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'run-gauss', 'run.json'), 'utf8'));
    assert.equal(run.status, 'complete');
    assert.equal(run.model.sha256.length, 64);
    const csv = fs.readFileSync(path.join(dir, 'run-gauss', 'results.csv'), 'utf8').split('\n');
    assert.match(csv[0], /^protocol,sigma,sigma_requested,name,St_EV,St_EV_std,St_EV_rev,St_EV_rev_std,Dt_EV,Dt_EV_std,/);
    assert.equal(csv.filter(Boolean).length, 1 + 20);
  });

  it('statistics brought in the authors\' PCA layout ([0,1], ascending) are used as the Gaussian: EV = 1 again', async () => {
    const t = truth('gauss_edm');
    const d = t.mean.length;
    const order = Array.from({ length: d }, (_, k) => d - 1 - k); // ascending, as torch.linalg.eigh
    const file = path.join(dir, 'authors_pca.npz');
    fs.writeFileSync(file, encodeNpz({
      imgmean: { data: Float64Array.from(t.mean, (v) => (v + 1) / 2), shape: [d] },
      eigval: { data: Float64Array.from(order, (k) => t.eigval[k] / 4), shape: [d] },
      eigvec: { data: Float64Array.from({ length: d * d }, (_, q) => t.eigvec[Math.floor(q / d)][order[q % d]]), shape: [d, d] },
    }));
    const res = await compareScores({ model: modelPath('gauss_edm.onnx'), dataset: modelPath('gauss_points.npy'), scale: 'raw', statsFile: file, approx: ['gaussian'], probes: 16, sigmas: [0.1, 1, 10], cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'run-imported') }, ctx);
    for (const r of res.rows) assert.ok(1 - r.Dt_EV <= 1e-6, `σ=${r.sigma}: ${r.Dt_EV}`);
    assert.match(res.run.dataset.fitKey, /^imported:/);
  });

  it('a network that is the exact delta-mixture denoiser of its training set gets delta EV = 1', async () => {
    const dt = truth('delta_edm');
    const data = path.join(dir, 'delta_train.npy');
    fs.writeFileSync(data, encodeNpy({ data: Float32Array.from(dt.train!.flat()), shape: [12, 1, 4, 4] }));
    const res = await compareScores({ model: modelPath('delta_edm.onnx'), dataset: data, scale: 'raw', approx: ['delta', 'gaussian'], probes: 32, sigmas: [0.05, 0.5, 5], cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'run-delta') }, ctx);
    for (const r of res.rows.filter((x) => x.name === 'gmm delta')) assert.ok(1 - r.Dt_EV <= 1e-5, `σ=${r.sigma}: ${r.Dt_EV}`);
  });

  it('the same seed gives the same numbers whatever the batch size', async () => {
    const data = path.join(dir, 'delta_train.npy');
    const a = await compareScores({ model: modelPath('delta_edm.onnx'), dataset: data, scale: 'raw', approx: ['gaussian'], probes: 20, sigmas: [0.5], cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'seed-a') }, headlessContext({ provider: 'cpu', maxBatch: 64 }));
    const b = await compareScores({ model: modelPath('delta_edm.onnx'), dataset: data, scale: 'raw', approx: ['gaussian'], probes: 20, sigmas: [0.5], cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'seed-b') }, headlessContext({ provider: 'cpu', maxBatch: 3 }));
    assert.equal(a.rows[0].Dt_EV, b.rows[0].Dt_EV);
  });

  it('σ values outside a discrete model\'s schedule are skipped and listed; the rest use the snapped σ', async () => {
    const data = path.join(dir, 'delta_train.npy');
    const res = await compareScores({ model: modelPath('gauss_eps_discrete.onnx'), dataset: data, scale: 'raw', approx: ['mean'], probes: 4, sigmas: [0.001, 1, 500], cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'run-discrete') }, ctx);
    assert.deepEqual(res.run.skippedSigmas.map((s) => s.sigma), [0.001, 500]);
    assert.equal(res.run.sigmas.length, 1);
    assert.ok(res.run.sigmas[0].used !== 1 && Math.abs(res.run.sigmas[0].used - 1) < 0.01);
  });

  it('a bad approximation or a model that cannot take the images fails at once, before any run folder exists', async () => {
    const out = path.join(dir, 'run-bad');
    await assert.rejects(compareScores({ model: modelPath('gauss_edm.onnx'), dataset: modelPath('gauss_points.npy'), scale: 'raw', approx: ['gmm:abc'], cacheDir: path.join(dir, 'cache'), out }, ctx), /"gmm:abc": K must be a positive integer/);
    await assert.rejects(compareScores({ model: modelPath('fmnist_edm_small.onnx'), dataset: modelPath('gauss_points.npy'), scale: 'raw', approx: ['gaussian'], cacheDir: path.join(dir, 'cache'), out }, ctx), /model takes images of \[1,28,28\].*data has \[1,4,4\]/);
    assert.equal(fs.existsSync(out), false);
  });

  it('cancelling leaves a run marked cancelled with only whole σ rows', async () => {
    const ctl = new AbortController();
    const data = path.join(dir, 'delta_train.npy');
    const c = { ...headlessContext({ provider: 'cpu' }, undefined, ctl.signal), partial: () => ctl.abort() };
    await assert.rejects(compareScores({ model: modelPath('delta_edm.onnx'), dataset: data, scale: 'raw', approx: ['gaussian', 'delta'], probes: 8, sigmas: [0.1, 1, 10], cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'run-cancel') }, c), /cancelled/);
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'run-cancel', 'run.json'), 'utf8'));
    assert.equal(run.status, 'cancelled');
    assert.equal(run.completedSigmas, 1);
    assert.equal(fs.readFileSync(path.join(dir, 'run-cancel', 'results.csv'), 'utf8').trim().split('\n').length, 1 + 2);
  });

  it('trained network on Fashion-MNIST: the papers\' shape, and one σ equals an independent float64 computation', async () => {
    // A 6000-image subset keeps the test fast; the network was trained on the full training set.
    const ds = await openDataset(FMNIST);
    const n = 6000;
    const sub = await ds.read(Array.from({ length: n }, (_, i) => i * 10));
    await ds.close();
    const data = path.join(dir, 'fmnist_subset.npy');
    fs.writeFileSync(data, encodeNpy({ data: sub.data, shape: [n, 1, 28, 28] }));
    const sigmas = [0.05, 2, 5, 20];
    const res = await compareScores({ model: modelPath('fmnist_edm_small.onnx'), dataset: data, scale: 'raw', approx: ['gaussian', 'gmm:10', 'delta', 'mean'], probes: 96, sigmas, seed: 1, cacheDir: path.join(dir, 'cache'), out: path.join(dir, 'run-fmnist') }, ctx);
    // The models keep the requested order (the delta mixture is built last, over the images it takes over).
    assert.deepEqual(res.run.approximations.map((a) => a.spec), ['gaussian', 'gmm:10', 'delta', 'mean']);
    // Gaussian explains the network better than the training-set score at moderate/high σ …
    for (const s of [2, 5]) assert.ok(row(res.rows, 'gaussian', s).Dt_EV > row(res.rows, 'gmm delta', s).Dt_EV + 0.02, `σ=${s}`);
    assert.ok(row(res.rows, 'gaussian', 20).Dt_EV > 0.85);
    // … and at small σ the mixtures (GMM, delta) explain it at least as well as the single Gaussian.
    assert.ok(row(res.rows, 'gmm_10_mode', 0.05).Dt_EV >= row(res.rows, 'gaussian', 0.05).Dt_EV);
    assert.ok(row(res.rows, 'gmm delta', 0.05).Dt_EV >= row(res.rows, 'gaussian', 0.05).Dt_EV);
    for (const s of sigmas) assert.ok(row(res.rows, 'gaussian', s).Dt_EV > row(res.rows, 'mean isotropic', s).Dt_EV);

    // Independent reference at σ = 2: plain float64 loops for the Gaussian (from the stored eigenpairs) and the delta mixture.
    const sigma = 2;
    const stats = await readFitStats(path.join(dir, 'cache', 'fits', res.run.dataset.fitKey));
    const x = probesAt(drawProbes('A', { images: sub.data, count: n, shape: [1, 28, 28] }, 96, 1), sigma);
    const net = await OnnxDenoiser.open(modelPath('fmnist_edm_small.onnx'), { provider: 'cpu' });
    const dnn = await net.denoise(x, 96, sigma);
    await net.dispose();
    const d = 784;
    const train = Array.from({ length: n }, (_, j) => Array.from(sub.data.subarray(j * d, (j + 1) * d)));
    let evG = 0;
    let evD = 0;
    for (let b = 0; b < 96; b++) {
      const xb = x.subarray(b * d, (b + 1) * d);
      const a = dnn.subarray(b * d, (b + 1) * d);
      const g = Float64Array.from(stats.mean);
      for (let k = 0; k < d; k++) {
        let c = 0;
        for (let i = 0; i < d; i++) c += stats.eigvec[i * d + k] * (xb[i] - stats.mean[i]);
        const f = (stats.eigval[k] / (stats.eigval[k] + sigma * sigma)) * c;
        for (let i = 0; i < d; i++) g[i] += f * stats.eigvec[i * d + k];
      }
      const del = deltaDenoise(train, xb, sigma);
      let na = 0, eg = 0, ed = 0;
      for (let i = 0; i < d; i++) {
        na += a[i] * a[i];
        eg += (a[i] - g[i]) ** 2;
        ed += (a[i] - del[i]) ** 2;
      }
      evG += (1 - eg / na) / 96;
      evD += (1 - ed / na) / 96;
    }
    assert.ok(Math.abs(row(res.rows, 'gaussian', sigma).Dt_EV - evG) < 1e-5, `gaussian ${row(res.rows, 'gaussian', sigma).Dt_EV} vs ${evG}`);
    assert.ok(Math.abs(row(res.rows, 'gmm delta', sigma).Dt_EV - evD) < 1e-5, `delta ${row(res.rows, 'gmm delta', sigma).Dt_EV} vs ${evD}`);
  });
});
