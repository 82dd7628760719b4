// Small dense float64 helpers in plain JS (row-major): products, transpose, Cholesky, triangular inverse, norms.
import { OrtLinalg } from './ortexec';

/** C[m×n] = A[m×k]·B[k×n] in plain JS (i-k-j order, contiguous inner loop). */
export function matmulJS(a: Float64Array, m: number, k: number, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
    }
  }
  return c;
}

/** C = A·B through ORT when the product is large enough to beat the call overhead, else in JS. */
export async function matmul64(
  linalg: OrtLinalg,
  a: Float64Array,
  m: number,
  k: number,
  b: Float64Array,
  n: number,
): Promise<Float64Array> {
  if (m * k * n < 1 << 18) return matmulJS(a, m, k, b, n);
  return linalg.matmul(a.length === m * k ? a : a.subarray(0, m * k), m, k, b.length === k * n ? b : b.subarray(0, k * n), n);
}

/** Bᵀ (n×m) of A (m×n), cache-blocked. */
export function transpose(a: Float64Array, m: number, n: number, out = new Float64Array(m * n)): Float64Array {
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = Math.min(m, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * m + i] = a[i * n + j];
    }
  }
  return out;
}

/**
 * Cholesky G = RᵀR of a symmetric positive definite n×n matrix; returns upper-triangular R (row-major), or null when
 * a pivot is not positive.
 */
export function choleskyUpper(g: Float64Array, n: number): Float64Array | null {
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    // Row i of R: r_ii = sqrt(g_ii − Σ_{p<i} r_pi²), r_ij = (g_ij − Σ_p r_pi r_pj)/r_ii.
    const row = i * n;
    for (let j = i; j < n; j++) r[row + j] = g[row + j];
    for (let p = 0; p < i; p++) {
      const rp = p * n;
      const rpi = r[rp + i];
      if (rpi === 0) continue;
      for (let j = i; j < n; j++) r[row + j] -= rpi * r[rp + j];
    }
    const piv = r[row + i];
    if (!(piv > 0)) return null;
    const s = Math.sqrt(piv);
    const inv = 1 / s;
    r[row + i] = s;
    for (let j = i + 1; j < n; j++) r[row + j] *= inv;
  }
  return r;
}

/** Inverse of an upper-triangular n×n matrix (row-major), also upper triangular. */
export function invUpper(r: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  // Column by column from the bottom: solve R·x_j = e_j; build row-wise via back substitution on rows.
  for (let i = n - 1; i >= 0; i--) {
    const row = i * n;
    const inv = 1 / r[row + i];
    x[row + i] = inv;
    // x[i, j] = −(Σ_{p=i+1..j} r[i,p] x[p,j]) / r[i,i] for j > i.
    for (let p = i + 1; p < n; p++) {
      const rip = r[row + p];
      if (rip === 0) continue;
      const xp = p * n;
      for (let j = p; j < n; j++) x[row + j] -= rip * x[xp + j];
    }
    for (let j = i + 1; j < n; j++) x[row + j] *= inv;
  }
  return x;
}

/** Frobenius norm of the first `len` entries. */
export function frobenius(a: ArrayLike<number>, len = a.length): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}
