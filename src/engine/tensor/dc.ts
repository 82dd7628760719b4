// Divide-and-conquer eigensolver for a symmetric tridiagonal matrix (Cuppen; LAPACK dstedc/dlaed-style deflation).
// Leaves use tql2; each merge solves a rank-one update with secular.ts and forms the vectors by one GEMM (ORT when large).
import { checkpoint, ProgressFn } from './control';
import { matmul64 } from './dense';
import { OrtLinalg } from './ortexec';
import { rankOneEig } from './secular';
import { tql2 } from './tql2';

const EPS = 2 ** -52;

/** Ascending eigenvalues and eigenvectors of a tridiagonal matrix; row j of `zt` (n×n) is the vector for values[j]. */
export interface TridiagEig {
  values: Float64Array;
  zt: Float64Array;
}

/** Options of the divide-and-conquer solver. */
export interface DcOptions {
  linalg: OrtLinalg;
  /** Subproblems up to this size go to tql2 (default 32). */
  leaf?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Eigen-decomposition of the tridiagonal matrix with diagonal d (n) and off-diagonal e (e[i] = T(i, i+1), n−1 used). */
export async function tridiagEigDC(d: Float64Array, e: Float64Array, opts: DcOptions): Promise<TridiagEig> {
  const n = d.length;
  const leaf = Math.max(2, opts.leaf ?? 32);
  const total = n * n * n;
  let done = 0;
  const solve = async (dv: Float64Array, ev: Float64Array): Promise<TridiagEig> => {
    const m = dv.length;
    if (m <= leaf) {
      const zt = new Float64Array(m * m);
      for (let i = 0; i < m; i++) zt[i * m + i] = 1;
      const ee = new Float64Array(m);
      ee.set(ev.subarray(0, m - 1));
      const values = Float64Array.from(dv);
      tql2(values, ee, zt, m);
      return { values, zt };
    }
    const mid = m >> 1;
    const beta = ev[mid - 1];
    const d1 = dv.slice(0, mid);
    const d2 = dv.slice(mid);
    d1[mid - 1] -= Math.abs(beta);
    d2[0] -= Math.abs(beta);
    const left = await solve(d1, ev.subarray(0, mid - 1));
    const right = await solve(d2, ev.subarray(mid));
    await checkpoint(opts.signal);
    const out = await merge(left, right, beta, opts.linalg);
    done += m * m * m;
    opts.onProgress?.(Math.min(1, (done / total) * 0.75), 'tridiagonal eigenvectors');
    return out;
  };
  return solve(Float64Array.from(d), e);
}

// Merges the two halves split at off-diagonal beta: T = diag(T1', T2') + |β|·w wᵀ, w = e_last ± e_first.
async function merge(left: TridiagEig, right: TridiagEig, beta: number, linalg: OrtLinalg): Promise<TridiagEig> {
  const n1 = left.values.length;
  const n2 = right.values.length;
  const n = n1 + n2;
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n1; i++) zt.set(left.zt.subarray(i * n1, (i + 1) * n1), i * n);
  for (let i = 0; i < n2; i++) zt.set(right.zt.subarray(i * n2, (i + 1) * n2), (n1 + i) * n + n1);
  const dv = new Float64Array(n);
  dv.set(left.values);
  dv.set(right.values, n1);
  const z = new Float64Array(n);
  const sg = beta >= 0 ? Math.SQRT1_2 : -Math.SQRT1_2;
  for (let i = 0; i < n1; i++) z[i] = left.zt[i * n1 + n1 - 1] * Math.SQRT1_2;
  for (let i = 0; i < n2; i++) z[n1 + i] = right.zt[i * n2] * sg;
  const rho = 2 * Math.abs(beta);
  // Row support: 1 = left block only, 2 = right block only, 3 = both (after a deflation rotation mixed them).
  const side = new Uint8Array(n);
  side.fill(1, 0, n1);
  side.fill(2, n1);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dv[a] - dv[b]);
  let dmax = 0;
  for (let i = 0; i < n; i++) dmax = Math.max(dmax, Math.abs(dv[i]));
  const tol = 8 * EPS * Math.max(dmax, rho);
  // Deflation: tiny z components, and pairs of nearly equal poles rotated so that one z component vanishes.
  const keep: number[] = [];
  const defl: number[] = [];
  let pj = -1;
  for (const nj of order) {
    if (rho * Math.abs(z[nj]) <= tol) {
      defl.push(nj);
      continue;
    }
    if (pj < 0) {
      pj = nj;
      continue;
    }
    let s = z[pj];
    let c = z[nj];
    const tau = Math.hypot(c, s);
    const t = dv[nj] - dv[pj];
    c /= tau;
    s = -s / tau;
    if (Math.abs(t * c * s) <= tol) {
      z[nj] = tau;
      z[pj] = 0;
      const a = pj * n;
      const b = nj * n;
      for (let k = 0; k < n; k++) {
        const x = zt[a + k];
        const y = zt[b + k];
        zt[a + k] = c * x + s * y;
        zt[b + k] = c * y - s * x;
      }
      const dp = dv[pj] * c * c + dv[nj] * s * s;
      dv[nj] = dv[pj] * s * s + dv[nj] * c * c;
      dv[pj] = dp;
      if (side[pj] !== side[nj]) side[pj] = side[nj] = 3;
      defl.push(pj);
    } else keep.push(pj);
    pj = nj;
  }
  if (pj >= 0) keep.push(pj);
  const K = keep.length;
  const values = new Float64Array(n);
  const out = new Float64Array(n * n);
  let newRows: Float64Array = new Float64Array(0);
  let lambda: Float64Array = new Float64Array(0);
  if (K > 0) {
    const eig = rankOneEig(Float64Array.from(keep, (i) => dv[i]), Float64Array.from(keep, (i) => z[i]), rho);
    lambda = eig.lambda;
    newRows = await combine(linalg, eig.ut, K, keep, side, zt, n1, n);
  }
  // Merge the K new pairs (ascending) with the deflated ones (sorted) into ascending order.
  defl.sort((a, b) => dv[a] - dv[b]);
  let a = 0;
  let b = 0;
  for (let r = 0; r < n; r++) {
    if (b >= defl.length || (a < K && lambda[a] <= dv[defl[b]])) {
      values[r] = lambda[a];
      out.set(newRows.subarray(a * n, (a + 1) * n), r * n);
      a++;
    } else {
      values[r] = dv[defl[b]];
      out.set(zt.subarray(defl[b] * n, (defl[b] + 1) * n), r * n);
      b++;
    }
  }
  return { values, zt: out };
}

