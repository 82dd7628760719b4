// Full symmetric eigendecomposition in float64: the system's LAPACK dsyevd where present, else blocked
// tridiagonalisation + divide and conquer + WY back-transform (ORT GEMMs for the O(n³) parts), or plain-JS tred2+tql2.
// Values descending, vectors as columns.
import { checkpoint, RunControl, subProgress } from './control';
import { transpose } from './dense';
import { tridiagEigDC } from './dc';
import { defaultLinalg, OrtLinalg } from './ortexec';
import { applyQ } from './backtransform';
import { LapackSetting, lapackUnavailableReason, loadLapack } from './lapack';
import { tridiagonalize } from './tridiag';
import { eighTql2Transposed } from './tql2';

/** Eigenpairs: values descending; vectors n×n row-major with column j the unit eigenvector for values[j]. */
export interface EighResult {
  values: Float64Array;
  vectors: Float64Array;
  /** Seconds spent per phase. */
  timings: Record<string, number>;
  method: 'lapack' | 'dc' | 'tql2';
  /** Which solver ran, in words (the LAPACK library, or why the built-in one ran). */
  solver: string;
}

/** Options of eigh. */
export interface EighOptions extends RunControl {
  /**
   * 'auto' (default): the system LAPACK's dsyevd when `lapack` allows and one loads, else 'dc' for n > 64 and 'tql2'
   * below; 'dc': blocked Householder + divide and conquer through ORT; 'tql2': plain JS EISPACK.
   */
  method?: 'auto' | 'dc' | 'tql2';
  /** Which LAPACK 'auto' may use (default 'auto': the platform's usual libraries). */
  lapack?: LapackSetting;
  linalg?: OrtLinalg;
  /** Panel width of the tridiagonalisation (default n/32 clamped to 32…128). */
  nb?: number;
}

/** Throws when the first `len` entries contain NaN or ±Infinity. */
export function assertFinite(c: Float64Array, len: number, who: string): void {
  let s = 0;
  for (let i = 0; i < len; i++) s += c[i] * 0;
  if (s !== 0) throw new Error(`${who}: the matrix has NaN or infinite entries`);
}

/** Eigen-decomposition C = V Λ Vᵀ of a symmetric n×n float64 matrix (must be symmetric; only read, never modified). */
export async function eigh(c: Float64Array, n: number, opts: EighOptions = {}): Promise<EighResult> {
  if (c.length < n * n) throw new Error(`eigh: ${c.length} values for ${n}×${n}`);
  assertFinite(c, n * n, 'eigh');
  const auto = (opts.method ?? 'auto') === 'auto';
  const native = auto ? await loadLapack(opts.lapack) : null;
  const builtInMethod = opts.method === 'tql2' || (opts.method !== 'dc' && n <= 64) ? 'tql2' : 'dc';
  const builtIn = builtInMethod === 'dc' ? 'built-in Householder + divide & conquer (onnxruntime)' : 'built-in tred2 + tql2 (JS)';
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string): void => {
    const t = performance.now();
    timings[name] = (t - t0) / 1000;
    t0 = t;
  };
  let ascending: Ascending | undefined;
  let nativeFailure: string | undefined;
  if (native) {
    await checkpoint(opts.signal);
    opts.onProgress?.(0, 'LAPACK dsyevd');
    try {
      const r = await native.dsyevd(c, n);
      ascending = { values: r.values, z: transpose(r.vt, n, n) };
      lap('lapack dsyevd');
    } catch (e) {
      // A failure inside LAPACK (e.g. no convergence) is not the user's: the built-in solver takes over.
      nativeFailure = `${native.library} failed (${(e as Error).message}), so the built-in solver ran`;
    }
    await checkpoint(opts.signal);
  }
  ascending ??= await builtInEigh(c, n, builtInMethod, opts, lap);
  // Descending order: reverse values and columns.
  const { values: asc, z } = ascending;
  const values = new Float64Array(n);
  for (let j = 0; j < n; j++) values[j] = asc[n - 1 - j];
  for (let r = 0; r < n; r++) z.subarray(r * n, (r + 1) * n).reverse();
  opts.onProgress?.(1, 'done');
  const usedNative = native && !nativeFailure;
  const solver = usedNative ? `LAPACK dsyevd (${native.library})` : auto ? `${builtIn}; system LAPACK: ${nativeFailure ?? lapackUnavailableReason(opts.lapack)}` : builtIn;
  return { values, vectors: z, timings, method: usedNative ? 'lapack' : builtInMethod, solver };
}

/** Values ascending; z n×n with column j the eigenvector of values[j]. */
interface Ascending {
  values: Float64Array;
  z: Float64Array;
}

// The built-in solvers: plain-JS tred2 + tql2, or blocked Householder + divide & conquer + WY back-transform on ORT.
async function builtInEigh(c: Float64Array, n: number, method: 'dc' | 'tql2', opts: EighOptions, lap: (phase: string) => void): Promise<Ascending> {
  if (method === 'tql2') {
    await checkpoint(opts.signal);
    const r = eighTql2Transposed(c, n);
    lap('tred2+tql2');
    return { values: r.values, z: transpose(r.vt, n, n) };
  }
  const linalg = opts.linalg ?? defaultLinalg();
  const ctl = { linalg, nb: opts.nb, signal: opts.signal };
  const tri = await tridiagonalize(c, n, { ...ctl, onProgress: subProgress(opts.onProgress, 0, 0.6) });
  lap('tridiagonalise');
  const te = await tridiagEigDC(tri.d, tri.e, { ...ctl, onProgress: subProgress(opts.onProgress, 0.6, 0.2) });
  lap('divide&conquer');
  const z = transpose(te.zt, n, n);
  lap('transpose');
  await applyQ(tri, z, n, { ...ctl, onProgress: subProgress(opts.onProgress, 0.8, 0.2) });
  lap('back-transform');
  return { values: te.values, z };
}
