// Test helpers for the tensor suite: seeded random numbers, random orthogonal matrices, matrices with known spectra.
import { normalStream } from '../../../src/engine/random';

/** Random n×n orthogonal matrix (row-major): modified Gram–Schmidt (twice) on a Gaussian matrix's columns. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const rng = normalStream(seed);
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of cols) {
        let s = 0;
        for (let i = 0; i < n; i++) s += u[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= s * u[i];
      }
    }
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < n; i++) v[i] /= nrm;
    cols.push(v);
  }
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) q[i * n + j] = cols[j][i];
  return q;
}

/** C = Q diag(λ) Qᵀ (exactly symmetric). */
export function withSpectrum(q: Float64Array, lambda: ArrayLike<number>, n: number): Float64Array {
  const c = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) row[k] = q[i * n + k] * lambda[k];
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += row[k] * q[j * n + k];
      c[i * n + j] = s;
      c[j * n + i] = s;
    }
  }
  return c;
}

/** Uniform random float32 rows (rows×d) with per-column offsets, to make centring matter. */
export function randomRows(rows: number, d: number, seed: number, offset = 3): Float32Array {
  const rng = normalStream(seed);
  const x = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) x[r * d + j] = offset * (1 + (j % 5)) + rng() * (1 + (j % 3));
  return x;
}

/** Float64 two-pass mean and covariance (divisor n − ddof). */
export function twoPass(x: Float32Array, rows: number, d: number, ddof = 0): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) mean[j] += x[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= rows;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) c[j] = x[r * d + j] - mean[j];
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) cov[i * d + j] += c[i] * c[j];
  }
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      cov[i * d + j] /= rows - ddof;
      cov[j * d + i] = cov[i * d + j];
    }
  return { mean, cov };
}

/** max_i |a_i − b_i| / scale. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, scale: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}
