// The one interface every dataset reader implements (types only; openDataset lives in open.ts).

/** uint8 → [-1,1] (x/127.5−1, EDM default), → [0,1] (x/255), or unchanged. Float data defaults to 'raw'. */
export type ValueScale = 'minus1to1' | 'zero1' | 'raw';

export type DatasetFormat = 'idx' | 'npy' | 'npz' | 'images-folder' | 'images-zip' | 'cifar10' | 'safetensors';

export interface DatasetFile { path: string; size: number; mtimeMs: number }

export interface DatasetInfo {
  path: string;
  format: DatasetFormat;
  /** Channels-first internally: every batch is count×C×H×W. */
  count: number; channels: number; height: number; width: number;
  /** float16 tensors (safetensors, .npy '<f2') are reported as 'float32' with a note. */
  sourceDtype: 'uint8' | 'float32' | 'float64';
  scale: ValueScale;
  /** Value range after mapping. */
  valueRange: [number, number];
  /** How valueRange was found: from the dtype (uint8), by scanning every value, or from the first part of the data. */
  valueRangeSource?: 'dtype' | 'scanned' | 'sampled';
  hasLabels: boolean;
  classNames?: string[];
  /** Things the reader did that a user may want to know (alpha dropped, float16 widened, which split was picked…). */
  notes?: string[];
  /** Every file the data depends on, for content-addressed caching. */
  identity: { files: DatasetFile[] };
}

export interface Batch {
  /** Index of the first item (for batches()); for read(indices) the first requested index. */
  start: number;
  count: number;
  /** count×C×H×W, already mapped to info.scale. */
  data: Float32Array;
  labels?: Int32Array;
}

/** A batch of stored uint8 pixels 0…255, unmapped (count×C×H×W). */
export interface PixelBatch {
  start: number;
  count: number;
  data: Uint8Array;
  labels?: Int32Array;
}

export interface Dataset {
  info: DatasetInfo;
  /** Sequential over all N items, in order, each exactly once. */
  batches(batchSize: number, signal?: AbortSignal): AsyncIterable<Batch>;
  /**
   * Like batches(), but the stored uint8 pixels without float conversion (uint8 readers that can; see pixelBatches()).
   * Each batch's data may be overwritten by the next one (no garbage per batch): copy what you keep.
   */
  pixels?(batchSize: number, signal?: AbortSignal): AsyncIterable<PixelBatch>;
  /** Random access (probes, previews); items come back in the order asked. */
  read(indices: number[]): Promise<Batch>;
  labels(): Promise<Int32Array | undefined>;
  close(): Promise<void>;
}

export interface OpenOptions {
  scale?: ValueScale;
  /** How array formats lay out their dimensions; 'auto' (default) guesses from the shape. */
  layout?: 'NCHW' | 'NHWC' | 'NHW' | 'auto';
}

export { openDataset } from './open';
