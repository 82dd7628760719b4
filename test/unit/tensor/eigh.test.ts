// Full symmetric eigendecomposition (divide & conquer through ORT, and plain-JS tql2) on matrices with known spectra.
import assert from 'node:assert/strict';
import { eigAccuracy } from '../../../src/engine/tensor/checks';
import { AbortError } from '../../../src/engine/tensor/control';
import { tridiagEigDC } from '../../../src/engine/tensor/dc';
import { eigh } from '../../../src/engine/tensor/eigh';
import { OrtLinalg } from '../../../src/engine/tensor/ortexec';
import { rankOneEig } from '../../../src/engine/tensor/secular';
import { covariance } from '../../../src/engine/tensor/covariance';
import { randomOrthogonal, randomRows, withSpectrum } from './helpers';

interface Case {
  name: string;
  n: number;
  lambda: (n: number) => number[];
}

const cases: Case[] = [
  { name: 'distinct, decaying', n: 120, lambda: (n) => Array.from({ length: n }, (_, i) => 3 * Math.exp(-i / 15) + 1e-3 * i) },
  { name: 'repeated eigenvalues', n: 150, lambda: (n) => Array.from({ length: n }, (_, i) => [5, 5, 5, 2, 2, 1, 1, 1, 1, 0.5][i % 10] * (i < n / 2 ? 1 : 0.1)) },
  { name: 'rank-deficient (half zeros), negatives', n: 140, lambda: (n) => Array.from({ length: n }, (_, i) => (i % 2 ? 0 : i % 4 ? -1 - i / n : 1 + i / n)) },
  // n > 256 runs the ORT paths (symv, rank-2k update, WY back-transform, D&C GEMMs).
  { name: 'large: graded spectrum with a zero block', n: 420, lambda: (n) => Array.from({ length: n }, (_, i) => (i < 300 ? 10 ** (-i / 60) : 0)) },
];

