// Builds the analytical denoisers a comparison asks for ("gaussian", "gmm:10:64", "delta", …) from the data and its fit.
import { UserError } from '../errors';
import type { Denoiser } from '../model/denoiser';
import { makeComponent } from '../score/component';
import { DeltaDenoiser } from '../score/delta';
import { fitGroups, kmeans, takeColumns } from '../score/fitMixture';
import { MixtureDenoiser, meanIsotropic, meanStdIsotropic } from '../score/gaussian';
import type { GaussianStats } from '../store/stats';

export const DEFAULT_APPROX = ['gaussian', 'gmm:10', 'class', 'delta', 'mean', 'meanstd'];

export interface NamedDenoiser {
  /** The name in results (the authors' table names where they exist). */
  name: string;
  spec: string;
  detail: string;
  denoiser: Denoiser;
}

export interface TrainingData {
  images: Float32Array;
  count: number;
  shape: [number, number, number];
  labels?: Int32Array;
}

type Spec = { kind: 'gaussian'; rank?: number } | { kind: 'gmm'; k: number; rank?: number } | { kind: 'class' | 'delta' | 'mean' | 'meanstd' };

/** Parses one approximation spec; throws a UserError listing the valid forms. */
export function parseApprox(spec: string): Spec {
  const [head, a, b] = spec.trim().toLowerCase().split(':');
  const int = (s: string | undefined, what: string): number | undefined => {
    if (s === undefined || s === '') return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`"${spec}": ${what} must be a positive integer`);
    return n;
  };
  switch (head) {
    case 'gaussian':
    case 'gauss':
      return { kind: 'gaussian', rank: int(a, 'the rank') };
    case 'gmm': {
      const k = int(a, 'K');
      if (!k) throw new UserError(`"${spec}": say how many components, e.g. gmm:10 or gmm:10:64 (K and rank)`);
      return { kind: 'gmm', k, rank: int(b, 'the rank') };
    }
    case 'class':
    case 'delta':
    case 'mean':
    case 'meanstd':
      return { kind: head };
    default:
      throw new UserError(`unknown approximation "${spec}"; use gaussian, gaussian:<rank>, gmm:<K>[:<rank>], class, delta, mean, meanstd`);
  }
}

/**
 * Builds every requested denoiser (k-means is seeded by `seed`), in the order of `specs`. The delta mixture is built
 * last and, when it is the only one, takes over `data.images` (centering them in place instead of keeping a second
 * copy of the training set): read nothing from `data.images` after this call.
 */
export async function buildApproximations(specs: string[], data: TrainingData, stats: GaussianStats, seed: number, signal: AbortSignal, progress: (m: string) => void, lapack?: string): Promise<NamedDenoiser[]> {
  const d = stats.mean.length;
  const r = stats.eigval.length;
  const out: NamedDenoiser[] = new Array(specs.length);
  const order = specs.map((spec, i) => ({ spec, i, s: parseApprox(spec) })).sort((x, y) => Number(x.s.kind === 'delta') - Number(y.s.kind === 'delta') || x.i - y.i);
  const ownImages = order.filter((o) => o.s.kind === 'delta').length === 1;
  for (const { spec, i, s } of order) {
    const push = (m: NamedDenoiser): void => void (out[i] = m);
    progress(`building ${spec}`);
    switch (s.kind) {
      case 'gaussian': {
        const rank = Math.min(s.rank ?? r, r);
        const comp = makeComponent(stats.mean, takeColumns(stats.eigvec, d, rank, r), stats.eigval.subarray(0, rank), s.rank ? 0 : stats.tail);
        const name = s.rank ? `gaussian_${rank}_rank` : 'gaussian';
        push({ name, spec, detail: s.rank ? `rank ${rank}, other directions carry no variance` : `${r === d ? 'full rank' : `top-${r} + isotropic remainder ${stats.tail.toExponential(2)}`}`, denoiser: new MixtureDenoiser(data.shape, [comp]) });
        break;
      }
      case 'gmm': {
        const labels = await kmeans(data.images, data.count, d, s.k, { seed, signal });
        const fit = await fitGroups(data.images, data.count, d, labels, s.k, { rank: s.rank, signal, lapack });
        const name = s.rank ? `gmm_${s.k}_mode_${s.rank}_rank` : `gmm_${s.k}_mode`;
        push({ name, spec, detail: `mini-batch k-means (seed ${seed}), ${fit.components.length} non-empty clusters, ${s.rank ? `rank ${s.rank}` : 'full rank'}, cov + 1e-5·I`, denoiser: new MixtureDenoiser(data.shape, fit.components, fit.weights) });
        break;
      }
      case 'class': {
        if (!data.labels) throw new UserError('"class" needs a dataset with labels (e.g. the IDX labels file next to the images, or dataset.json)');
        const groups = Math.max(...data.labels) + 1;
        const fit = await fitGroups(data.images, data.count, d, data.labels, groups, { signal, lapack });
        push({ name: 'gmm_class', spec, detail: `one Gaussian per label (${fit.components.length}), weights = class frequencies`, denoiser: new MixtureDenoiser(data.shape, fit.components, fit.weights) });
        break;
      }
      case 'delta':
        push({ name: 'gmm delta', spec, detail: `exact score of all ${data.count} training images`, denoiser: new DeltaDenoiser(data.shape, data.images, data.count, undefined, undefined, ownImages) });
        break;
      case 'mean':
        push({ name: 'mean isotropic', spec, detail: 'D = μ', denoiser: meanIsotropic(data.shape, stats.mean) });
        break;
      case 'meanstd': {
        const trace = stats.eigval.reduce((a, v) => a + v, 0) + stats.tail * (d - r);
        push({ name: 'mean + std isotropic', spec, detail: `Σ = (tr Σ / D)·I = ${(trace / d).toExponential(3)}·I`, denoiser: meanStdIsotropic(data.shape, stats.mean, trace) });
        break;
      }
    }
  }
  return out;
}
