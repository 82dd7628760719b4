// Folders and zips of PNG/JPEG images (EDM dataset_tool layout included): one shape for all, decoded per batch.
import * as fs from 'node:fs';
import type { Batch, Dataset, DatasetInfo, OpenOptions } from './dataset';
import { checkBatchSize, checkIndices, fileIdentity, mapLimit, shapeText } from './common';
import { decodeImageInto, ImageShape, sniffImage } from './image-decode';
import { ImageCollection, ImageEntry, listFolder, listZip, parseDatasetJson } from './image-list';
import { uint8Mapper } from './scale';
import { UserError, throwIfCancelled } from '../errors';

const PARALLEL = 8;

async function shapeOf(entry: ImageEntry, where: string): Promise<ImageShape> {
  for (const n of [64, 1 << 16]) {
    const s = sniffImage(await entry.head(n));
    if (s !== 'more') return s ?? notImage(entry, where);
  }
  const s = sniffImage(await entry.load());
  return s && s !== 'more' ? s : notImage(entry, where);
}

function notImage(entry: ImageEntry, where: string): never {
  throw new UserError(`${where}: ${entry.name} is not a PNG or JPEG I can read (bad or missing header)`);
}

const describe = (s: ImageShape) => shapeText(s.channels, s.height, s.width);

/** Throws, naming the first offenders, when images differ in size or channel count. */
function checkSameShape(entries: ImageEntry[], shapes: ImageShape[], where: string): void {
  const ref = shapes[0];
  const bad: number[] = [];
  for (let i = 1; i < shapes.length; i++) {
    const s = shapes[i];
    if (s.channels !== ref.channels || s.height !== ref.height || s.width !== ref.width) bad.push(i);
  }
  if (bad.length === 0) return;
  const first = bad.slice(0, 5).map((i) => `${entries[i].name} is ${describe(shapes[i])}`).join(', ');
  throw new UserError(`${where}: images differ in size or channels. Expected ${describe(ref)} (C×H×W, like ` +
    `${entries[0].name}), but ${first}` + (bad.length > 5 ? ` and ${bad.length - 5} more` : '') +
    ` (${bad.length} of ${entries.length} images differ). Convert them to one size and colour mode first ` +
    '(e.g. EDM dataset_tool.py --resolution=WxH).');
}

export class ImageDataset implements Dataset {
  private readonly lut: Float32Array;

  private constructor(readonly info: DatasetInfo, private readonly col: ImageCollection,
    private readonly shapes: ImageShape[], private readonly labelArray: Int32Array | undefined) {
    this.lut = uint8Mapper(info.scale).mapper.lut!;
  }

  static async open(target: string, opts: OpenOptions = {}): Promise<ImageDataset> {
    const isDir = (await fs.promises.stat(target)).isDirectory();
    const col = isDir ? await listFolder(target) : await listZip(target);
    try {
      return await ImageDataset.build(target, col, opts);
    } catch (e) {
      await col.close();
      throw e;
    }
  }

  private static async build(target: string, col: ImageCollection, opts: OpenOptions): Promise<ImageDataset> {
    if (col.entries.length === 0) throw new UserError(`${target} holds no PNG or JPEG images`);
    if (opts.layout && opts.layout !== 'auto') {
      throw new UserError(`${target}: the layout option applies to array files (.npy, .npz, safetensors), not to images`);
    }
    const shapes = await mapLimit(col.entries, 16, (e) => shapeOf(e, target));
    checkSameShape(col.entries, shapes, target);
    const names = col.entries.map((e) => e.name);
    const labels = col.datasetJson !== undefined ? parseDatasetJson(col.datasetJson, names, target) : undefined;
    const notes: string[] = [];
    const withAlpha = shapes.filter((s) => s.alpha).length;
    if (withAlpha) notes.push(`alpha channel dropped (${withAlpha} of ${shapes.length} images have one)`);
    if (shapes.some((s) => s.kind === 'png' && s.bitDepth === 16)) notes.push('16-bit PNGs reduced to 8 bits');
    if (shapes.some((s) => s.palette)) notes.push('palette PNGs expanded to RGB');
    const scale = opts.scale ?? 'minus1to1';
    const ref = shapes[0];
    const info: DatasetInfo = {
      path: target, format: col.kind, count: names.length, channels: ref.channels, height: ref.height, width: ref.width,
      sourceDtype: 'uint8', scale, valueRange: uint8Mapper(scale).range, valueRangeSource: 'dtype',
      hasLabels: labels !== undefined, notes: notes.length ? notes : undefined,
      identity: { files: await fileIdentity(col.identityPaths) },
    };
    return new ImageDataset(info, col, shapes, labels);
  }

  private get itemLength(): number {
    return this.info.channels * this.info.height * this.info.width;
  }

  private async load(indices: readonly number[], start: number): Promise<Batch> {
    const data = new Float32Array(indices.length * this.itemLength);
    await mapLimit(indices, PARALLEL, async (idx, k) => {
      const entry = this.col.entries[idx];
      decodeImageInto(await entry.load(), this.shapes[idx], `${this.info.path}: ${entry.name}`, this.lut, data, k * this.itemLength);
    });
    const labels = this.labelArray ? Int32Array.from(indices, (i) => this.labelArray![i]) : undefined;
    return { start, count: indices.length, data, labels };
  }

  async *batches(batchSize: number, signal?: AbortSignal): AsyncGenerator<Batch> {
    checkBatchSize(batchSize);
    throwIfCancelled(signal);
    const N = this.info.count;
    const range = (s: number) => Array.from({ length: Math.min(batchSize, N - s) }, (_, k) => s + k);
    let next: Promise<Batch> | undefined = this.load(range(0), 0);
    for (let s = 0; next; s += batchSize) {
      const batch: Batch = await next;
      throwIfCancelled(signal);
      next = s + batchSize < N ? this.load(range(s + batchSize), s + batchSize) : undefined;
      next?.catch(() => undefined); // surfaced when awaited; avoids an unhandled rejection if the caller stops early
      yield batch;
      throwIfCancelled(signal);
    }
  }

  async read(indices: number[]): Promise<Batch> {
    checkIndices(indices, this.info.count, this.info.path);
    return this.load(indices, indices[0] ?? 0);
  }

  async labels(): Promise<Int32Array | undefined> {
    return this.labelArray;
  }

  async close(): Promise<void> {
    await this.col.close();
  }
}
