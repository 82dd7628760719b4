// Gaussian and mixture score models against float64 references and the identities of science.md §9.2–9.3.
import assert from 'node:assert/strict';
import { makeComponent, evalComponent } from '../../../src/engine/score/component';
import { MixtureDenoiser, meanIsotropic, meanStdIsotropic } from '../../../src/engine/score/gaussian';
import { defaultLinalg } from '../../../src/engine/tensor/ortexec';
import { gaussDenoise, maxRelDiff, rng, truth } from '../helpers/fixtures';

const t = truth('gauss_edm');
const D = t.mean.length;
const SHAPE: [number, number, number] = [1, 4, 4];
const eigvec = Float64Array.from(t.eigvec.flat());
const full = (): ReturnType<typeof makeComponent> => makeComponent(Float64Array.from(t.mean), eigvec, Float64Array.from(t.eigval));
const r = rng(5);
const probes = (n: number, sigma: number): Float32Array => Float32Array.from({ length: n * D }, (_, i) => t.mean[i % D] + sigma * r.normal() + 0.5 * r.normal());

/** log N(x; μ, Σ + σ²I) − (−D/2 ln 2π) in float64 via Cholesky, from the truth eigenpairs (independent of the code under test). */
function refLogDensity(mean: number[], lambda: number[], U: number[][], x: ArrayLike<number>, sigma: number): number {
  const S = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => (i === j ? sigma * sigma : 0) + lambda.reduce((a, l, k) => a + l * U[i][k] * U[j][k], 0)));
  const L = S.map(() => new Array(D).fill(0));
  for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) {
    let s = S[i][j];
    for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
    L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
  }
  const y = new Array(D).fill(0);
  for (let i = 0; i < D; i++) {
    let s = x[i] - mean[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  return -0.5 * (2 * L.reduce((a, row, i) => a + Math.log(row[i]), 0) + y.reduce((a, v) => a + v * v, 0));
}

describe('Gaussian and mixture score models', () => {
  it('the Gaussian denoiser equals the float64 closed form at every σ', async () => {
    const g = new MixtureDenoiser(SHAPE, [full()]);
    for (const sigma of [0.01, 0.3, 1, 5, 80]) {
      const x = probes(6, sigma);
      const d = await g.denoise(x, 6, sigma);
      for (let b = 0; b < 6; b++) assert.ok(maxRelDiff(d.subarray(b * D, (b + 1) * D), gaussDenoise(t, x.subarray(b * D, (b + 1) * D), sigma)) < 1e-5);
    }
  });

  it('a GMM of two identical components equals the single Gaussian (the K = 1 reduction through the softmax path)', async () => {
    const g = new MixtureDenoiser(SHAPE, [full()]);
    const two = new MixtureDenoiser(SHAPE, [full(), full()], [0.3, 0.7]);
    const x = probes(5, 2);
    assert.ok(maxRelDiff(await two.denoise(x, 5, 2), await g.denoise(x, 5, 2)) < 1e-6);
  });

  it('a rank-r component equals the full-rank formula with the other eigenvalues set to 0 (GTD test_lowrank_score_correct)', async () => {
    const rk = 5;
    const lowCols = new Float64Array(D * rk);
    for (let i = 0; i < D; i++) for (let k = 0; k < rk; k++) lowCols[i * rk + k] = eigvec[i * D + k];
    const low = makeComponent(Float64Array.from(t.mean), lowCols, Float64Array.from(t.eigval.slice(0, rk)));
    const padded = makeComponent(Float64Array.from(t.mean), eigvec, Float64Array.from(t.eigval.map((v, k) => (k < rk ? v : 0))));
    for (const sigma of [0.1, 1, 10]) {
      const x = probes(4, sigma);
      const a = await evalComponent(defaultLinalg(), low, x, 4, sigma, true);
      const b = await evalComponent(defaultLinalg(), padded, x, 4, sigma, true);
      assert.ok(maxRelDiff(a.denoised, b.denoised) < 1e-5);
      for (let i = 0; i < 4; i++) assert.ok(Math.abs(a.logDensity[i] - b.logDensity[i]) < 1e-6 * Math.abs(b.logDensity[i]) + 1e-6);
    }
  });

  it('the component log-density equals a Cholesky float64 reference (full rank and rank 5 + zero remainder)', async () => {
    for (const sigma of [0.2, 2]) {
      const x = probes(3, sigma);
      const e = await evalComponent(defaultLinalg(), full(), x, 3, sigma, true);
      for (let b = 0; b < 3; b++) {
        const ref = refLogDensity(t.mean, t.eigval, t.eigvec, x.subarray(b * D, (b + 1) * D), sigma);
        assert.ok(Math.abs(e.logDensity[b] - ref) < 1e-4 * Math.abs(ref) + 1e-4, `${e.logDensity[b]} vs ${ref}`);
      }
    }
  });

  it('the mixture score (D − x)/σ² is the gradient of the mixture log-density (finite differences, science.md §9.3)', async () => {
    const shifted = makeComponent(Float64Array.from(t.mean, (v) => v + 0.8), eigvec, Float64Array.from(t.eigval, (v) => v * 0.5));
    const mix = new MixtureDenoiser(SHAPE, [full(), shifted], [0.4, 0.6]);
    const sigma = 0.7;
    const logp = async (x: Float32Array): Promise<number> => {
      const a = await evalComponent(defaultLinalg(), full(), x, 1, sigma, true);
      const b = await evalComponent(defaultLinalg(), shifted, x, 1, sigma, true);
      const la = Math.log(0.4) + a.logDensity[0];
      const lb = Math.log(0.6) + b.logDensity[0];
      const m = Math.max(la, lb);
      return m + Math.log(Math.exp(la - m) + Math.exp(lb - m));
    };
    const x = Float32Array.from(t.mean, (v, i) => v + 0.4 + 0.3 * Math.sin(i));
    const d = await mix.denoise(x, 1, sigma);
    const h = 1e-2;
    for (const i of [0, 5, 15]) {
      const xp = Float32Array.from(x);
      const xm = Float32Array.from(x);
      xp[i] += h;
      xm[i] -= h;
      const fd = ((await logp(xp)) - (await logp(xm))) / (2 * h);
      const score = (d[i] - x[i]) / (sigma * sigma);
      assert.ok(Math.abs(fd - score) < 2e-3 * (1 + Math.abs(score)), `coord ${i}: fd ${fd} vs score ${score}`);
    }
  });

  it('baselines: mean isotropic is D = μ; mean + std isotropic shrinks toward μ by σ²/(σ²+tr Σ/D)', async () => {
    const mean = Float64Array.from(t.mean);
    const x = probes(2, 1);
    const a = await meanIsotropic(SHAPE, mean).denoise(x, 2, 1);
    for (let i = 0; i < 2 * D; i++) assert.ok(Math.abs(a[i] - mean[i % D]) < 1e-6);
    const tr = t.eigval.reduce((p, q) => p + q, 0);
    const v = tr / D;
    const b = await meanStdIsotropic(SHAPE, mean, tr).denoise(x, 2, 1);
    for (let i = 0; i < 2 * D; i++) assert.ok(Math.abs(b[i] - (mean[i % D] + (v / (v + 1)) * (x[i] - mean[i % D]))) < 1e-5);
  });
});