// New rows Ut·G (K×n) where G = rows `keep` of zt, using the block structure: rows supported on one half only
// multiply that half, so the product costs about half of a dense K×K×n GEMM.
async function combine(linalg: OrtLinalg, ut: Float64Array, k: number, keep: number[], side: Uint8Array, zt: Float64Array, n1: number, n: number): Promise<Float64Array> {
  const out = new Float64Array(k * n);
  for (const [mask, c0, c1] of [[1, 0, n1], [2, n1, n]] as const) {
    const sel: number[] = [];
    for (let r = 0; r < k; r++) if (side[keep[r]] & mask) sel.push(r);
    const w = c1 - c0;
    const s = sel.length;
    if (s === 0 || w === 0) continue;
    const u = new Float64Array(k * s);
    for (let j = 0; j < k; j++) for (let t = 0; t < s; t++) u[j * s + t] = ut[j * k + sel[t]];
    const g = new Float64Array(s * w);
    for (let t = 0; t < s; t++) {
      const o = keep[sel[t]] * n;
      g.set(zt.subarray(o + c0, o + c1), t * w);
    }
    const part = await matmul64(linalg, u, k, s, g, w);
    for (let j = 0; j < k; j++) out.set(part.subarray(j * w, (j + 1) * w), j * n + c0);
  }
  return out;
}
