// Seeded mini-batch k-means and per-group Gaussian fits.
import assert from 'node:assert/strict';
import { fitGroups, kmeans, CLUSTER_EPS } from '../../../src/engine/score/fitMixture';
import { rng } from '../helpers/fixtures';

describe('k-means GMM fit', () => {
  const d = 8;
  const k = 3;
  const n = 600;
  const r = rng(9);
  const centres = [0, 5, -5];
  const truthLabel = Int32Array.from({ length: n }, (_, i) => i % k);
  const data = Float32Array.from({ length: n * d }, (_, i) => centres[truthLabel[Math.floor(i / d)]] + 0.3 * r.normal());

  it('recovers well-separated clusters, and the same seed gives the same labels', async () => {
    const a = await kmeans(data, n, d, k, { seed: 42, batch: 128 });
    const b = await kmeans(data, n, d, k, { seed: 42, batch: 128 });
    assert.deepEqual(a, b);
    // the clustering equals the truth up to a permutation
    const map = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (!map.has(truthLabel[i])) map.set(truthLabel[i], a[i]);
      assert.equal(a[i], map.get(truthLabel[i]));
    }
    assert.equal(new Set(map.values()).size, k);
  });

  it('per-group Gaussians: weights are sizes/N, means are group means, covariance is 1/(n−1) + 1e-5·I', async () => {
    const fit = await fitGroups(data, n, d, truthLabel, k);
    assert.deepEqual(fit.sizes, [200, 200, 200]);
    fit.weights.forEach((w) => assert.ok(Math.abs(w - 1 / 3) < 1e-15));
    for (let j = 0; j < k; j++) {
      const c = fit.components[j];
      let m0 = 0;
      let v0 = 0;
      const rows = [];
      for (let i = 0; i < n; i++) if (truthLabel[i] === j) rows.push(data[i * d]);
      for (const v of rows) m0 += v / rows.length;
      for (const v of rows) v0 += (v - m0) ** 2 / (rows.length - 1);
      assert.ok(Math.abs(c.mean[0] - m0) < 1e-6);
      // Σ_00 = Σ_k λ_k u_0k² reproduces the sample variance + ε
      let s00 = 0;
      for (let q = 0; q < d; q++) s00 += c.lambda[q] * c.u[q] * c.u[q];
      assert.ok(Math.abs(s00 - (v0 + CLUSTER_EPS)) < 1e-5 * v0);
    }
  });
});
