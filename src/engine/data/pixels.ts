// The stored uint8 pixels of a uint8 dataset, for exact integer statistics: without float conversion when the reader can.
import type { Dataset, PixelBatch } from './dataset';
import { uint8Affine } from './scale';

/**
 * Sequential batches of the pixels 0…255 (count×C×H×W); a batch's data may be overwritten by the next one. Readers with pixels() copy the stored bytes; others (image
 * folders) give mapped float32 values, which map back exactly: the 256 table values round to distinct pixels.
 */
export async function* pixelBatches(ds: Dataset, batchSize: number, signal?: AbortSignal): AsyncGenerator<PixelBatch> {
  if (ds.info.sourceDtype !== 'uint8') throw new Error(`${ds.info.path}: pixel batches need uint8 data, not ${ds.info.sourceDtype}`);
  if (ds.pixels) {
    yield* ds.pixels(batchSize, signal);
    return;
  }
  const { a, b } = uint8Affine(ds.info.scale);
  for await (const batch of ds.batches(batchSize, signal)) {
    const data = new Uint8Array(batch.data.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.round((batch.data[i] - b) / a);
    yield { start: batch.start, count: batch.count, data, ...(batch.labels ? { labels: batch.labels } : {}) };
  }
}
