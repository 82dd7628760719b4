// Probe points of the comparison protocols (science.md §4.2), one seeded stream per probe so batch size never matters.
import type { Protocol } from '../../protocol/compare';
import { deriveSeed, fillNormal, rngFromSeed } from '../random';
import type { TrainingData } from './approximations';

/** Protocol A: x = x_i + σz with x_i a uniformly random training image; Protocol B: x = σz. */
export function makeProbes(protocol: Protocol, data: TrainingData, n: number, sigma: number, seed: number, sigmaIndex: number): Float32Array {
  const d = data.shape[0] * data.shape[1] * data.shape[2];
  const x = new Float32Array(n * d);
  const z = new Float32Array(d);
  for (let j = 0; j < n; j++) {
    const rand = rngFromSeed(deriveSeed(seed, protocol === 'A' ? 1 : 2, sigmaIndex, j));
    const row = x.subarray(j * d, (j + 1) * d);
    if (protocol === 'A') {
      const i = Math.floor(rand() * data.count);
      row.set(data.images.subarray(i * d, (i + 1) * d));
    }
    fillNormal(rand, z);
    for (let i = 0; i < d; i++) row[i] += sigma * z[i];
  }
  return x;
}
