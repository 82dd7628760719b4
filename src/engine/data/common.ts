// Small helpers shared by the readers: argument checks, file identity, bounded parallel map.
import * as fs from 'node:fs';
import type { DatasetFile } from './dataset';
import { UserError } from '../errors';

export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UserError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
  }
}

export function checkIndices(indices: readonly number[], count: number, path: string): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new UserError(`${path}: index ${i} is out of range; the dataset has ${count} items (0…${count - 1})`);
    }
  }
}

export function checkCount(count: number, path: string): void {
  if (count === 0) throw new UserError(`${path} holds no images (its header says 0 items)`);
}

export async function fileIdentity(paths: readonly string[]): Promise<DatasetFile[]> {
  return mapLimit(paths, 32, async (path) => {
    const st = await fs.promises.stat(path);
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  });
}

/** Runs fn over items with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** "28×28" or "3×32×32": how an item's shape is written in messages. */
export function shapeText(channels: number, height: number, width: number): string {
  return channels === 1 ? `${height}×${width}` : `${channels}×${height}×${width}`;
}
