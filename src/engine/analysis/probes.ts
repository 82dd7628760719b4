// Probe points of the comparison protocols (science.md §4.2), one seeded stream per probe so batch size never matters.
import type { Protocol } from '../../protocol/compare';
import { deriveSeed, fillNormal, rngFromSeed } from '../random';
import { noisedRows } from '../score/delta';
import type { TrainingData } from './approximations';

/**
 * Probes shared by every σ of a run (common random numbers, as the fixed z of the authors' protocol B):
 * x(σ) = base + σ·noise, with base = a uniformly random training image per probe (protocol A) or absent (protocol B).
 */
export interface ProbeSet {
  protocol: Protocol;
  /** Number of probes. */
  n: number;
  /** Values per probe. */
  d: number;
  /** n×d training images (protocol A) or null (protocol B: x = σz). */
  base: Float32Array | null;
  /** n×d standard normals. */
  noise: Float32Array;
}

/** Draws the training images and noise of `n` probes (probe j always from its own stream derived from `seed`, j). */
export function drawProbes(protocol: Protocol, data: TrainingData, n: number, seed: number): ProbeSet {
  const d = data.shape[0] * data.shape[1] * data.shape[2];
  const base = protocol === 'A' ? new Float32Array(n * d) : null;
  const noise = new Float32Array(n * d);
  for (let j = 0; j < n; j++) {
    const rand = rngFromSeed(deriveSeed(seed, protocol === 'A' ? 1 : 2, j));
    if (base) {
      const i = Math.floor(rand() * data.count);
      base.set(data.images.subarray(i * d, (i + 1) * d), j * d);
    }
    fillNormal(rand, noise.subarray(j * d, (j + 1) * d));
  }
  return { protocol, n, d, base, noise };
}

/** Rows [start, start + count) of the probes at noise level σ, rounded to float32 exactly as every denoiser sees them. */
export function probesAt(set: ProbeSet, sigma: number, start = 0, count = set.n - start): Float32Array {
  return noisedRows(set.base, set.noise, sigma, set.d, start, count);
}
