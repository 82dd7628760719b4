// Orthonormal basis of the columns of a tall n×K float64 matrix: CholeskyQR2 through ORT GEMMs, with an
// eigen-based (SVQB) fallback that refills numerically dependent directions with random vectors.
import { normalStream } from '../random';
import { choleskyUpper, invUpper } from './dense';
import { OrtLinalg } from './ortexec';
import { eighTql2Transposed } from './tql2';


// R⁻¹ of the Cholesky factor of YᵀY (float64 Gram); null when cond(Y) ≳ 1/minRatio.
async function cholInv(linalg: OrtLinalg, y: Float64Array, n: number, k: number, minRatio: number): Promise<Float64Array | null> {
  const g = await linalg.gemmTN(y, n, k, y, k);
  const r = choleskyUpper(g, k);
  if (!r) return null;
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < k; i++) {
    lo = Math.min(lo, r[i * k + i]);
    hi = Math.max(hi, r[i * k + i]);
  }
  return lo > minRatio * hi ? invUpper(r, k) : null;
}

// One Cholesky-QR pass: Q = Y R⁻¹ with RᵀR = YᵀY; null when cond(Y) ≳ 1e7 (a second pass could not repair it).
async function cholQR(linalg: OrtLinalg, y: Float64Array, n: number, k: number): Promise<Float64Array | null> {
  const ri = await cholInv(linalg, y, n, k, 1e-7);
  return ri && linalg.matmul(y, n, k, ri, k);
}

/**
 * Float32 basis for the next power iteration: Gram and Cholesky in float64, Q = Y·R⁻¹ in float32 (‖QᵀQ − I‖ ≈
 * 1e-7·cond(Y), harmless between iterations); falls back to the float64 path when cond(Y) > 1e4.
 */
export async function orthonormalizeF32(linalg: OrtLinalg, y: Float32Array, n: number, k: number, rng = normalStream(7)): Promise<Float32Array> {
  const y64 = Float64Array.from(y);
  const ri = await cholInv(linalg, y64, n, k, 1e-4);
  if (ri) return linalg.matmul(y, n, k, Float32Array.from(ri), k);
  return Float32Array.from(await orthonormalize(linalg, y64, n, k, rng, 2));
}

/**
 * Returns Q (n×K, orthonormal columns spanning range(Y) as far as it is numerically full rank). `passes` = 2 is
 * CholeskyQR2 (orthogonal to ~1e-15); 1 pass leaves ‖QᵀQ − I‖ ≈ cond(Y)²·1e-16, enough between power iterations.
 */
export async function orthonormalize(
  linalg: OrtLinalg,
  y: Float64Array,
  n: number,
  k: number,
  rng = normalStream(7),
  passes = 2,
): Promise<Float64Array> {
  const q1 = await cholQR(linalg, y, n, k);
  const q2 = q1 && (passes > 1 ? await cholQR(linalg, q1, n, k) : q1);
  if (q2) return q2;
  return svqb(linalg, y, n, k, rng);
}

// Fallback: G = W S Wᵀ; Q_good = Y W_r S_r^{-1/2} for well-determined directions, the rest random and orthogonal to it.
async function svqb(linalg: OrtLinalg, y: Float64Array, n: number, k: number, rng: () => number): Promise<Float64Array> {
  const g = await linalg.gemmTN(y, n, k, y, k);
  const { values, vt } = eighTql2Transposed(g, k); // ascending; row j of vt = vector j
  const smax = Math.max(values[k - 1], 0);
  const keep: number[] = [];
  for (let j = k - 1; j >= 0; j--) if (values[j] > 1e-12 * smax && smax > 0) keep.push(j);
  const r = keep.length;
  const q = new Float64Array(n * k);
  if (r > 0) {
    const ws = new Float64Array(k * r);
    keep.forEach((j, c) => {
      const s = 1 / Math.sqrt(values[j]);
      for (let i = 0; i < k; i++) ws[i * r + c] = vt[j * k + i] * s;
    });
    let good = await linalg.matmul(y, n, k, ws, r);
    for (let pass = 0; pass < 2; pass++) {
      const again = await cholQR(linalg, good, n, r);
      if (again) good = again;
    }
    for (let i = 0; i < n; i++) q.set(good.subarray(i * r, (i + 1) * r), i * k);
  }
  if (r < k) {
    const m = k - r;
    let z: Float64Array = new Float64Array(n * m);
    for (let i = 0; i < z.length; i++) z[i] = rng();
    for (let pass = 0; pass < 2; pass++) {
      if (r > 0) {
        const good = new Float64Array(n * r);
        for (let i = 0; i < n; i++) good.set(q.subarray(i * k, i * k + r), i * r);
        const proj = await linalg.gemmTN(good, n, r, z, m);
        const back = await linalg.matmul(good, n, r, proj, m);
        for (let i = 0; i < z.length; i++) z[i] -= back[i];
      }
      z = (await cholQR(linalg, z, n, m)) ?? z;
    }
    for (let i = 0; i < n; i++) q.set(z.subarray(i * m, (i + 1) * m), i * k + r);
  }
  return q;
}
