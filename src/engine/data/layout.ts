// Turns an array shape (N,H,W), (N,H,W,C) or (N,C,H,W) into count/channels/height/width and a storage order.
import type { OpenOptions } from './dataset';
import { UserError } from '../errors';

export interface ResolvedShape { count: number; channels: number; height: number; width: number; order: 'CHW' | 'HWC' }

const CHANNEL_COUNTS = new Set([1, 3, 4]);

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * 3-D → N×H×W with one channel. 4-D with layout 'auto': last dim in {1,3,4} and dim 1 not in {1,3,4} → NHWC,
 * otherwise NCHW. An explicit layout overrides the guess.
 */
export function resolveShape(shape: readonly number[], layout: OpenOptions['layout'], what: string): ResolvedShape {
  const want = layout ?? 'auto';
  if (shape.length === 3) {
    if (want !== 'auto' && want !== 'NHW') {
      throw new UserError(`${what}: layout '${want}' needs a 4-D array, but the shape is ${formatShape(shape)} ` +
        `(use layout 'NHW' or 'auto')`);
    }
    const [count, height, width] = shape;
    return { count, channels: 1, height, width, order: 'CHW' };
  }
  if (shape.length === 4) {
    if (want === 'NHW') {
      throw new UserError(`${what}: layout 'NHW' needs a 3-D array, but the shape is ${formatShape(shape)} ` +
        `(use 'NCHW', 'NHWC' or 'auto')`);
    }
    const nhwc = want === 'NHWC' || (want === 'auto' && CHANNEL_COUNTS.has(shape[3]) && !CHANNEL_COUNTS.has(shape[1]));
    const [count, a, b, c] = shape;
    return nhwc
      ? { count, channels: c, height: a, width: b, order: 'HWC' }
      : { count, channels: a, height: b, width: c, order: 'CHW' };
  }
  throw new UserError(`${what}: expected images as a 3-D (N,H,W) or 4-D (N,C,H,W)/(N,H,W,C) array, ` +
    `got shape ${formatShape(shape)}` + (shape.length === 2 ? '; reshape flattened images to (N,H,W) first' : ''));
}

/** True for shapes that look like a stack of images (3-D or 4-D). */
export function isImageShape(shape: readonly number[]): boolean {
  return shape.length === 3 || shape.length === 4;
}

/** Accepts (N,) or (N,1) label shapes of the right length. */
export function isLabelShape(shape: readonly number[], count: number): boolean {
  return (shape.length === 1 && shape[0] === count) || (shape.length === 2 && shape[0] === count && shape[1] === 1);
}
