// Exact uint8 statistics through MatMulInteger: equal to a two-pass float64 computation, across chunk boundaries,
// identical for every batch size and for both kernels (uint8 × int8 and uint8 × uint8), per-label sums exact.
import assert from 'node:assert/strict';
import { IntegerGramAccumulator, IntegerGramOptions } from '../../../src/engine/tensor/integerGram';
import { rng } from '../helpers/fixtures';

const d = 12;
const n = 40000;
const r = rng(17);
// extremes included: 0 and 255 are where a saturating uint8 × int8 kernel would go wrong
const x = Uint8Array.from({ length: n * d }, (_, i) => (i % 97 === 0 ? 255 : i % 89 === 0 ? 0 : Math.min(255, Math.floor(r.uniform() * 200 + (i % d) * 4))));
const labels = Int32Array.from({ length: n }, () => [3, 7, 1000, -2][Math.floor(r.uniform() * 4)]);

async function accumulate(batch: number, opts: IntegerGramOptions = {}, withLabels = false): Promise<IntegerGramAccumulator> {
  const acc = new IntegerGramAccumulator(d, opts);
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    await acc.add(x.subarray(s * d, (s + m) * d), m, withLabels ? labels.subarray(s, s + m) : undefined);
  }
  return acc;
}

describe('IntegerGramAccumulator (exact uint8 mean and covariance)', () => {
  it('matches exact-integer means (1e-14) and a two-pass float64 covariance (1e-11) over 40 000 rows (several MatMulInteger chunks), with ddof 0 and 1', async () => {
    const acc = await accumulate(7777);
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

  it('gives bit-identical results for any batch size and for the uint8 × uint8 kernel', async () => {
    const ref = await (await accumulate(IntegerGramAccumulator.chunkRows)).finalize();
    for (const [batch, opts] of [[1, {}], [333, {}], [40000, {}], [5000, { kernel: 'unsigned' }]] as const) {
      const res = await (await accumulate(batch, opts)).finalize();
      assert.deepEqual(res.mean, ref.mean, `batch ${batch}`);
      assert.deepEqual(res.cov, ref.cov, `batch ${batch}`);
    }
  });

  it('sums each label exactly (counts, pixel sums, sums of squares) in the same pass, with either kernel', async () => {
    const want = new Map<number, { count: number; sum: Float64Array; sumSq: number }>();
    for (let k = 0; k < n; k++) {
      let w = want.get(labels[k]);
      if (!w) want.set(labels[k], (w = { count: 0, sum: new Float64Array(d), sumSq: 0 }));
      w.count++;
      for (let i = 0; i < d; i++) {
        w.sum[i] += x[k * d + i];
        w.sumSq += x[k * d + i] ** 2;
      }
    }
    const labelsAsc = [...want.keys()].sort((a, b) => a - b);
    for (const kernel of ['auto', 'unsigned'] as const) {
      const acc = await accumulate(3001, { kernel }, true);
      const got = await acc.labelSums();
      assert.deepEqual(got.labels, labelsAsc);
      assert.deepEqual(got.counts, labelsAsc.map((l) => want.get(l)!.count));
      assert.deepEqual(got.sumSq, labelsAsc.map((l) => want.get(l)!.sumSq));
      labelsAsc.forEach((l, k) => assert.deepEqual(got.sums.subarray(k * d, (k + 1) * d), want.get(l)!.sum));
      // labels do not change the covariance
      assert.deepEqual((await acc.finalize()).cov, (await (await accumulate(3001)).finalize()).cov);
    }
  });

  it('sums of squares are exact for odd widths and odd byte offsets too (no two-pixel look-ups there)', async () => {
    for (const [w, offset] of [[5, 0], [6, 1], [6, 0]]) {
      const rows = IntegerGramAccumulator.chunkRows; // a whole chunk goes straight from the caller's array
      const bytes = x.subarray(offset, offset + rows * w);
      const lab = Int32Array.from({ length: rows }, (_, k) => k % 3);
      const acc = new IntegerGramAccumulator(w);
      await acc.add(bytes, rows, lab);
      const want = [0, 0, 0];
      for (let k = 0; k < rows; k++) for (let i = 0; i < w; i++) want[k % 3] += bytes[k * w + i] ** 2;
      assert.deepEqual((await acc.labelSums()).sumSq, want, `width ${w}, offset ${offset}`);
    }
  });

  it('refuses labels on some batches only, and bad shapes', async () => {
    const acc = new IntegerGramAccumulator(d);
    await acc.add(x.subarray(0, 10 * d), 10, labels.subarray(0, 10));
    await assert.rejects(acc.add(x.subarray(0, 10 * d), 10), /labels must come with every batch or with none/);
    await assert.rejects(acc.add(x.subarray(0, 10 * d), 11), /not 11×12/);
    await assert.rejects(new IntegerGramAccumulator(d).labelSums(), /without labels/);
  });
});
