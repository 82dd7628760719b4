// Top-k eigenpairs of a symmetric matrix by randomized subspace iteration (C·Q in float32 through ORT, CholeskyQR2 and
// Rayleigh–Ritz in float64), plus the isotropic remainder λ_tail = (tr C − Σλ_k)/(D − k) (science.md §2.1, performance.md §2b).
import { checkpoint, RunControl } from './control';
import { assertFinite, eigh } from './eigh';
import { defaultLinalg, OrtLinalg } from './ortexec';
import { normalStream } from '../random';
import { orthonormalize, orthonormalizeF32 } from './orthonormalize';

/** Options of topkEig. */
export interface TopkOptions extends RunControl {
  linalg?: OrtLinalg;
  /** Extra basis vectors beyond k (default max(16, ⌈k/4⌉)). */
  oversample?: number;
  /** Power (subspace) iterations (default 12). */
  iterations?: number;
  /** Precision of the final C·Q used for Rayleigh–Ritz (default 'float64': Ritz values accurate beyond float32). */
  finalPrecision?: 'float32' | 'float64';
  seed?: number;
}

/** Top-k eigenpairs (descending; vectors n×k row-major, column j for values[j]) and the convergence report. */
export interface TopkResult {
  values: Float64Array;
  vectors: Float64Array;
  /** (tr C − Σ values)/(n − k), clamped at 0; 0 when k = n. */
  tail: number;
  trace: number;
  /** ‖C v_j − λ_j v_j‖ / λ_1 per pair, and its maximum. */
  residuals: Float64Array;
  maxResidual: number;
  iterations: number;
  blockSize: number;
  timings: Record<string, number>;
}

/** Top-k eigenpairs of the symmetric n×n float64 matrix c (row-major, not modified). */
export async function topkEig(c: Float64Array, n: number, k: number, opts: TopkOptions = {}): Promise<TopkResult> {
  if (!(k >= 1 && k <= n)) throw new Error(`topkEig: k=${k} outside 1..${n}`);
  assertFinite(c, n * n, 'topkEig');
  const linalg = opts.linalg ?? defaultLinalg();
  const bs = Math.min(n, k + (opts.oversample ?? Math.max(16, Math.ceil(k / 4))));
  const its = opts.iterations ?? 12;
  const timings: Record<string, number> = { product: 0, orthonormalize: 0, rayleighRitz: 0 };
  const tick = (name: string, t: number): void => void (timings[name] += (performance.now() - t) / 1000);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += c[i * n + i];
  const c32 = Float32Array.from(c.subarray(0, n * n));
  const rng = normalStream(opts.seed ?? 12345);
  // Intermediate bases in float32 (they only feed the float32 products); the last one float64 CholeskyQR2.
  let q32: Float32Array = new Float32Array(n * bs);
  for (let i = 0; i < q32.length; i++) q32[i] = rng();
  let q: Float64Array = new Float64Array(0);
  const total = its + 2;
  if (its < 1) throw new Error('topkEig: at least one iteration is needed');
  for (let it = 0; it < its; it++) {
    await checkpoint(opts.signal);
    let t = performance.now();
    const y = await linalg.matmul(c32, n, n, q32, bs);
    tick('product', t);
    t = performance.now();
    if (it < its - 1) q32 = await orthonormalizeF32(linalg, y, n, bs, rng);
    else q = await orthonormalize(linalg, Float64Array.from(y), n, bs, rng, 2);
    tick('orthonormalize', t);
    opts.onProgress?.((it + 1) / total, 'subspace iteration');
  }
  await checkpoint(opts.signal);
  // Rayleigh–Ritz: H = Qᵀ C Q, H = W Θ Wᵀ, V = Q W, C V = (C Q) W.
  let t = performance.now();
  const cq =
    (opts.finalPrecision ?? 'float64') === 'float64'
      ? await linalg.matmul(c.subarray(0, n * n), n, n, q, bs)
      : Float64Array.from(await linalg.matmul(c32, n, n, Float32Array.from(q), bs));
  tick('product', t);
  opts.onProgress?.((its + 1) / total, 'Rayleigh–Ritz');
  t = performance.now();
  const h = await linalg.gemmTN(q, n, bs, cq, bs);
  for (let i = 0; i < bs; i++)
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (h[i * bs + j] + h[j * bs + i]);
      h[i * bs + j] = s;
      h[j * bs + i] = s;
    }
  const small = await eigh(h, bs, { linalg, signal: opts.signal });
  const wk = new Float64Array(bs * k);
  for (let i = 0; i < bs; i++) wk.set(small.vectors.subarray(i * bs, i * bs + k), i * k);
  const vectors = await linalg.matmul(q, n, bs, wk, k);
  const cv = await linalg.matmul(cq, n, bs, wk, k);
  const values = small.values.slice(0, k);
  const res2 = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const x = cv[o + j] - values[j] * vectors[o + j];
      res2[j] += x * x;
    }
  }
  const scale = Math.abs(values[0]) || 1;
  const residuals = res2.map((x) => Math.sqrt(x) / scale);
  tick('rayleighRitz', t);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += values[j];
  const tail = k < n ? Math.max(0, (trace - sum) / (n - k)) : 0;
  opts.onProgress?.(1, 'done');
  return { values, vectors, tail, trace, residuals, maxResidual: residuals.reduce((a, b) => Math.max(a, b), 0), iterations: its, blockSize: bs, timings };
}
