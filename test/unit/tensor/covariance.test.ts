// Streaming mean/covariance: exact agreement with a float64 two-pass computation, and recovery of a known Gaussian.
import assert from 'node:assert/strict';
import { AbortError } from '../../../src/engine/tensor/control';
import { covariance, CovarianceAccumulator } from '../../../src/engine/tensor/covariance';
import { normalStream } from '../../../src/engine/random';
import { OrtLinalg } from '../../../src/engine/tensor/ortexec';
import { maxRelDiff, randomOrthogonal, randomRows, twoPass } from './helpers';

const frob = (a: Float64Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

describe('covariance accumulator', () => {
  const linalg = new OrtLinalg({ threads: 1 });
  after(() => linalg.release());

  it('float64 products equal a float64 two-pass computation to 1e-12 (uneven batches, chunks, column blocks)', async () => {
    const rows = 777;
    const d = 45;
    const x = randomRows(rows, d, 1);
    const ref = twoPass(x, rows, d, 0);
    for (const blocks of [1, 2, 4]) {
      const acc = new CovarianceAccumulator({ dim: d, precision: 'float64', chunkRows: 100, blocks, linalg });
      let r = 0;
      for (const size of [1, 7, 250, 19, 500]) {
        const take = Math.min(size, rows - r);
        await acc.add(x.subarray(r * d, (r + take) * d), take);
        r += take;
      }
      assert.equal(acc.count, rows);
      const res = await acc.finalize();
      assert.equal(res.ddof, 0);
      assert.ok(maxRelDiff(res.cov, ref.cov, frob(ref.cov)) < 1e-12, `blocks ${blocks}`);
      assert.ok(maxRelDiff(res.mean, ref.mean, Math.max(...ref.mean)) < 1e-14);
    }
  });

  it('float32 products (the default) agree to float32 accuracy; ddof=1 divides by N−1', async () => {
    const rows = 1000;
    const d = 64;
    const x = randomRows(rows, d, 2, 50);
    const ref = twoPass(x, rows, d, 1);
    const res = await covariance(x, rows, { dim: d, ddof: 1, chunkRows: 300, linalg });
    assert.equal(res.ddof, 1);
    assert.ok(maxRelDiff(res.cov, ref.cov, frob(ref.cov)) < 2e-6);
    let tr = 0;
    for (let i = 0; i < d; i++) tr += ref.cov[i * d + i];
    assert.ok(Math.abs(res.trace - tr) / tr < 2e-6);
  });

  it('uint8 batches with an affine map (cast inside the graph) equal the float64 two-pass statistics of the mapped data', async () => {
    const rows = 900;
    const d = 50;
    const rng = normalStream(17);
    const u8 = Uint8Array.from({ length: rows * d }, (_, i) => Math.max(0, Math.min(255, Math.round(90 + 5 * (i % d) + 40 * rng()))));
    // Exact reference: two-pass statistics of the raw integers (exact in float32), then mapped in float64.
    const raw = twoPass(Float32Array.from(u8), rows, d, 0);
    const ref = { mean: raw.mean.map((m) => m / 127.5 - 1), cov: raw.cov.map((c) => c / 127.5 ** 2) };
    for (const precision of ['float32', 'float64'] as const) {
      const acc = new CovarianceAccumulator({ dim: d, precision, chunkRows: 256, linalg, uint8: { scale: 1 / 127.5, offset: -1 } });
      await acc.add(u8.subarray(0, 300 * d), 300);
      await acc.add(u8.subarray(300 * d), rows - 300);
      const res = await acc.finalize();
      assert.ok(maxRelDiff(res.cov, ref.cov, frob(ref.cov)) < (precision === 'float64' ? 1e-13 : 1e-6), precision);
      assert.ok(maxRelDiff(res.mean, ref.mean, 1) < 1e-14);
    }
    await assert.rejects(new CovarianceAccumulator({ dim: d, linalg }).add(u8, rows));
  });

  it('handles N < D (rank-deficient covariance) and a single row', async () => {
    const d = 40;
    const x = randomRows(10, d, 3);
    const ref = twoPass(x, 10, d, 0);
    const res = await covariance(x, 10, { dim: d, precision: 'float64', linalg });
    assert.ok(maxRelDiff(res.cov, ref.cov, frob(ref.cov)) < 1e-12);
    const one = await covariance(x, 1, { dim: d, linalg });
    assert.ok(one.cov.every((v) => v === 0));
    await assert.rejects(covariance(x, 1, { dim: d, ddof: 1, linalg }));
  });

  it('recovers the covariance of a known Gaussian to sampling error', async () => {
    // Σ = Q diag(λ) Qᵀ, x = μ + Q diag(√λ) g. For Gaussian data the entry Ĉ_ij of the sample covariance has standard
    // deviation sqrt((Σ_ii Σ_jj + Σ_ij²)/N) (Wishart second moments); we require every entry within 5 of those standard
    // deviations (625 entries: a 5σ excursion has probability ~6e-7 each) and the mean within 5·sqrt(Σ_ii/N).
    const d = 25;
    const n = 40000;
    const q = randomOrthogonal(d, 11);
    const lam = Array.from({ length: d }, (_, i) => 4 * Math.exp(-i / 4) + 0.01);
    const mu = Array.from({ length: d }, (_, i) => 10 + i);
    const sigma = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) sigma[i * d + j] += q[i * d + k] * lam[k] * q[j * d + k];
    const rng = normalStream(99);
    const x = new Float32Array(n * d);
    const g = new Float64Array(d);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < d; k++) g[k] = Math.sqrt(lam[k]) * rng();
      for (let i = 0; i < d; i++) {
        let s = mu[i];
        for (let k = 0; k < d; k++) s += q[i * d + k] * g[k];
        x[r * d + i] = s;
      }
    }
    const res = await covariance(x, n, { dim: d, linalg });
    for (let i = 0; i < d; i++) {
      assert.ok(Math.abs(res.mean[i] - mu[i]) <= 5 * Math.sqrt(sigma[i * d + i] / n), `mean ${i}`);
      for (let j = 0; j < d; j++) {
        const sd = Math.sqrt((sigma[i * d + i] * sigma[j * d + j] + sigma[i * d + j] ** 2) / n);
        assert.ok(Math.abs(res.cov[i * d + j] - sigma[i * d + j]) <= 5 * sd, `cov ${i},${j}`);
      }
    }
  });

  it('stops with AbortError when cancelled and reports progress', async () => {
    const d = 16;
    const x = randomRows(2000, d, 4);
    const seen: number[] = [];
    const ctl = new AbortController();
    const acc = new CovarianceAccumulator({
      dim: d,
      chunkRows: 500,
      expectedRows: 2000,
      linalg,
      signal: ctl.signal,
      onProgress: (f, phase) => {
        assert.equal(phase, 'covariance');
        seen.push(f);
        if (seen.length === 2) ctl.abort();
      },
    });
    await assert.rejects(acc.add(x, 2000), AbortError);
    assert.deepEqual(seen, [0.25, 0.5]);
  });
});
