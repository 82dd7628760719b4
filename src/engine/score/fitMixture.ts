// Fits the mixture score models of 2412.09726 (science.md §3.3): seeded mini-batch k-means GMMs and per-class GMMs.
import { throwIfCancelled } from '../errors';
import { covariance } from '../tensor/covariance';
import { eigh } from '../tensor/eigh';
import { OrtLinalg, defaultLinalg } from '../tensor/ortexec';
import { GaussianComponent, makeComponent } from './component';
import { gemmNT } from './gemmNT';
import { rngFromSeed } from '../random';

/** Covariance regularizer added to every cluster, as in GTD `compute_cluster` (1e-5·I). */
export const CLUSTER_EPS = 1e-5;

export interface MixtureFit {
  components: GaussianComponent[];
  weights: number[];
  sizes: number[];
}

export interface MixtureOptions {
  /** Keep the top-r eigenpairs of each cluster (the rest get zero variance); default full rank. */
  rank?: number;
  signal?: AbortSignal;
  linalg?: OrtLinalg;
  /** LAPACK setting for the per-component eigendecompositions (see tensor/lapack.ts). */
  lapack?: string;
  progress?: (message: string, fraction: number) => void;
}

/** Mini-batch k-means (Sculley 2010; sklearn MiniBatchKMeans semantics: batch 2048, per-centre rates 1/count), seeded. */
export async function kmeans(data: Float32Array, n: number, d: number, k: number, opts: { seed: number; batch?: number; iterations?: number; signal?: AbortSignal; linalg?: OrtLinalg }): Promise<Int32Array> {
  if (k < 1 || k > n) throw new Error(`k-means: K = ${k} must be between 1 and the number of images (${n})`);
  const linalg = opts.linalg ?? defaultLinalg();
  const rand = rngFromSeed(opts.seed);
  const centres = initPlusPlus(data, n, d, k, rand);
  const counts = new Float64Array(k);
  const batch = Math.min(opts.batch ?? 2048, n);
  const iterations = opts.iterations ?? Math.max(20, Math.ceil((3 * n) / batch));
  const idx = new Int32Array(batch);
  const rows = new Float32Array(batch * d);
  for (let it = 0; it < iterations; it++) {
    throwIfCancelled(opts.signal);
    for (let b = 0; b < batch; b++) {
      idx[b] = Math.floor(rand() * n);
      rows.set(data.subarray(idx[b] * d, (idx[b] + 1) * d), b * d);
    }
    const assign = await nearest(linalg, rows, batch, d, centres, k);
    for (let b = 0; b < batch; b++) {
      const j = assign[b];
      const eta = 1 / ++counts[j];
      for (let i = 0; i < d; i++) centres[j * d + i] += eta * (rows[b * d + i] - centres[j * d + i]);
    }
  }
  // Final assignment of every image, in chunks.
  const labels = new Int32Array(n);
  for (let s = 0; s < n; s += 4096) {
    throwIfCancelled(opts.signal);
    const m = Math.min(4096, n - s);
    labels.set(await nearest(linalg, data.subarray(s * d, (s + m) * d), m, d, centres, k), s);
  }
  return labels;
}

// k-means++ seeding on a subsample of at most 20·k images (D² sampling).
function initPlusPlus(data: Float32Array, n: number, d: number, k: number, rand: () => number): Float32Array {
  const sample = Math.min(n, Math.max(20 * k, 1000));
  const pick = Array.from({ length: sample }, () => Math.floor(rand() * n));
  const centres = new Float32Array(k * d);
  centres.set(data.subarray(pick[0] * d, (pick[0] + 1) * d), 0);
  const dist = new Float64Array(sample).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let s = 0; s < sample; s++) {
      let acc = 0;
      const off = pick[s] * d;
      for (let i = 0; i < d; i++) acc += (data[off + i] - centres[(j - 1) * d + i]) ** 2;
      dist[s] = Math.min(dist[s], acc);
      total += dist[s];
    }
    let u = rand() * total;
    let chosen = sample - 1;
    for (let s = 0; s < sample; s++) if ((u -= dist[s]) <= 0) {
      chosen = s;
      break;
    }
    centres.set(data.subarray(pick[chosen] * d, (pick[chosen] + 1) * d), j * d);
  }
  return centres;
}

async function nearest(linalg: OrtLinalg, rows: Float32Array, m: number, d: number, centres: Float32Array, k: number): Promise<Int32Array> {
  const dots = await gemmNT(linalg, rows, m, d, centres, k);
  const cNorm = new Float64Array(k);
  for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) cNorm[j] += centres[j * d + i] ** 2;
  const out = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    let best = Infinity;
    for (let j = 0; j < k; j++) {
      const dist = cNorm[j] - 2 * dots[r * k + j];
      if (dist < best) {
        best = dist;
        out[r] = j;
      }
    }
  }
  return out;
}

/** One Gaussian per group (k-means cluster or class label): mean, covariance 1/(n−1) + 1e-5·I, eigenpairs (GTD). */
export async function fitGroups(data: Float32Array, n: number, d: number, labels: Int32Array, groups: number, opts: MixtureOptions = {}): Promise<MixtureFit> {
  const linalg = opts.linalg ?? defaultLinalg();
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < n; i++) members[labels[i]].push(i);
  const fit: MixtureFit = { components: [], weights: [], sizes: [] };
  for (let j = 0; j < groups; j++) {
    throwIfCancelled(opts.signal);
    opts.progress?.(`fitting component ${j + 1}/${groups}`, j / groups);
    const idx = members[j];
    if (!idx.length) continue; // an empty cluster carries no weight
    const rows = new Float32Array(idx.length * d);
    idx.forEach((src, r) => rows.set(data.subarray(src * d, (src + 1) * d), r * d));
    fit.sizes.push(idx.length);
    fit.weights.push(idx.length / n);
    if (idx.length === 1) {
      // A singleton cluster: its point with CLUSTER_EPS·I (GTD).
      fit.components.push({ mean: Float64Array.from(rows), u: new Float32Array(0), ut: new Float32Array(0), lambda: new Float64Array(0), tail: CLUSTER_EPS });
      continue;
    }
    const cov = await covariance(rows, idx.length, { dim: d, ddof: 1, linalg, signal: opts.signal });
    for (let i = 0; i < d; i++) cov.cov[i * d + i] += CLUSTER_EPS;
    const eig = await eigh(cov.cov, d, { linalg, lapack: opts.lapack, signal: opts.signal });
    const r = Math.min(opts.rank ?? d, d);
    fit.components.push(makeComponent(cov.mean, takeColumns(eig.vectors, d, r), eig.values.subarray(0, r)));
  }
  return fit;
}

/** The first r columns of a row-major d×cols matrix, as d×r. */
export function takeColumns(v: Float64Array, d: number, r: number, cols = d): Float64Array {
  if (r === cols) return v;
  const out = new Float64Array(d * r);
  for (let i = 0; i < d; i++) out.set(v.subarray(i * cols, i * cols + r), i * r);
  return out;
}
