// The dataset Gaussian fit on real Fashion-MNIST: against an independent float64 computation, the cache, N < D,
// and the round trip through the authors' PCA layout.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { headlessContext } from '../../../src/engine/analysis/context';
import { loadLapack } from '../../../src/engine/tensor/lapack';
import { exportStats } from '../../../src/engine/analysis/exportStats';
import { fitDataset } from '../../../src/engine/analysis/fit';
import { openDataset } from '../../../src/engine/data/dataset';
import { encodeNpy } from '../../../src/engine/store/npz';
import { loadStats, readFitStats } from '../../../src/engine/store/stats';

const FMNIST = '/usr/share/datasets/fashion-mnist';
const ctx = headlessContext({ provider: 'cpu' });

/** Top eigenvalues of a symmetric matrix by power iteration with deflation (plain float64, independent of the engine). */
function topEigenvalues(c: Float64Array, d: number, k: number): number[] {
  const a = Float64Array.from(c);
  const out: number[] = [];
  for (let e = 0; e < k; e++) {
    let v = Float64Array.from({ length: d }, (_, i) => Math.sin(i + 1 + e));
    let lambda = 0;
    for (let it = 0; it < 400; it++) {
      const w = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) w[i] += a[i * d + j] * v[j];
      let norm = 0;
      lambda = 0;
      for (let i = 0; i < d; i++) {
        lambda += v[i] * w[i];
        norm += w[i] * w[i];
      }
      norm = Math.sqrt(norm);
      v = w.map((x) => x / norm);
    }
    out.push(lambda);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j] -= lambda * v[i] * v[j];
  }
  return out;
}

