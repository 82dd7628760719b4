// Analytical denoisers built from Gaussians: the dataset Gaussian, mixtures (k-means, per class), isotropic baselines.
import type { Denoiser } from '../model/denoiser';
import { OrtLinalg, defaultLinalg } from '../tensor/ortexec';
import { GaussianComponent, evalComponent } from './component';

/** Gaussian-mixture score model, 2412.09726 §3 (science.md §3.1); K = 1 is the single Gaussian of science.md §2.1. */
export class MixtureDenoiser implements Denoiser {
  private readonly logWeights: Float64Array;

  constructor(
    readonly imageShape: [number, number, number],
    readonly components: GaussianComponent[],
    weights: ArrayLike<number> = new Array(components.length).fill(1 / components.length),
    private readonly linalg: OrtLinalg = defaultLinalg(),
  ) {
    if (!components.length) throw new Error('a mixture needs at least one component');
    const total = Array.from(weights).reduce((a, b) => a + b, 0);
    this.logWeights = Float64Array.from(weights, (w) => Math.log(w / total));
  }

  effectiveSigma(sigma: number): number {
    return sigma;
  }

  // D(x) = Σ_j w_j(x) D_j(x), with posterior weights w = softmax_j(ln π_j + log N(x; μ_j, Σ_j + σ²I)).
  async denoise(x: Float32Array, n: number, sigma: number): Promise<Float32Array> {
    const k = this.components.length;
    if (k === 1) return (await evalComponent(this.linalg, this.components[0], x, n, sigma, false)).denoised;
    const evals = [];
    for (const c of this.components) evals.push(await evalComponent(this.linalg, c, x, n, sigma, true));
    const d = x.length / n;
    const out = new Float32Array(x.length);
    const w = new Float64Array(k);
    for (let b = 0; b < n; b++) {
      let max = -Infinity;
      for (let j = 0; j < k; j++) {
        w[j] = this.logWeights[j] + evals[j].logDensity[b];
        if (w[j] > max) max = w[j];
      }
      let z = 0;
      for (let j = 0; j < k; j++) z += w[j] = Math.exp(w[j] - max);
      for (let j = 0; j < k; j++) {
        const wj = w[j] / z;
        if (wj < 1e-300) continue;
        const dj = evals[j].denoised;
        for (let i = b * d; i < (b + 1) * d; i++) out[i] += wj * dj[i];
      }
    }
    return out;
  }

  async dispose(): Promise<void> {
    // sessions belong to the shared linalg executor
  }
}

/** "Mean isotropic" baseline: D = μ (the score −(x−μ)/σ²), science.md §2.1. */
export function meanIsotropic(imageShape: [number, number, number], mean: Float64Array, linalg?: OrtLinalg): MixtureDenoiser {
  return isotropic(imageShape, mean, 0, linalg);
}

/** "Mean + std isotropic" baseline: Σ = σ̄²I with σ̄² = tr(Σ)/D, science.md §2.1. */
export function meanStdIsotropic(imageShape: [number, number, number], mean: Float64Array, traceCov: number, linalg?: OrtLinalg): MixtureDenoiser {
  return isotropic(imageShape, mean, traceCov / mean.length, linalg);
}

function isotropic(imageShape: [number, number, number], mean: Float64Array, variance: number, linalg?: OrtLinalg): MixtureDenoiser {
  const c: GaussianComponent = { mean, u: new Float32Array(0), ut: new Float32Array(0), lambda: new Float64Array(0), tail: variance };
  return new MixtureDenoiser(imageShape, [c], [1], linalg);
}
