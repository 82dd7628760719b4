// Top-k eigenpairs by randomized subspace iteration against the full decomposition.
import assert from 'node:assert/strict';
import { AbortError } from '../../../src/engine/tensor/control';
import { eigh } from '../../../src/engine/tensor/eigh';
import { OrtLinalg } from '../../../src/engine/tensor/ortexec';
import { topkEig } from '../../../src/engine/tensor/topk';
import { randomOrthogonal, withSpectrum } from './helpers';

describe('top-k eigenpairs (subspace iteration)', function () {
  this.timeout(60000);
  const linalg = new OrtLinalg({ threads: 1 });
  after(() => linalg.release());
  const n = 360;
  const k = 40;
  // Decaying spectrum: exponential head, slowly decaying tail.
  const lam = Array.from({ length: n }, (_, i) => 5 * Math.exp(-i / 12) + 0.02 * Math.exp(-i / 200));
  const a = withSpectrum(randomOrthogonal(n, 21), lam, n);

  it('eigenvalues within 1e-4 (relative) of the full fit; vectors match; tail is the isotropic remainder', async () => {
    const full = await eigh(a, n, { linalg });
    const top = await topkEig(a, n, k, { linalg });
    assert.equal(top.values.length, k);
    assert.equal(top.vectors.length, n * k);
    for (let j = 0; j < k; j++) {
      assert.ok(Math.abs(top.values[j] - full.values[j]) <= 1e-4 * full.values[j], `λ${j}: ${top.values[j]} vs ${full.values[j]}`);
      let dot = 0;
      for (let i = 0; i < n; i++) dot += top.vectors[i * k + j] * full.vectors[i * n + j];
      assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-3, `vector ${j}: |cos| = ${Math.abs(dot)}`);
    }
    let tr = 0;
    let head = 0;
    for (let i = 0; i < n; i++) tr += lam[i];
    for (let j = 0; j < k; j++) head += top.values[j];
    assert.ok(Math.abs(top.trace - tr) < 1e-10 * tr);
    assert.ok(Math.abs(top.tail - (tr - head) / (n - k)) < 1e-12);
    assert.ok(top.maxResidual < 1e-4, `max residual ${top.maxResidual}`);
    assert.equal(top.residuals.length, k);
  });

  it('copes with a rank smaller than the block size (zero eigenvalues)', async () => {
    const m = 120;
    const l2 = Array.from({ length: m }, (_, i) => (i < 20 ? 20 - i : 0));
    const b = withSpectrum(randomOrthogonal(m, 4), l2, m);
    const top = await topkEig(b, m, 24, { linalg, iterations: 4 });
    for (let j = 0; j < 20; j++) assert.ok(Math.abs(top.values[j] - (20 - j)) < 1e-9 * 20, `λ${j} ${top.values[j]}`);
    for (let j = 20; j < 24; j++) assert.ok(Math.abs(top.values[j]) < 1e-9);
    // The float32 products C·Q limit the subspace (hence the residuals) to ~1e-7; eigenvalue errors are its square.
    assert.ok(top.maxResidual < 1e-6, `max residual ${top.maxResidual}`);
  });

  it('stops with AbortError when cancelled', async () => {
    const ctl = new AbortController();
    await assert.rejects(
      topkEig(a, n, k, { linalg, signal: ctl.signal, onProgress: (f) => f > 0.2 && ctl.abort() }),
      AbortError,
    );
  });
});
