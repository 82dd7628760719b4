// One Gaussian N(μ, UΛUᵀ + λ_tail·P⊥) evaluated under noise σ: its Wiener-filter denoiser and its log-density.
import { OrtLinalg } from '../tensor/ortexec';

/** A Gaussian with r explicit eigenpairs and an isotropic remainder λ_tail on the other D − r directions. */
export interface GaussianComponent {
  /** D values (float64). */
  mean: Float64Array;
  /** Eigenvectors as columns: D×r row-major (float32, for the GEMMs). */
  u: Float32Array;
  /** The same, transposed: r×D row-major. */
  ut: Float32Array;
  /** r eigenvalues, descending. */
  lambda: Float64Array;
  /** Variance of every direction orthogonal to U (0 = they carry no data variance; science.md §2.1). */
  tail: number;
}

/** Builds a component from float64 eigenpairs (eigvec D×r row-major, columns = eigenvectors). */
export function makeComponent(mean: Float64Array, eigvec: Float64Array, lambda: Float64Array, tail = 0): GaussianComponent {
  const d = mean.length;
  const r = lambda.length;
  if (eigvec.length !== d * r) throw new Error(`component: eigvec has ${eigvec.length} values, expected ${d}×${r}`);
  const u = Float32Array.from(eigvec);
  const ut = new Float32Array(r * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < r; k++) ut[k * d + i] = eigvec[i * r + k];
  return { mean, u, ut, lambda: Float64Array.from(lambda, (v) => Math.max(v, 0)), tail: Math.max(tail, 0) };
}

export interface ComponentEval {
  /** D(x; σ) of this component for each of the B inputs (B×D). */
  denoised: Float32Array;
  /** log N(x; μ, Σ + σ²I) up to the shared −(D/2) ln 2π, for each input (B). */
  logDensity: Float64Array;
}

/**
 * Gaussian denoiser and log-density under noise σ (science.md §2.1, §3.1):
 *   D(x) = μ + U diag(λ/(λ+σ²)) Uᵀ(x−μ) + g_t·P⊥(x−μ),  g_t = λ_t/(λ_t+σ²)
 *   log p = −½[Σ ln(λ+σ²) + (D−r) ln(λ_t+σ²)] − ½[Σ c²/(λ+σ²) + (‖x−μ‖² − Σ c²)/(λ_t+σ²)],  c = Uᵀ(x−μ)
 */
export async function evalComponent(linalg: OrtLinalg, comp: GaussianComponent, x: Float32Array, b: number, sigma: number, wantDensity: boolean): Promise<ComponentEval> {
  const d = comp.mean.length;
  const r = comp.lambda.length;
  const s2 = sigma * sigma;
  const xc = new Float32Array(b * d);
  const norm2 = new Float64Array(b);
  for (let n = 0; n < b; n++) {
    let acc = 0;
    for (let i = 0; i < d; i++) {
      const v = x[n * d + i] - comp.mean[i];
      xc[n * d + i] = v;
      acc += v * v;
    }
    norm2[n] = acc;
  }
  const gTail = comp.tail / (comp.tail + s2);
  const denoised = new Float32Array(b * d);
  const logDensity = new Float64Array(b);
  let proj = new Float64Array(b); // Σ c² per input
  let mahal = new Float64Array(b); // Σ c²/(λ+σ²) per input
  if (r > 0) {
    const c = await linalg.matmul(xc, b, d, comp.u, r);
    const cScaled = new Float32Array(b * r);
    proj = new Float64Array(b);
    mahal = new Float64Array(b);
    for (let n = 0; n < b; n++) {
      for (let k = 0; k < r; k++) {
        const ck = c[n * r + k];
        const lam = comp.lambda[k];
        cScaled[n * r + k] = ck * (lam / (lam + s2) - gTail);
        proj[n] += ck * ck;
        mahal[n] += (ck * ck) / (lam + s2);
      }
    }
    const back = await linalg.matmul(cScaled, b, r, comp.ut, d);
    for (let n = 0; n < b; n++) for (let i = 0; i < d; i++) denoised[n * d + i] = comp.mean[i] + gTail * xc[n * d + i] + back[n * d + i];
  } else {
    for (let n = 0; n < b; n++) for (let i = 0; i < d; i++) denoised[n * d + i] = comp.mean[i] + gTail * xc[n * d + i];
  }
  if (wantDensity) {
    let logDet = (d - r) * Math.log(comp.tail + s2);
    for (let k = 0; k < r; k++) logDet += Math.log(comp.lambda[k] + s2);
    for (let n = 0; n < b; n++) {
      const rest = Math.max(norm2[n] - proj[n], 0) / (comp.tail + s2);
      logDensity[n] = -0.5 * (logDet + mahal[n] + rest);
    }
  }
  return { denoised, logDensity };
}
