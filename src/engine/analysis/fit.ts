// The dataset Gaussian fit (science.md §2, §8): streamed mean and covariance, eigendecomposition, cached on disk.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FitMeta, FitParams, FitSummary } from '../../protocol/fit';
import { openDataset, Dataset } from '../data/dataset';
import { pixelBatches } from '../data/pixels';
import { uint8Affine } from '../data/scale';
import { throwIfCancelled } from '../errors';
import { writeFileAtomic, writeFolderAtomic } from '../store/atomic';
import { encodeNpz } from '../store/npz';
import { encodeStats, GaussianStats, readFitStats, readNpzArrays } from '../store/stats';
import { eigAccuracy } from '../tensor/checks';
import { CovarianceAccumulator, CovarianceResult } from '../tensor/covariance';
import { IntegerGramAccumulator } from '../tensor/integerGram';
import { eigh } from '../tensor/eigh';
import { defaultLinalg, OrtLinalg } from '../tensor/ortexec';
import { topkEig } from '../tensor/topk';
import { ENGINE_VERSION } from '../version';
import { ClassStats, ClassStatsAccumulator, classStatsFromSums } from './classStats';
import { exportStats } from './exportStats';
import { JobContext } from './context';

/** Bumped when the fit's numbers or files change meaning, so old cache entries are not reused. */
const FIT_FORMAT = 2;
const BATCH = 4096;

/** Gaussian fit of a dataset: N(μ, Σ) with Σ = UΛUᵀ, full or top-k + isotropic remainder (2412.09726 §3; performance.md §2b). */
export async function fitDataset(p: FitParams, ctx: JobContext): Promise<FitSummary> {
  const t0 = performance.now();
  const ds = await openDataset(p.dataset, { scale: p.scale, layout: p.layout });
  try {
    const key = cacheKey(ds, p);
    const dir = path.join(p.cacheDir, 'fits', key);
    const cacheHit = fs.existsSync(path.join(dir, 'fit.json'));
    let fitted: Fitted | undefined; // what a fresh fit wrote, kept rather than read back
    if (cacheHit) ctx.progress('cache hit: reusing the statistics of an identical earlier fit', 1);
    else await writeFolderAtomic(dir, async (tmp) => void (fitted = await computeFit(ds, p, key, tmp, ctx, t0)));
    const { meta, stats, classMeans } = fitted ?? (await readFitted(dir));
    if (p.out) await exportTo(p.out, dir, meta, p.authorsLayout);
    return summarize(meta, stats, dir, cacheHit, classMeans);
  } finally {
    await ds.close();
  }
}

function cacheKey(ds: Dataset, p: FitParams): string {
  const id = {
    format: FIT_FORMAT,
    files: ds.info.identity.files,
    scale: ds.info.scale,
    layout: p.layout ?? 'auto',
    shape: [ds.info.channels, ds.info.height, ds.info.width],
    method: p.topk ? `topk:${p.topk}` : 'full',
    ddof: p.ddof ?? 0,
  };
  return crypto.createHash('sha256').update(JSON.stringify(id)).digest('hex').slice(0, 24);
}

/** A fit's record: its fit.json, stats.npz and (labelled data) class means. */
interface Fitted {
  meta: FitMeta;
  stats: GaussianStats;
  classMeans?: Float32Array;
}

async function readFitted(dir: string): Promise<Fitted> {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'fit.json'), 'utf8')) as FitMeta;
  const classMeans = await loadClassMeans(dir);
  return { meta, stats: await readFitStats(dir), ...(classMeans ? { classMeans } : {}) };
}

