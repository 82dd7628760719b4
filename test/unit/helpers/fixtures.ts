// Test access to the ONNX fixtures and their truth files (test/fixtures/models/README.md says how each was made).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fillNormal, rngFromSeed } from '../../../src/engine/random';

export const MODELS = path.resolve(__dirname, '../../../../test/fixtures/models');

export const modelPath = (name: string): string => path.join(MODELS, name);

export interface GaussTruth {
  shape: number[];
  mean: number[];
  eigval: number[];
  /** Row-major D×D, eigenvectors as columns. */
  eigvec: number[][];
  train?: number[][];
  alphas_cumprod?: number[];
  tests: Record<string, unknown>[];
}

export function truth(name: string): GaussTruth {
  return JSON.parse(fs.readFileSync(modelPath(`${name}.truth.json`), 'utf8')) as GaussTruth;
}

/** Closed-form Gaussian denoiser in float64: μ + U diag(λ/(λ+σ²)) Uᵀ(y−μ) (science.md §2.1), one image. */
export function gaussDenoise(t: GaussTruth, y: ArrayLike<number>, sigma: number): Float64Array {
  const d = t.mean.length;
  const out = Float64Array.from(t.mean);
  for (let k = 0; k < t.eigval.length; k++) {
    let c = 0;
    for (let i = 0; i < d; i++) c += t.eigvec[i][k] * (y[i] - t.mean[i]);
    const g = (t.eigval[k] / (t.eigval[k] + sigma * sigma)) * c;
    for (let i = 0; i < d; i++) out[i] += g * t.eigvec[i][k];
  }
  return out;
}

/** Exact delta-mixture denoiser in float64: Σ softmax(−‖y−x_i‖²/2σ²) x_i (science.md §3.2), one image. */
export function deltaDenoise(train: number[][], y: ArrayLike<number>, sigma: number): Float64Array {
  const logits = train.map((x) => -x.reduce((s, v, i) => s + (y[i] - v) ** 2, 0) / (2 * sigma * sigma));
  const m = Math.max(...logits);
  const w = logits.map((l) => Math.exp(l - m));
  const z = w.reduce((a, b) => a + b, 0);
  const out = new Float64Array(train[0].length);
  train.forEach((x, j) => x.forEach((v, i) => (out[i] += (w[j] / z) * v)));
  return out;
}

/** Deterministic pseudo-random numbers and normals for tests (the engine's own seeded generator). */
export function rng(seed: number): { uniform(): number; normal(): number } {
  const uniform = rngFromSeed(seed);
  const pair = new Float64Array(1);
  return { uniform, normal: () => (fillNormal(uniform, pair), pair[0]) };
}

export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
}
