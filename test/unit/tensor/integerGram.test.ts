// Exact uint8 statistics through MatMulInteger: equal to a two-pass float64 computation, across chunk boundaries.
import assert from 'node:assert/strict';
import { IntegerGramAccumulator } from '../../../src/engine/tensor/integerGram';
import { rng } from '../helpers/fixtures';

describe('IntegerGramAccumulator (exact uint8 mean and covariance)', () => {
  it('matches exact-integer means (1e-14) and a two-pass float64 covariance (1e-11) over 40 000 rows (two MatMulInteger chunks), with ddof 0 and 1', async () => {
    const d = 12;
    const n = 40000;
    const r = rng(17);
    const x = Float32Array.from({ length: n * d }, (_, i) => Math.min(255, Math.floor(r.uniform() * 200 + (i % d) * 4)));
    const acc = new IntegerGramAccumulator(d);
    for (let s = 0; s < n; s += 7777) await acc.add(x.subarray(s * d, Math.min(n, s + 7777) * d), Math.min(7777, n - s));
    for (const ddof of [0, 1]) {
      const res = await acc.finalize({ ddof });
      const mean = new Float64Array(d);
      for (let k = 0; k < n; k++) for (let i = 0; i < d; i++) mean[i] += x[k * d + i]; // integer sums: exact
      for (let i = 0; i < d; i++) mean[i] /= n;
      for (let i = 0; i < d; i++) assert.ok(Math.abs(res.mean[i] - mean[i]) <= 1e-14 * Math.abs(mean[i]));
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let c = 0;
          for (let k = 0; k < n; k++) c += (x[k * d + i] - mean[i]) * (x[k * d + j] - mean[j]);
          c /= n - ddof;
          // the two-pass reference itself accumulates ~n·ε of rounding; the accumulator is exact before one division
          assert.ok(Math.abs(res.cov[i * d + j] - c) <= 1e-11 * Math.abs(res.cov[i * d + i]), `(${i},${j}) ${res.cov[i * d + j]} vs ${c}`);
        }
      }
      assert.equal(res.count, n);
    }
  });
});
