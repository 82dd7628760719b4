// A Dataset over fixed-size records in one or more byte sources (IDX, .npy, .npz, CIFAR-10, safetensors).
import type { Batch, Dataset, DatasetInfo, PixelBatch, ValueScale } from './dataset';
import { ByteSource, ShortReadError } from './bytesource';
import { checkBatchSize, checkIndices } from './common';
import { copyPixels, decodeItems, ItemSpec, itemBytes } from './decode';
import { floatMapper, IDENTITY, Mapper, RangeAccumulator, uint8Mapper } from './scale';
import { UserError, throwIfCancelled } from '../errors';

/** `count` records of `stride` bytes from `dataOffset` on; the item sits at `itemOffset` inside its record. */
export interface Segment {
  source: ByteSource;
  count: number;
  dataOffset: number;
  stride: number;
  itemOffset: number;
  /** A uint8 class label inside each record (CIFAR-10). */
  labelOffset?: number;
  /** The message for a source that ends early at byte `available`. */
  describeShort: (available: number) => string;
}

export interface TensorParts {
  info: Omit<DatasetInfo, 'scale' | 'valueRange' | 'valueRangeSource' | 'sourceDtype' | 'channels' | 'height' | 'width'>;
  segments: Segment[];
  spec: ItemSpec;
  /** Labels held apart from the images (IDX, .npy/.npz, safetensors). */
  labels?: Int32Array;
  /** Extra clean-up on close (sources are closed anyway). */
  onClose?: () => Promise<void>;
}

/** Float data is scanned for its range up to this many bytes; beyond, the range is estimated from that part. */
const SCAN_BYTES = 256 << 20;

export class TensorDataset implements Dataset {
  info: DatasetInfo;
  private mapper: Mapper = IDENTITY;
  private readonly firsts: number[] = [];
  private embeddedLabels: Promise<Int32Array> | undefined;

  private constructor(private readonly parts: TensorParts) {
    const { spec } = parts;
    const dtype = spec.elem.type === 'u1' ? 'uint8' : spec.elem.type === 'f8' ? 'float64' : 'float32';
    this.info = {
      ...parts.info, channels: spec.channels, height: spec.height, width: spec.width,
      sourceDtype: dtype, scale: 'raw', valueRange: [0, 0],
    };
    if (spec.elem.type === 'f2') this.note('stored as float16, widened to float32');
    let first = 0;
    for (const seg of parts.segments) { this.firsts.push(first); first += seg.count; }
  }

  /** Builds the dataset and settles its value scale (uint8 default 'minus1to1', float default 'raw'). */
  static async create(parts: TensorParts, scale: ValueScale | undefined): Promise<TensorDataset> {
    const ds = new TensorDataset(parts);
    try {
      await ds.settleScale(scale);
    } catch (e) {
      await ds.close();
      throw e;
    }
    return ds;
  }

  private note(text: string): void {
    (this.info.notes ??= []).push(text);
  }

  private async settleScale(scale: ValueScale | undefined): Promise<void> {
    if (this.parts.spec.elem.type === 'u1') {
      const s = scale ?? 'minus1to1';
      const { mapper, range } = uint8Mapper(s);
      Object.assign(this.info, { scale: s, valueRange: range, valueRangeSource: 'dtype' });
      this.mapper = mapper;
      return;
    }
    const s = scale ?? 'raw';
    const perItem = itemBytes(this.parts.spec);
    const limit = Math.max(1, Math.floor(SCAN_BYTES / perItem));
    const acc = new RangeAccumulator();
    let seen = 0;
    for await (const b of this.batches(Math.min(limit, 4096))) {
      acc.add(b.data);
      seen += b.count;
      if (seen >= limit) break;
    }
    const sampled = seen < this.info.count;
    const { mapper, range } = floatMapper(s, acc.range, this.info.path);
    this.mapper = mapper;
    Object.assign(this.info, { scale: s, valueRange: range, valueRangeSource: sampled ? 'sampled' : 'scanned' });
    if (sampled) this.note(`value range estimated from the first ${seen} of ${this.info.count} items`);
  }