describe('dataset Gaussian fit', function () {
  this.timeout(120000);
  let dir: string;
  let subset: string;
  let pixels: Uint8Array;
  const n = 3000;
  const d = 784;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-fit-'));
    const ds = await openDataset(FMNIST, { scale: 'raw' });
    const b = await ds.read(Array.from({ length: n }, (_, i) => i * 20));
    await ds.close();
    pixels = Uint8Array.from(b.data);
    subset = path.join(dir, 'fmnist_subset.npy');
    fs.writeFileSync(subset, encodeNpy({ data: pixels, shape: [n, 28, 28] }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('real Fashion-MNIST (3000-image subset): mean and top eigenvalues equal a plain float64 computation to 1e-9', async () => {
    const fit = await fitDataset({ dataset: subset, cacheDir: path.join(dir, 'cache') }, ctx);
    assert.equal(fit.cacheHit, false);
    assert.equal(fit.meta.count, n);
    assert.equal(fit.meta.method, 'full');
    assert.ok(fit.meta.residual <= 1e-10 && fit.meta.orthogonality <= 1e-10, `${fit.meta.residual} ${fit.meta.orthogonality}`);
    const y = Float64Array.from(pixels, (v) => v / 127.5 - 1);
    const mean = new Float64Array(d);
    for (let k = 0; k < n; k++) for (let i = 0; i < d; i++) mean[i] += y[k * d + i];
    for (let i = 0; i < d; i++) mean[i] /= n;
    const stats = await readFitStats(fit.statsDir);
    for (let i = 0; i < d; i++) assert.ok(Math.abs(stats.mean[i] - mean[i]) <= 1e-9 * Math.max(Math.abs(mean[i]), 1e-3), `mean[${i}]`);
    const cov = new Float64Array(d * d);
    for (let k = 0; k < n; k++) {
      const row = y.subarray(k * d, (k + 1) * d);
      for (let i = 0; i < d; i++) {
        const ri = row[i] - mean[i];
        for (let j = 0; j <= i; j++) cov[i * d + j] += ri * (row[j] - mean[j]);
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) cov[j * d + i] = cov[i * d + j] /= n;
    const ref = topEigenvalues(cov, d, 3);
    ref.forEach((l, k) => assert.ok(Math.abs(stats.eigval[k] - l) <= 1e-9 * l, `λ${k + 1}: ${stats.eigval[k]} vs ${l}`));
    for (let k = 1; k < d; k++) assert.ok(stats.eigval[k] <= stats.eigval[k - 1]);
  });

  it('a second fit of the same data is a cache hit; a different preprocessing is not', async () => {
    const cacheDir = path.join(dir, 'cache');
    const again = await fitDataset({ dataset: subset, cacheDir }, ctx);
    assert.equal(again.cacheHit, true);
    const zero1 = await fitDataset({ dataset: subset, scale: 'zero1', cacheDir }, ctx);
    assert.equal(zero1.cacheHit, false);
    // [0,1] statistics are the [−1,1] ones mapped back: λ' = λ/4
    assert.ok(Math.abs(zero1.eigval[0] - again.eigval[0] / 4) <= 1e-12 * again.eigval[0]);
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'fits')).filter((f) => f.includes('.tmp-')), []);
  });

  it('fit.json names the eigensolver: the system LAPACK where one loads, the built-in one with lapack "off" (same statistics)', async () => {
    const native = await loadLapack('auto');
    const auto = await fitDataset({ dataset: subset, cacheDir: path.join(dir, 'cache-solver-auto') }, ctx);
    assert.match(auto.meta.solver ?? '', native ? /^LAPACK dsyevd \(/ : /^built-in /);
    const off = await fitDataset({ dataset: subset, cacheDir: path.join(dir, 'cache-solver-off') }, headlessContext({ provider: 'cpu', lapack: 'off' }));
    assert.match(off.meta.solver ?? '', /^built-in Householder \+ divide & conquer .*turned off/);
    const [a, b] = [await readFitStats(auto.statsDir), await readFitStats(off.statsDir)];
    for (let k = 0; k < d; k++) assert.ok(Math.abs(a.eigval[k] - b.eigval[k]) <= 1e-12 * a.eigval[0], `λ${k + 1}`);
  });

  it('N < D (rank-deficient): 40 images give 39 positive eigenvalues and a zero remainder', async () => {
    const small = path.join(dir, 'small.npy');
    fs.writeFileSync(small, encodeNpy({ data: pixels.subarray(0, 40 * d), shape: [40, 28, 28] }));
    const fit = await fitDataset({ dataset: small, cacheDir: path.join(dir, 'cache') }, ctx);
    assert.ok(fit.meta.residual <= 1e-10);
    assert.ok(fit.eigval[38] > 1e-6 * fit.eigval[0]);
    assert.ok(Math.abs(fit.eigval[39]) <= 1e-12 * fit.eigval[0] && Math.abs(fit.eigval[d - 1]) <= 1e-12 * fit.eigval[0]);
  });

  it('top-k fit: eigenvalues within 1e-4 of the full fit, plus the isotropic remainder of the rest', async () => {
    const full = await fitDataset({ dataset: subset, cacheDir: path.join(dir, 'cache') }, ctx);
    const top = await fitDataset({ dataset: subset, topk: 32, cacheDir: path.join(dir, 'cache') }, ctx);
    assert.equal(top.meta.method, 'topk');
    assert.equal(top.eigval.length, 32);
    top.eigval.forEach((l, k) => assert.ok(Math.abs(l - full.eigval[k]) <= 1e-4 * full.eigval[k], `λ${k + 1}`));
    const rest = full.eigval.slice(32).reduce((a, b) => a + b, 0) / (d - 32);
    assert.ok(Math.abs(top.meta.tail - rest) <= 1e-6 * rest);
  });

  it('labelled data (all of Fashion-MNIST): per-class counts, mean images and tr Σ_c equal a direct float64 computation', async () => {
    const fit = await fitDataset({ dataset: FMNIST, cacheDir: path.join(dir, 'cache') }, ctx);
    assert.deepEqual(Object.values(fit.meta.classCounts!), new Array(10).fill(6000));
    assert.equal(fit.meta.classNames![9], 'Ankle boot');
    const ds = await openDataset(FMNIST);
    const cls = 9;
    const mean = new Float64Array(d);
    let sumSq = 0;
    let count = 0;
    for await (const b of ds.batches(10000)) {
      for (let r = 0; r < b.count; r++) {
        if (b.labels![r] !== cls) continue;
        count++;
        for (let i = 0; i < d; i++) {
          const v = Math.round((b.data[r * d + i] + 1) * 127.5) / 127.5 - 1; // the exact value of the uint8 pixel
          mean[i] += v;
          sumSq += v * v;
        }
      }
    }
    await ds.close();
    let meanSq = 0;
    for (let i = 0; i < d; i++) meanSq += (mean[i] /= count) ** 2;
    for (let i = 0; i < d; i++) assert.ok(Math.abs(fit.classMeans![cls * d + i] - mean[i]) <= 1e-6, `pixel ${i}`); // float32 transport
    assert.ok(Math.abs(fit.meta.classVariance![cls] - (sumSq / count - meanSq)) <= 1e-9 * fit.meta.classVariance![cls]);
  });

  it('the authors\' layout ([0,1], ascending, 1/(N−1)) round-trips back to our statistics', async () => {
    const fit = await fitDataset({ dataset: subset, cacheDir: path.join(dir, 'cache') }, ctx);
    const file = path.join(dir, 'authors.npz');
    await exportStats({ statsDir: fit.statsDir, target: file, layout: 'authors' });
    const back = await loadStats(file); // detected as the authors' layout: [0,1] → [−1,1], descending
    const ours = await readFitStats(fit.statsDir);
    const unbias = n / (n - 1);
    for (let i = 0; i < d; i++) assert.ok(Math.abs(back.mean[i] - ours.mean[i]) <= 1e-12);
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(back.eigval[k] - ours.eigval[k] * unbias) <= 1e-12 * ours.eigval[k]);
    for (let i = 0; i < d; i += 97) assert.ok(Math.abs(Math.abs(back.eigvec[i * d]) - Math.abs(ours.eigvec[i * d])) <= 1e-12);
  });
});