async function computeFit(ds: Dataset, p: FitParams, key: string, dir: string, ctx: JobContext, t0: number): Promise<Fitted> {
  const info = ds.info;
  const moments = info.sourceDtype === 'uint8' ? await accumulatePixels(ds, p.ddof ?? 0, ctx) : await accumulate(ds, p.ddof ?? 0, ctx);
  const tLoad = performance.now();
  const { cov, perClass } = moments;
  const d = cov.mean.length;
  const { stats, method, solver } = await decompose(cov, p.topk, ctx);
  const tEig = performance.now();
  ctx.progress('checking accuracy', 0.96);
  // An executor of its own, released at once: the check's onnxruntime buffers need not outlive it (lower peak memory).
  // One thread: right after the eigendecomposition the second core is still busy (GC), and two threads waited on it.
  const checker = new OrtLinalg({ threads: 1 });
  const accuracy = await eigAccuracy(cov.cov, d, stats.eigval, stats.eigvec, stats.eigval.length, checker).finally(() => checker.release());
  const tCheck = performance.now();
  const meta: FitMeta = {
    engineVersion: ENGINE_VERSION,
    cacheKey: key,
    createdAt: new Date().toISOString(),
    dataset: { path: info.path, format: info.format, files: info.identity.files.length, notes: info.notes ?? [] },
    count: info.count,
    dim: d,
    shape: [info.channels, info.height, info.width],
    scale: info.scale,
    valueRange: info.valueRange,
    method,
    solver,
    rank: stats.eigval.length,
    tail: stats.tail,
    ddof: cov.ddof,
    trace: cov.trace,
    residual: accuracy.residual,
    orthogonality: accuracy.orthogonality,
    provider: 'cpu',
    timingsSeconds: { load: (tLoad - t0) / 1000, eig: (tEig - tLoad) / 1000, check: (tCheck - tEig) / 1000, total: (performance.now() - t0) / 1000 },
    ...(perClass ? { classCounts: Object.fromEntries(perClass.labels.map((l, k) => [l, perClass.counts[k]])), classVariance: perClass.variance, classNames: info.classNames } : {}),
  };
  throwIfCancelled(ctx.signal);
  fs.writeFileSync(path.join(dir, 'stats.npz'), encodeStats(stats));
  if (perClass) fs.writeFileSync(path.join(dir, 'classes.npz'), encodeNpz({ labels: { data: Int32Array.from(perClass.labels), shape: [perClass.labels.length] }, class_means: { data: perClass.means, shape: [perClass.labels.length, d] } }));
  fs.writeFileSync(path.join(dir, 'fit.json'), JSON.stringify(meta, null, 2));
  return { meta, stats, ...(perClass ? { classMeans: Float32Array.from(perClass.means) } : {}) };
}

interface Moments {
  cov: CovarianceResult;
  perClass?: ClassStats;
}

/** Streams float data once: mean and covariance (float32 chunk products merged in float64, ddof applied at finalize), per-class sums. */
async function accumulate(ds: Dataset, ddof: number, ctx: JobContext): Promise<Moments> {
  const info = ds.info;
  const d = info.channels * info.height * info.width;
  const acc = new CovarianceAccumulator({ dim: d, expectedRows: info.count, signal: ctx.signal });
  const classes = info.hasLabels ? new ClassStatsAccumulator(d) : undefined;
  let seen = 0;
  for await (const batch of ds.batches(BATCH, ctx.signal)) {
    throwIfCancelled(ctx.signal);
    await acc.add(batch.data, batch.count);
    if (classes && batch.labels) classes.add(batch.data, batch.labels);
    seen = reportRows(ctx, seen + batch.count, info.count);
  }
  const perClass = classes?.finalize();
  return { cov: await acc.finalize({ ddof }), ...(perClass ? { perClass } : {}) };
}

/**
 * uint8 data in one pass over the stored pixels: integer sums and Gram matrices are exact (the mapped values, e.g.
 * x/127.5 − 1, are not exact in float32), and are mapped to the model scale afterwards: μ = aμ₀ + b, Σ = a²Σ₀.
 */
