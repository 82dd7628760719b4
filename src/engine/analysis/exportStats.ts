// Exports a cached fit in the authors' PCA layout (science.md §8), for their notebooks and scripts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FitMeta } from '../../protocol/fit';
import { UserError } from '../errors';
import { writeFileAtomic } from '../store/atomic';
import { encodeAuthorsLayout, readFitStats } from '../store/stats';

/** Writes `target` as imgmean/eigval/eigvec on [0,1] pixels, ascending, 1/(N−1), from a fit folder. */
export async function exportStats(p: { statsDir: string; target: string; layout: 'authors' }): Promise<{ file: string }> {
  const meta = JSON.parse(fs.readFileSync(path.join(p.statsDir, 'fit.json'), 'utf8')) as FitMeta;
  if (meta.scale === 'raw') throw new UserError('the authors\' layout is on [0,1] pixels; fit the dataset with the minus1to1 or zero1 scale');
  const stats = await readFitStats(p.statsDir);
  writeFileAtomic(p.target, encodeAuthorsLayout(stats, meta.scale, meta.count, meta.ddof));
  return { file: p.target };
}
