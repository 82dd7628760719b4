// Full eigendecomposition at n ≥ 1024, where the tridiagonalisation fuses the panel corrections into the ORT symv and
// widens its panels: a matrix with a known spectrum (distinct, repeated, zero and negative eigenvalues).
import assert from 'node:assert/strict';
import { normalStream } from '../../../src/engine/random';
import { eigAccuracy } from '../../../src/engine/tensor/checks';
import { eigh } from '../../../src/engine/tensor/eigh';
import { OrtLinalg } from '../../../src/engine/tensor/ortexec';

// H·A·H for the reflector H = I − 2uuᵀ (‖u‖ = 1), in place: A − 2u(Au)ᵀ − 2(Au)uᵀ + 4(uᵀAu)uuᵀ.
function reflect(a: Float64Array, n: number, u: Float64Array): void {
  const au = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * u[j];
    au[i] = s;
  }
  let uau = 0;
  for (let i = 0; i < n; i++) uau += u[i] * au[i];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] += -2 * u[i] * au[j] - 2 * au[i] * u[j] + 4 * uau * u[i] * u[j];
}

describe('eigh at n ≥ 1024 (fused symv, wide panels)', function () {
  this.timeout(120000);
  const linalg = new OrtLinalg();
  after(() => linalg.release());

  it('n=1200: eigenvalues to 1e-12·‖C‖, residual and orthogonality ≤ 1e-10, with repeated, zero and negative eigenvalues', async () => {
    const n = 1200;
    const lam = Array.from({ length: n }, (_, i) => (i < 400 ? 1 + i / 400 : i < 700 ? 0.5 : i < 900 ? 0 : -(i - 899) / 300));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = lam[i];
    const rng = normalStream(11);
    for (let r = 0; r < 6; r++) {
      const u = Float64Array.from({ length: n }, () => rng());
      const norm = Math.hypot(...u);
      for (let i = 0; i < n; i++) u[i] /= norm;
      reflect(a, n, u);
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = (a[i * n + j] + a[j * n + i]) / 2;
    const fractions: number[] = [];
    const r = await eigh(a, n, { method: 'dc', linalg, onProgress: (f) => fractions.push(f) });
    const sorted = [...lam].sort((x, y) => y - x);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r.values[i] - sorted[i]) <= 1e-12 * 2, `λ${i}: ${r.values[i]} vs ${sorted[i]}`);
    const acc = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
    assert.ok(acc.residual <= 1e-10, `residual ${acc.residual}`);
    assert.ok(acc.orthogonality <= 1e-10, `orthogonality ${acc.orthogonality}`);
    assert.ok(fractions.length > 0 && fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), 'progress is monotone');
  });
});