async function accumulatePixels(ds: Dataset, ddof: number, ctx: JobContext): Promise<Moments> {
  const info = ds.info;
  const d = info.channels * info.height * info.width;
  const acc = new IntegerGramAccumulator(d, { signal: ctx.signal });
  let seen = 0;
  for await (const batch of pixelBatches(ds, IntegerGramAccumulator.chunkRows, ctx.signal)) {
    throwIfCancelled(ctx.signal);
    await acc.add(batch.data, batch.count, info.hasLabels ? batch.labels : undefined);
    seen = reportRows(ctx, seen + batch.count, info.count);
  }
  const cov = await acc.finalize({ ddof });
  const { a, b } = uint8Affine(info.scale);
  for (let i = 0; i < d; i++) cov.mean[i] = a * cov.mean[i] + b;
  for (let i = 0; i < cov.cov.length; i++) cov.cov[i] *= a * a;
  cov.trace *= a * a;
  if (!info.hasLabels) return { cov };
  const sums = await acc.labelSums();
  return { cov, perClass: classStatsFromSums(sums.labels, sums.counts, sums.sums, sums.sumSq, a, b) };
}

function reportRows(ctx: JobContext, seen: number, count: number): number {
  ctx.progress(`mean and covariance: ${seen.toLocaleString()} / ${count.toLocaleString()} images`, 0.5 * (seen / count));
  return seen;
}

/** Full eigendecomposition, or the top-k eigenpairs with the isotropic remainder (large D). */
async function decompose(cov: CovarianceResult, topk: number | undefined, ctx: JobContext): Promise<{ stats: GaussianStats; method: FitMeta['method']; solver: string }> {
  const d = cov.mean.length;
  const linalg = defaultLinalg();
  if (topk && topk < d) {
    const top = await topkEig(cov.cov, d, topk, { linalg, signal: ctx.signal, onProgress: (f, phase) => ctx.progress(`top-${topk} eigenpairs: ${phase}`, 0.5 + 0.45 * f) });
    return { stats: { mean: cov.mean, eigval: top.values, eigvec: top.vectors, tail: top.tail }, method: 'topk', solver: 'randomized subspace iteration (onnxruntime)' };
  }
  const eig = await eigh(cov.cov, d, { linalg, lapack: ctx.settings.lapack, signal: ctx.signal, onProgress: (f, phase) => ctx.progress(`eigendecomposition: ${phase}`, 0.5 + 0.45 * f) });
  return { stats: { mean: cov.mean, eigval: eig.values, eigvec: eig.vectors, tail: 0 }, method: 'full', solver: eig.solver };
}

// The CLI's --out: stats.npz + fit.json (and the authors' layout when asked), each written atomically.
async function exportTo(out: string, dir: string, meta: FitMeta, authorsLayout?: boolean): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, 'stats.npz'), fs.readFileSync(path.join(dir, 'stats.npz')));
  writeFileAtomic(path.join(out, 'fit.json'), JSON.stringify(meta, null, 2));
  if (authorsLayout) await exportStats({ statsDir: dir, target: path.join(out, 'stats_authors_layout.npz'), layout: 'authors' });
}

async function loadClassMeans(dir: string): Promise<Float32Array | undefined> {
  const file = path.join(dir, 'classes.npz');
  if (!fs.existsSync(file)) return undefined;
  const means = (await readNpzArrays(file)).get('class_means');
  return means ? Float32Array.from(means.data) : undefined;
}

function summarize(meta: FitMeta, stats: GaussianStats, dir: string, cacheHit: boolean, classMeans?: Float32Array): FitSummary {
  const d = meta.dim;
  const r = stats.eigval.length;
  const top = Math.min(64, r);
  const eigenImages = new Float32Array(top * d);
  for (let k = 0; k < top; k++) for (let i = 0; i < d; i++) eigenImages[k * d + i] = stats.eigvec[i * r + k];
  return { meta, statsDir: dir, cacheHit, eigval: Array.from(stats.eigval), mean: Float32Array.from(stats.mean), eigenImages, eigenImageCount: top, ...(classMeans ? { classMeans } : {}) };
}