describe('eigh (full symmetric eigendecomposition)', function () {
  this.timeout(60000);
  const linalg = new OrtLinalg({ threads: 1 });
  after(() => linalg.release());

  for (const c of cases)
    for (const method of ['dc', 'tql2'] as const) {
      if (method === 'tql2' && c.n > 200) continue;
      it(`${method}: ${c.name} (n=${c.n}) — λ to 1e-10·‖C‖, residual and orthogonality ≤ 1e-10`, async () => {
        const n = c.n;
        const lam = c.lambda(n);
        const q = randomOrthogonal(n, n + 1);
        const a = withSpectrum(q, lam, n);
        const copy = Float64Array.from(a);
        const r = await eigh(a, n, { method, linalg });
        assert.deepEqual(a, copy, 'input untouched');
        const sorted = [...lam].sort((x, y) => y - x);
        const norm = Math.max(...lam.map(Math.abs));
        for (let i = 0; i < n; i++) assert.ok(Math.abs(r.values[i] - sorted[i]) <= 1e-10 * norm, `λ${i}: ${r.values[i]} vs ${sorted[i]}`);
        const acc = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
        assert.ok(acc.residual <= 1e-10, `residual ${acc.residual}`);
        assert.ok(acc.orthogonality <= 1e-10, `orthogonality ${acc.orthogonality}`);
      });
    }

  it('covariance of N < D samples: D−N+1 zero eigenvalues, residual and orthogonality ≤ 1e-10', async () => {
    const d = 300;
    const rows = 60;
    const x = randomRows(rows, d, 5);
    const cov = await covariance(x, rows, { dim: d, precision: 'float64', linalg });
    const r = await eigh(cov.cov, d, { method: 'dc', linalg });
    const acc = await eigAccuracy(cov.cov, d, r.values, r.vectors, d, linalg);
    assert.ok(acc.residual <= 1e-10 && acc.orthogonality <= 1e-10, JSON.stringify(acc));
    for (let i = rows - 1; i < d; i++) assert.ok(Math.abs(r.values[i]) <= 1e-12 * r.values[0], `λ${i} = ${r.values[i]}`);
    assert.ok(r.values[rows - 2] > 1e-6 * r.values[0]);
    let tr = 0;
    for (let i = 0; i < d; i++) tr += r.values[i];
    assert.ok(Math.abs(tr - cov.trace) <= 1e-12 * cov.trace);
  });

  it('exactly zero rows/columns (constant pixels) in a block-diagonal matrix, on the ORT path', async () => {
    const n = 320;
    const inner = 280;
    const lam = Array.from({ length: inner }, (_, i) => 2 ** (-i / 30));
    const b = withSpectrum(randomOrthogonal(inner, 8), lam, inner);
    // Embed with every 8th row/column zero, and split into two diagonal blocks.
    const a = new Float64Array(n * n);
    const map: number[] = [];
    for (let i = 0; i < n; i++) if (i % 8 !== 3) map.push(i);
    const half = inner >> 1;
    for (let i = 0; i < inner; i++)
      for (let j = 0; j < inner; j++) if (i < half === j < half) a[map[i] * n + map[j]] = b[i * inner + j];
    const r = await eigh(a, n, { method: 'dc', linalg });
    const acc = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
    assert.ok(acc.residual <= 1e-10 && acc.orthogonality <= 1e-10, JSON.stringify(acc));
    let zeros = 0;
    for (let i = 0; i < n; i++) if (Math.abs(r.values[i]) < 1e-13) zeros++;
    assert.ok(zeros >= n - inner, `${zeros} zero eigenvalues`);
  });

  it('an already (nearly) diagonal matrix: every Householder vector is zero, on the ORT path too', async () => {
    const n = 320;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = i % 5;
    a[5 * n + 7] = a[7 * n + 5] = 1; // the block [[0, 1], [1, 2]] has eigenvalues 1 ± √2
    const r = await eigh(a, n, { method: 'dc', linalg });
    const expect = Array.from({ length: n }, (_, i) => i % 5);
    expect[5] = 1 - Math.SQRT2;
    expect[7] = 1 + Math.SQRT2;
    expect.sort((x, y) => y - x);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r.values[i] - expect[i]) < 1e-13, `λ${i}`);
    const acc = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
    assert.ok(acc.residual <= 1e-12 && acc.orthogonality <= 1e-12, JSON.stringify(acc));
  });

  it('divide & conquer on hard tridiagonals (Wilkinson W⁺, glued blocks, 1-2-1)', async () => {
    const n = 301;
    const mk = (d: (i: number) => number, e: (i: number) => number): [Float64Array, Float64Array] => [
      Float64Array.from({ length: n }, (_, i) => d(i)),
      Float64Array.from({ length: n }, (_, i) => (i < n - 1 ? e(i) : 0)),
    ];
    for (const [d, e] of [
      mk((i) => Math.abs(i - (n - 1) / 2), () => 1),
      mk((i) => Math.abs((i % 21) - 10), (i) => (i % 21 === 20 ? 1e-12 : 1)),
      mk(() => 2, () => -1),
    ]) {
      const r = await tridiagEigDC(d, e, { linalg });
      let res = 0;
      let orth = 0;
      for (let j = 0; j < n; j++) {
        const z = r.zt.subarray(j * n, (j + 1) * n);
        for (let i = 0; i < n; i++) {
          const t = d[i] * z[i] + (i > 0 ? e[i - 1] * z[i - 1] : 0) + (i < n - 1 ? e[i] * z[i + 1] : 0) - r.values[j] * z[i];
          res = Math.max(res, Math.abs(t));
        }
        for (let k = 0; k <= j; k += 7) {
          let s = 0;
          for (let i = 0; i < n; i++) s += z[i] * r.zt[k * n + i];
          orth = Math.max(orth, Math.abs(s - (k === j ? 1 : 0)));
        }
        if (j > 0) assert.ok(r.values[j] >= r.values[j - 1]);
      }
      assert.ok(res < 1e-13 * 12 && orth < 1e-13, `res ${res} orth ${orth}`);
    }
  });

  it('rank-one update solver: eigenvalues interlace and vectors are orthonormal', () => {
    const d = Float64Array.from([0, 1e-9, 1, 1 + 1e-7, 2, 5]);
    const z = Float64Array.from([0.3, 0.1, 0.5, 0.2, 0.6, 0.4]);
    const { lambda, ut } = rankOneEig(d, z, 0.7);
    const k = d.length;
    for (let j = 0; j < k; j++) {
      assert.ok(lambda[j] > d[j] && (j === k - 1 || lambda[j] < d[j + 1]));
      for (let i = 0; i <= j; i++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += ut[j * k + t] * ut[i * k + t];
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-14);
      }
    }
  });

  it('stops with AbortError when cancelled, after reporting progress', async () => {
    const n = 300;
    const a = withSpectrum(randomOrthogonal(n, 3), Array.from({ length: n }, (_, i) => i), n);
    const ctl = new AbortController();
    const phases = new Set<string>();
    await assert.rejects(
      eigh(a, n, {
        method: 'dc',
        linalg,
        signal: ctl.signal,
        onProgress: (f, p) => {
          phases.add(p);
          assert.ok(f >= 0 && f <= 1);
          if (f > 0.3) ctl.abort();
        },
      }),
      AbortError,
    );
    assert.ok(phases.has('tridiagonalisation'));
  });
});
