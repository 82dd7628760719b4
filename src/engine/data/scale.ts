// Value mapping from stored numbers to the model scale (uint8 lookup table, float affine map).
import type { ValueScale } from './dataset';
import { UserError } from '../errors';

/** y = lut[x] for uint8 data, y = x / div + add for float data. */
export interface Mapper { lut?: Float32Array; div: number; add: number }

export const IDENTITY: Mapper = { div: 1, add: 0 };

/** uint8 mapping: 'minus1to1' is x/127.5−1 (EDM), 'zero1' is x/255, 'raw' keeps 0…255. */
export function uint8Mapper(scale: ValueScale): { mapper: Mapper; range: [number, number] } {
  const lut = new Float32Array(256);
  for (let x = 0; x < 256; x++) {
    lut[x] = scale === 'minus1to1' ? x / 127.5 - 1 : scale === 'zero1' ? x / 255 : x;
  }
  const range: [number, number] = scale === 'minus1to1' ? [-1, 1] : scale === 'zero1' ? [0, 1] : [0, 255];
  return { mapper: { lut, div: 1, add: 0 }, range };
}

/** The uint8 mapping as y = a·x + b (what uint8Mapper tabulates), for exact statistics kept in pixel units. */
export function uint8Affine(scale: ValueScale): { a: number; b: number } {
  return scale === 'minus1to1' ? { a: 1 / 127.5, b: -1 } : scale === 'zero1' ? { a: 1 / 255, b: 0 } : { a: 1, b: 0 };
}

type Domain = 'zero1' | 'minus1to1' | 'zero255';

/** The nominal interval float data lives in, judged from its observed range. */
function floatDomain(min: number, max: number): Domain | undefined {
  if (min >= 0 && max <= 1) return 'zero1';
  if (min >= -1 && max <= 1) return 'minus1to1';
  if (min >= 0 && max <= 255) return 'zero255';
  return undefined;
}

/**
 * Float mapping. 'raw' keeps values; 'zero1'/'minus1to1' first recognise whether the data is in [0,1], [−1,1]
 * or [0,255] (from its observed range) and map that interval onto the one asked for.
 */
export function floatMapper(scale: ValueScale, observed: [number, number], path: string):
  { mapper: Mapper; range: [number, number] } {
  if (scale === 'raw') return { mapper: IDENTITY, range: observed };
  const [min, max] = observed;
  const domain = floatDomain(min, max);
  if (!domain) {
    throw new UserError(`${path}: cannot map float data with values in [${min}, ${max}] to scale '${scale}': ` +
      `it is not in [0,1], [-1,1] or [0,255]. Open it with scale 'raw', or rescale the data first.`);
  }
  const to = scale === 'zero1' ? 'zero1' : 'minus1to1';
  const maps: Record<Domain, Record<'zero1' | 'minus1to1', Mapper>> = {
    zero1: { zero1: IDENTITY, minus1to1: { div: 0.5, add: -1 } },
    minus1to1: { zero1: { div: 2, add: 0.5 }, minus1to1: IDENTITY },
    zero255: { zero1: { div: 255, add: 0 }, minus1to1: { div: 127.5, add: -1 } },
  };
  const range: [number, number] = to === 'zero1' ? [0, 1] : [-1, 1];
  return { mapper: maps[domain][to], range };
}

/** Running min/max over mapped or raw values (NaN ignored). */
export class RangeAccumulator {
  min = Infinity;
  max = -Infinity;
  add(values: Float32Array): void {
    let lo = this.min, hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo; this.max = hi;
  }
  get range(): [number, number] { return this.min <= this.max ? [this.min, this.max] : [0, 0]; }
}
