// Dataset statistics on disk: our stats.npz (float64 mean, eigval descending, eigvec columns) and the authors' layout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { ZipFile } from '../data/zip';
import { readNpyHeader } from '../data/npy';
import { encodeNpz } from './npz';

/** The Gaussian fit of a dataset in the model's pixel scale. */
export interface GaussianStats {
  mean: Float64Array;
  /** r eigenvalues, descending (r = D for a full fit). */
  eigval: Float64Array;
  /** D×r row-major, columns are unit eigenvectors. */
  eigvec: Float64Array;
  /** Variance of each direction outside the r eigenvectors (0 for a full fit; the isotropic remainder of a top-k fit). */
  tail: number;
}

/** Our layout: stats.npz with mean (D), eigval (r, descending), eigvec (D×r), tail (scalar array). */
export function encodeStats(s: GaussianStats): Buffer {
  const d = s.mean.length;
  const r = s.eigval.length;
  return encodeNpz({
    mean: { data: s.mean, shape: [d] },
    eigval: { data: s.eigval, shape: [r] },
    eigvec: { data: s.eigvec, shape: [d, r] },
    tail: { data: Float64Array.of(s.tail), shape: [1] },
  });
}

/**
 * The authors' PCA `.pt` layout as .npz (science.md §8: AE img_dataset_mean_cov.py): imgmean (D), eigval ascending (D),
 * eigvec (D×D, columns), on [0,1] pixels with a 1/(N−1) covariance. From our [−1,1] statistics: μ' = (μ+1)/2, Λ' = Λ/4.
 * `torch.save({k: torch.from_numpy(v) for k, v in np.load(f).items()}, 'x_PCA.pt')` turns it into their .pt.
 */
export function encodeAuthorsLayout(s: GaussianStats, scale: 'minus1to1' | 'zero1', count: number, ddof: number): Buffer {
  const d = s.mean.length;
  if (s.eigval.length !== d) throw new UserError('the authors\' layout needs a full-rank fit (eigval for all D directions); run the fit without --topk');
  const toZero1 = scale === 'minus1to1';
  const unbias = ddof === 0 ? count / (count - 1) : 1;
  const imgmean = Float64Array.from(s.mean, (v) => (toZero1 ? (v + 1) / 2 : v));
  const eigval = new Float64Array(d);
  const eigvec = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const src = d - 1 - k; // ascending order, as torch.linalg.eigh returns
    eigval[k] = s.eigval[src] * (toZero1 ? 0.25 : 1) * unbias;
    for (let i = 0; i < d; i++) eigvec[i * d + k] = s.eigvec[i * d + src];
  }
  return encodeNpz({ imgmean: { data: imgmean, shape: [d] }, eigval: { data: eigval, shape: [d] }, eigvec: { data: eigvec, shape: [d, d] } });
}

/** Reads float arrays (f4/f8, any shape, C order) from an .npz by name. */
export async function readNpzArrays(file: string): Promise<Map<string, { data: Float64Array; shape: number[] }>> {
  let zip: ZipFile;
  try {
    zip = await ZipFile.open(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${file} as .npz: ${(e as Error).message}`);
  }
  const out = new Map<string, { data: Float64Array; shape: number[] }>();
  try {
    for (const entry of zip.entries) {
      if (!entry.name.endsWith('.npy')) continue;
      const src = await zip.source(entry);
      const h = await readNpyHeader(src, `${file}:${entry.name}`);
      const count = h.shape.reduce((a, b) => a * b, 1);
      const bytes = h.kind === 'f8' ? 8 : h.kind === 'f4' ? 4 : 0;
      if (!bytes || !h.littleEndian) continue; // labels and other non-float arrays are not statistics
      const raw = await src.read(h.dataOffset, count * bytes);
      const copy = new Uint8Array(raw).buffer; // aligned copy
      const data = bytes === 8 ? new Float64Array(copy, 0, count) : Float64Array.from(new Float32Array(copy, 0, count));
      out.set(entry.name.replace(/\.npy$/, ''), { data: Float64Array.from(data), shape: h.shape });
      await src.close();
    }
  } finally {
    await zip.close();
  }
  return out;
}

/**
 * Loads statistics from our layout or the authors' (detected by key names), converting the authors' [0,1] scale
 * (or `fileScale`) to [−1,1] when `targetScale` is minus1to1, and sorting eigenpairs descending.
 */
export async function loadStats(file: string, opts: { fileScale?: 'zero1' | 'minus1to1'; targetScale?: 'zero1' | 'minus1to1' } = {}): Promise<GaussianStats> {
  if (!fs.existsSync(file)) throw new UserError(`statistics file ${file} does not exist`);
  const a = await readNpzArrays(file);
  const authors = a.has('imgmean');
  const mean = a.get(authors ? 'imgmean' : 'mean');
  const val = a.get('eigval');
  const vec = a.get('eigvec');
  if (!mean || !val || !vec) {
    throw new UserError(`${file} has arrays ${[...a.keys()].join(', ') || '(none)'}; expected mean, eigval, eigvec (ours) or imgmean, eigval, eigvec (the authors' PCA layout)`);
  }
  const d = mean.data.length;
  const r = val.data.length;
  if (vec.data.length !== d * r) throw new UserError(`${file}: eigvec has ${vec.data.length} values, expected ${d}×${r}`);
  const fileScale = opts.fileScale ?? (authors ? 'zero1' : 'minus1to1');
  const target = opts.targetScale ?? 'minus1to1';
  const [shift, gain] = fileScale === target ? [0, 1] : target === 'minus1to1' ? [-1, 2] : [0.5, 0.5];
  const order = Array.from({ length: r }, (_, k) => k).sort((p, q) => val.data[q] - val.data[p]);
  const eigval = Float64Array.from(order, (k) => val.data[k] * gain * gain);
  const eigvec = new Float64Array(d * r);
  for (let i = 0; i < d; i++) for (let j = 0; j < r; j++) eigvec[i * r + j] = vec.data[i * r + order[j]];
  const meanOut = Float64Array.from(mean.data, (v) => v * gain + shift);
  const tail = (a.get('tail')?.data[0] ?? 0) * gain * gain;
  return { mean: meanOut, eigval, eigvec, tail };
}

/** The statistics of a cached fit folder, in the scale they were fitted in (no conversion). */
export function readFitStats(fitDir: string): Promise<GaussianStats> {
  return loadStats(path.join(fitDir, 'stats.npz'), { fileScale: 'minus1to1', targetScale: 'minus1to1' });
}
