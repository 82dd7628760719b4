// A first look at a dataset before any fit: N, shape, value range, labels and a seeded random sample of images.
import type { DatasetPreview, FitParams } from '../../protocol/fit';
import { openDataset } from '../data/dataset';
import { rngFromSeed } from '../random';
import { JobContext } from './context';

/** Opens a dataset and reads `count` random images (seeded, so the same preview comes back). */
export async function previewDataset(p: Pick<FitParams, 'dataset' | 'scale' | 'layout'> & { count?: number; seed?: number }, ctx: JobContext): Promise<DatasetPreview> {
  ctx.progress('opening the dataset');
  const ds = await openDataset(p.dataset, { scale: p.scale, layout: p.layout });
  try {
    const info = ds.info;
    const rand = rngFromSeed(p.seed ?? 0);
    const want = Math.min(p.count ?? 64, info.count);
    const picked = new Set<number>();
    while (picked.size < want) picked.add(Math.floor(rand() * info.count));
    const indices = [...picked].sort((a, b) => a - b);
    ctx.progress('reading sample images');
    const batch = await ds.read(indices);
    return {
      path: info.path,
      format: info.format,
      count: info.count,
      shape: [info.channels, info.height, info.width],
      scale: info.scale,
      valueRange: info.valueRange,
      hasLabels: info.hasLabels,
      ...(info.classNames ? { classNames: info.classNames } : {}),
      notes: info.notes ?? [],
      indices,
      ...(batch.labels ? { labels: Array.from(batch.labels) } : {}),
      images: batch.data,
    };
  } finally {
    await ds.close();
  }
}