  private get itemLength(): number {
    return this.info.channels * this.info.height * this.info.width;
  }

  private hasEmbeddedLabels(): boolean {
    return this.parts.segments.some((s) => s.labelOffset !== undefined);
  }

  private withLabels(): boolean {
    return this.parts.labels !== undefined || this.hasEmbeddedLabels();
  }

  private newBatch(start: number, count: number): Batch {
    return { start, count, data: new Float32Array(count * this.itemLength), labels: this.withLabels() ? new Int32Array(count) : undefined };
  }

  /** Decodes n whole records of buf (from byte pos) into batch slots [at, at+n). */
  private put(seg: Segment, buf: Buffer, pos: number, n: number, batch: Batch, at: number, first: number): void {
    decodeItems(buf, pos + seg.itemOffset, seg.stride, n, this.parts.spec, this.mapper, batch.data, at * this.itemLength);
    this.putLabels(seg, buf, pos, n, batch, at, first);
  }

  /** Copies the uint8 pixels of n whole records of buf into batch slots [at, at+n). */
  private putPixels(seg: Segment, buf: Buffer, pos: number, n: number, batch: PixelBatch, at: number, first: number): void {
    copyPixels(buf, pos + seg.itemOffset, seg.stride, n, this.parts.spec, batch.data, at * this.itemLength);
    this.putLabels(seg, buf, pos, n, batch, at, first);
  }

  private putLabels(seg: Segment, buf: Buffer, pos: number, n: number, batch: Batch | PixelBatch, at: number, first: number): void {
    if (!batch.labels) return;
    if (seg.labelOffset !== undefined) {
      for (let k = 0; k < n; k++) batch.labels[at + k] = buf[pos + k * seg.stride + seg.labelOffset];
    } else if (this.parts.labels) {
      batch.labels.set(this.parts.labels.subarray(first, first + n), at);
    }
  }

  private async *segmentChunks(seg: Segment, signal?: AbortSignal): AsyncGenerator<Buffer> {
    try {
      yield* seg.source.stream(seg.dataOffset, seg.count * seg.stride, signal);
    } catch (e) {
      if (e instanceof ShortReadError) throw new UserError(seg.describeShort(e.available));
      throw e;
    }
  }

  batches(batchSize: number, signal?: AbortSignal): AsyncGenerator<Batch> {
    return this.sequential(batchSize, signal, (s, n) => this.newBatch(s, n), (...a) => this.put(...a));
  }

  /** The stored uint8 pixels (uint8 data only), as batches() would give them before mapping, in one reused buffer. */
  pixels(batchSize: number, signal?: AbortSignal): AsyncGenerator<PixelBatch> {
    if (this.parts.spec.elem.type !== 'u1') throw new Error(`${this.info.path}: pixels() needs uint8 data, not ${this.info.sourceDtype}`);
    let buffer: Uint8Array | undefined;
    const alloc = (start: number, count: number): PixelBatch => {
      buffer ??= new Uint8Array(count * this.itemLength); // the first batch is the largest
      return { start, count, data: buffer.subarray(0, count * this.itemLength), labels: this.withLabels() ? new Int32Array(count) : undefined };
    };
    return this.sequential(batchSize, signal, alloc, (...a) => this.putPixels(...a));
  }

