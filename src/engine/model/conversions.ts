// Prediction-type conversions on a Gaussian path x_t = a·x0 + b·ε (science.md §1.2), elementwise, in place-safe.
// VE/EDM has a = 1, b = σ; VP has a = √ᾱ, b = √(1−ᾱ); VP ↔ VE: σ² = (1−ᾱ)/ᾱ, y = x_t/√ᾱ.

export type Prediction = 'x0' | 'eps' | 'v' | 'score';

/** Path coefficients at one noise level. */
export interface PathCoef {
  a: number;
  b: number;
}

/** VE/EDM path at noise level σ. */
export const vePath = (sigma: number): PathCoef => ({ a: 1, b: sigma });

/** VP path from ᾱ. */
export const vpPathFromAlphaBar = (alphaBar: number): PathCoef => ({ a: Math.sqrt(alphaBar), b: Math.sqrt(1 - alphaBar) });

/** ᾱ of the VP path with the same signal-to-noise ratio as VE noise level σ: ᾱ = 1/(1+σ²). */
export const alphaBarFromSigma = (sigma: number): number => 1 / (1 + sigma * sigma);

/** VE noise level with the same SNR as VP ᾱ: σ = √((1−ᾱ)/ᾱ). */
export const sigmaFromAlphaBar = (alphaBar: number): number => Math.sqrt((1 - alphaBar) / alphaBar);

/** x̂0 from a network output of the given prediction type, at state x_t on path (a, b). */
export function toX0(pred: Prediction, out: ArrayLike<number>, xt: ArrayLike<number>, p: PathCoef, dst: Float32Array | Float64Array): void {
  const { a, b } = p;
  const n = dst.length;
  switch (pred) {
    case 'x0':
      for (let i = 0; i < n; i++) dst[i] = out[i];
      return;
    case 'eps':
      for (let i = 0; i < n; i++) dst[i] = (xt[i] - b * out[i]) / a;
      return;
    case 'v': {
      const s = a * a + b * b;
      for (let i = 0; i < n; i++) dst[i] = (a * xt[i] - b * out[i]) / s;
      return;
    }
    case 'score':
      // s = (a x̂0 − x_t)/b²  ⇒  x̂0 = (x_t + b² s)/a
      for (let i = 0; i < n; i++) dst[i] = (xt[i] + b * b * out[i]) / a;
      return;
  }
}

/** The quantity of a prediction type, from x̂0 at state x_t on path (a, b) (inverse of toX0). */
export function fromX0(pred: Prediction, x0: ArrayLike<number>, xt: ArrayLike<number>, p: PathCoef, dst: Float32Array | Float64Array): void {
  const { a, b } = p;
  const n = dst.length;
  switch (pred) {
    case 'x0':
      for (let i = 0; i < n; i++) dst[i] = x0[i];
      return;
    case 'eps':
      for (let i = 0; i < n; i++) dst[i] = (xt[i] - a * x0[i]) / b;
      return;
    case 'v':
      // v = a ε − b x0 with ε = (x_t − a x0)/b
      for (let i = 0; i < n; i++) dst[i] = (a * (xt[i] - a * x0[i])) / b - b * x0[i];
      return;
    case 'score':
      for (let i = 0; i < n; i++) dst[i] = (a * x0[i] - xt[i]) / (b * b);
      return;
  }
}

/** Tweedie: VE score from the denoiser, s(x;σ) = (D − x)/σ². */
export function scoreFromDenoiser(d: ArrayLike<number>, x: ArrayLike<number>, sigma: number, dst: Float32Array | Float64Array): void {
  const inv = 1 / (sigma * sigma);
  for (let i = 0; i < dst.length; i++) dst[i] = (d[i] - x[i]) * inv;
}

/** EDMPrecond coefficients (Karras et al. 2022, Table 1): D = c_skip·x + c_out·F(c_in·x; c_noise). */
export function edmPrecond(sigma: number, sigmaData: number): { cSkip: number; cOut: number; cIn: number; cNoise: number } {
  const s2 = sigma * sigma + sigmaData * sigmaData;
  return {
    cSkip: (sigmaData * sigmaData) / s2,
    cOut: (sigma * sigmaData) / Math.sqrt(s2),
    cIn: 1 / Math.sqrt(s2),
    cNoise: Math.log(sigma) / 4,
  };
}