  /** Streams every segment in order into batches made by `alloc` and filled by `fill`. */
  private async *sequential<B extends Batch | PixelBatch>(batchSize: number, signal: AbortSignal | undefined,
    alloc: (start: number, count: number) => B,
    fill: (seg: Segment, buf: Buffer, pos: number, n: number, batch: B, at: number, first: number) => void): AsyncGenerator<B> {
    checkBatchSize(batchSize);
    throwIfCancelled(signal);
    const N = this.info.count;
    let batch = alloc(0, Math.min(batchSize, N));
    let filled = 0;
    for (let s = 0; s < this.parts.segments.length; s++) {
      const seg = this.parts.segments[s];
      let index = this.firsts[s]; // global index of the next record to decode
      let carry: Buffer | undefined;
      for await (const chunk of this.segmentChunks(seg, signal)) {
        let pos = 0;
        if (carry) {
          const take = Math.min(seg.stride - carry.length, chunk.length);
          carry = Buffer.concat([carry, chunk.subarray(0, take)]);
          pos = take;
          if (carry.length < seg.stride) continue;
          fill(seg, carry, 0, 1, batch, filled, index);
          filled++; index++; carry = undefined;
          if (filled === batch.count) {
            yield batch;
            throwIfCancelled(signal);
            batch = alloc(batch.start + batch.count, Math.min(batchSize, N - batch.start - batch.count));
            filled = 0;
          }
        }
        while (pos < chunk.length) {
          const n = Math.min(Math.floor((chunk.length - pos) / seg.stride), batch.count - filled);
          if (n === 0) { carry = Buffer.from(chunk.subarray(pos)); break; }
          fill(seg, chunk, pos, n, batch, filled, index);
          pos += n * seg.stride; filled += n; index += n;
          if (filled === batch.count) {
            yield batch;
            throwIfCancelled(signal);
            batch = alloc(batch.start + batch.count, Math.min(batchSize, N - batch.start - batch.count));
            filled = 0;
          }
        }
      }
    }
  }

  async read(indices: number[]): Promise<Batch> {
    checkIndices(indices, this.info.count, this.info.path);
    const batch = this.newBatch(indices[0] ?? 0, indices.length);
    const jobs: Promise<void>[] = [];
    for (let k = 0; k < indices.length;) {
      const s = this.segmentOf(indices[k]);
      const seg = this.parts.segments[s];
      const first = indices[k];
      let n = 1;
      while (k + n < indices.length && indices[k + n] === first + n && first + n < this.firsts[s] + seg.count && n < 4096) n++;
      jobs.push(this.readRun(seg, first, first - this.firsts[s], n, batch, k));
      k += n;
    }
    await Promise.all(jobs);
    return batch;
  }

  private async readRun(seg: Segment, first: number, local: number, n: number, batch: Batch, at: number): Promise<void> {
    let buf: Buffer;
    try {
      buf = await seg.source.read(seg.dataOffset + local * seg.stride, n * seg.stride);
    } catch (e) {
      if (e instanceof ShortReadError) throw new UserError(seg.describeShort(e.available));
      throw e;
    }
    this.put(seg, buf, 0, n, batch, at, first);
  }

  private segmentOf(index: number): number {
    let s = this.firsts.length - 1;
    while (s > 0 && this.firsts[s] > index) s--;
    return s;
  }

  async labels(): Promise<Int32Array | undefined> {
    if (this.parts.labels) return this.parts.labels;
    if (!this.hasEmbeddedLabels()) return undefined;
    this.embeddedLabels ??= this.scanEmbeddedLabels();
    return this.embeddedLabels;
  }

  private async scanEmbeddedLabels(): Promise<Int32Array> {
    const out = new Int32Array(this.info.count);
    for (let s = 0; s < this.parts.segments.length; s++) {
      const seg = this.parts.segments[s];
      const offset = seg.labelOffset ?? 0;
      let pos = 0; // byte position within the segment's records
      for await (const chunk of this.segmentChunks(seg)) {
        const firstRecord = Math.ceil((pos - offset) / seg.stride);
        for (let r = Math.max(0, firstRecord); r * seg.stride + offset < pos + chunk.length; r++) {
          out[this.firsts[s] + r] = chunk[r * seg.stride + offset - pos];
        }
        pos += chunk.length;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const sources = new Set(this.parts.segments.map((s) => s.source));
    for (const src of sources) await src.close();
    await this.parts.onClose?.();
  }
}
