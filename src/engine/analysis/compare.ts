// Score comparison across noise levels (2412.09726 §4, science.md §4): EV of analytical denoisers vs the network.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompareParams, CompareResult, CompareRow, CompareRun, Protocol } from '../../protocol/compare';
import { DEFAULT_SIGMAS } from '../../protocol/defaults';
import { Dataset, openDataset } from '../data/dataset';
import { CancelledError, UserError, throwIfCancelled } from '../errors';
import { OnnxDenoiser } from '../model/denoiser';
import { meanStd, probeMetrics } from '../score/metrics';
import { writeFileAtomic } from '../store/atomic';
import { rowsToCsv } from '../store/csv';
import { GaussianStats, loadStats, readFitStats } from '../store/stats';
import { ENGINE_VERSION } from '../version';
import { DEFAULT_APPROX, NamedDenoiser, TrainingData, buildApproximations, parseApprox } from './approximations';
import { JobContext } from './context';
import { fitDataset } from './fit';
import { DeltaDenoiser, GridDenoised } from '../score/delta';
import { ProbeSet, drawProbes, probesAt } from './probes';

/** Explained variance of Gaussian / GMM / delta-mixture denoisers relative to the network, σ by σ (2412.09726 Fig. 2–3). */
export async function compareScores(p: CompareParams, ctx: JobContext): Promise<CompareResult> {
  const protocols: Protocol[] = p.protocols?.length ? p.protocols : ['A'];
  const probes = p.probes ?? 512;
  const seed = p.seed ?? 0;
  const approxSpecs = p.approx?.length ? p.approx : DEFAULT_APPROX;
  if (!Number.isInteger(probes) || probes < 1) throw new UserError(`probes must be a positive integer (got ${probes})`);
  approxSpecs.forEach(parseApprox); // a typo fails now, not after loading and fitting
  // Open the network first: a model that cannot take these images fails before any loading or fitting.
  const ds = await openDataset(p.dataset, { scale: p.scale, layout: p.layout });
  try {
    const net = await OnnxDenoiser.open(p.model, { config: p.config, imageShape: [ds.info.channels, ds.info.height, ds.info.width], ...ctx.settings });
    try {
      return await compareWith(net, ds, p, protocols, probes, seed, approxSpecs, ctx);
    } finally {
      await net.dispose();
    }
  } finally {
    await ds.close();
  }
}

async function compareWith(net: OnnxDenoiser, ds: Dataset, p: CompareParams, protocols: Protocol[], probes: number, seed: number, approxSpecs: string[], ctx: JobContext): Promise<CompareResult> {
  const { stats, fitKey } = await datasetGaussian(p, ctx);
  const data = await loadTrainingData(ds, ctx);
  if (stats.mean.length !== data.shape[0] * data.shape[1] * data.shape[2]) {
    throw new UserError(`the statistics have D = ${stats.mean.length} but the dataset's images have D = ${data.shape.join('×')}`, 'Use statistics of this dataset at its resolution.');
  }
  const run = newRun(p, net, fitKey, data, stats.eigval, protocols, probes, seed, approxSpecs);
  const { sigmas, skipped } = sigmaGrid(p.sigmas ?? DEFAULT_SIGMAS, net);
  run.sigmas = sigmas;
  run.skippedSigmas = skipped;
  if (!sigmas.length) throw new UserError(`none of the requested σ values is inside the model's noise range: ${skipped.map((s) => s.reason).join('; ')}`);
  const rows: CompareRow[] = [];
  const save = (): void => {
    writeFileAtomic(path.join(p.out, 'run.json'), JSON.stringify(run, null, 2));
    writeFileAtomic(path.join(p.out, 'results.csv'), rowsToCsv(rows));
  };
  fs.mkdirSync(p.out, { recursive: true });
  try {
    ctx.progress('building the analytical models', 0.12);
    // Probes first: building the delta mixture takes over the training images (see buildApproximations).
    const probeSets = protocols.map((protocol) => drawProbes(protocol, data, probes, seed));
    const models = await buildApproximations(approxSpecs, data, stats, seed, ctx.signal, (m) => ctx.progress(m, 0.12), ctx.settings.lapack);
    run.approximations = models.map((m) => ({ name: m.name, spec: m.spec, detail: m.detail }));
    save();
    const total = sigmas.length * protocols.length;
    let done = 0;
    for (const set of probeSets) {
      const protocol = set.protocol;
      const grid = await gridOutputs(models, set, sigmas.map((s) => s.used), ctx, `protocol ${protocol}`, 0.15 + 0.85 * (done / total));
      for (const [si, s] of sigmas.entries()) {
        throwIfCancelled(ctx.signal);
        ctx.progress(`protocol ${protocol}, σ ${done + 1}/${total} (σ = ${s.used.toPrecision(3)})`, 0.15 + 0.85 * (done / total));
        const { sigmaRows, timing } = await oneSigma(set, si, s, net, models, grid, stats.mean, ctx);
        rows.push(...sigmaRows);
        run.timings.push(timing);
        run.completedSigmas = ++done;
        save();
        ctx.partial({ index: done, total, rows: sigmaRows, timing, run });
      }
    }
    run.status = 'complete';
  } catch (e) {
    run.status = e instanceof CancelledError ? 'cancelled' : 'failed';
    if (!(e instanceof CancelledError)) run.error = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    run.finishedAt = new Date().toISOString();
    save();
  }
  return { runDir: p.out, run, rows };
}

/** The dataset Gaussian: imported statistics (e.g. the authors' PCA files) or a (cached) fit of the dataset. */
async function datasetGaussian(p: CompareParams, ctx: JobContext): Promise<{ stats: GaussianStats; fitKey: string }> {
  if (p.statsFile) {
    ctx.progress(`loading statistics from ${path.basename(p.statsFile)}`);
    const target = p.scale === 'zero1' ? 'zero1' : 'minus1to1';
    const stats = await loadStats(p.statsFile, { fileScale: p.statsScale, targetScale: target });
    return { stats, fitKey: `imported:${crypto.createHash('sha256').update(fs.readFileSync(p.statsFile)).digest('hex').slice(0, 24)}` };
  }
  ctx.progress('fitting (or loading) the dataset Gaussian');
  const fit = await fitDataset({ dataset: p.dataset, scale: p.scale, layout: p.layout, topk: p.topk, cacheDir: p.cacheDir }, { ...ctx, progress: (m, f) => ctx.progress(`dataset fit: ${m}`, f === undefined ? undefined : 0.1 * f) });
  return { stats: await readFitStats(fit.statsDir), fitKey: fit.meta.cacheKey };
}

async function loadTrainingData(ds: Dataset, ctx: JobContext): Promise<TrainingData> {
  const { count, channels, height, width } = ds.info;
  const d = channels * height * width;
  const images = new Float32Array(count * d);
  const labels = ds.info.hasLabels ? new Int32Array(count) : undefined;
  for await (const b of ds.batches(4096, ctx.signal)) {
    images.set(b.data, b.start * d);
    if (labels && b.labels) labels.set(b.labels, b.start);
    ctx.progress(`loading training images ${b.start + b.count}/${count}`, 0.1 + 0.02 * ((b.start + b.count) / count));
  }
  return { images, count, shape: [channels, height, width], ...(labels ? { labels } : {}) };
}

/** σ values the model can take: discrete models snap (the snapped σ is used everywhere); outside the range is skipped. */
function sigmaGrid(requested: number[], net: OnnxDenoiser): { sigmas: CompareRun['sigmas']; skipped: CompareRun['skippedSigmas'] } {
  const sigmas: CompareRun['sigmas'] = [];
  const skipped: CompareRun['skippedSigmas'] = [];
  for (const s of requested) {
    try {
      const used = net.effectiveSigma(s);
      if (!sigmas.some((x) => x.used === used)) sigmas.push({ requested: s, used });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      skipped.push({ sigma: s, reason: e.message });
    }
  }
  return { sigmas, skipped };
}

/**
 * Denoisers that evaluate a whole σ grid at once for the shared probes (the delta mixture: its products with the
 * training set are computed once per probe, not once per σ), run before the σ loop.
 */
async function gridOutputs(models: NamedDenoiser[], set: ProbeSet, sigmas: number[], ctx: JobContext, label: string, fraction: number): Promise<Map<string, GridDenoised>> {
  const out = new Map<string, GridDenoised>();
  for (const m of models) {
    if (!(m.denoiser instanceof DeltaDenoiser)) continue;
    ctx.progress(`${label}: ${m.name} for all ${sigmas.length} σ`, fraction);
    out.set(m.name, await m.denoiser.denoiseGrid(set.base, set.noise, set.n, sigmas, ctx.signal, (done) => ctx.progress(`${label}: ${m.name} for all ${sigmas.length} σ, probes ${done}/${set.n}`, fraction)));
  }
  return out;
}

async function oneSigma(set: ProbeSet, si: number, s: { requested: number; used: number }, net: OnnxDenoiser, models: NamedDenoiser[], grid: Map<string, GridDenoised>, mean: Float64Array, ctx: JobContext): Promise<{ sigmaRows: CompareRow[]; timing: CompareRun['timings'][number] }> {
  const sigma = s.used;
  const probes = set.n;
  const protocol = set.protocol;
  const x = probesAt(set, sigma);
  let t = performance.now();
  const dnn = await net.denoise(x, probes, sigma, ctx.signal);
  const networkSeconds = (performance.now() - t) / 1000;
  const analyticalSeconds: Record<string, number> = {};
  const sigmaRows: CompareRow[] = [];
  for (const m of models) {
    throwIfCancelled(ctx.signal);
    const precomputed = grid.get(m.name);
    t = performance.now();
    const dm = precomputed ? precomputed.outputs[si] : await m.denoiser.denoise(x, probes, sigma, ctx.signal);
    analyticalSeconds[m.name] = precomputed ? precomputed.seconds[si] : (performance.now() - t) / 1000;
    const pm = probeMetrics(dnn, dm, x, probes, sigma, mean);
    const st = meanStd(pm.stEv), str = meanStd(pm.stEvRev), dt = meanStd(pm.dtEv), dtr = meanStd(pm.dtEvRev);
    const sv = meanStd(pm.stVar), dv = meanStd(pm.dtVar), dc = meanStd(pm.dtEvCentered);
    sigmaRows.push({
      protocol, sigma, sigma_requested: s.requested, name: m.name,
      St_EV: st.mean, St_EV_std: st.std, St_EV_rev: str.mean, St_EV_rev_std: str.std,
      Dt_EV: dt.mean, Dt_EV_std: dt.std, Dt_EV_rev: dtr.mean, Dt_EV_rev_std: dtr.std,
      St_Var: sv.mean, St_Var_std: sv.std, Dt_Var: dv.mean, Dt_Var_std: dv.std,
      St_residual: 1 - st.mean, St_rev_residual: 1 - str.mean, Dt_residual: 1 - dt.mean, Dt_rev_residual: 1 - dtr.mean,
      Dt_EV_centered: dc.mean, Dt_EV_centered_std: dc.std,
      n: probes,
    });
  }
  return { sigmaRows, timing: { protocol, sigma, networkSeconds, analyticalSeconds } };
}

function newRun(p: CompareParams, net: OnnxDenoiser, fitKey: string, data: TrainingData, eigval: Float64Array, protocols: Protocol[], probes: number, seed: number, approx: string[]): CompareRun {
  const { cacheDir: _c, out: _o, ...params } = p;
  const meanEig = eigval.reduce((a, v) => a + v, 0) / eigval.length;
  return {
    status: 'running',
    engineVersion: ENGINE_VERSION,
    createdAt: new Date().toISOString(),
    params: { ...params, protocols, probes, seed, approx },
    model: { file: net.card.file, sha256: net.card.sha256, parameterization: net.param.label, ...(net.card.configFile ? { config: net.card.configFile } : {}) },
    dataset: { path: path.resolve(p.dataset), count: data.count, shape: data.shape, fitKey },
    provider: net.provider.name,
    sigmas: [],
    skippedSigmas: [],
    approximations: [],
    sqrtEigval: Array.from(eigval.subarray(0, 10), Math.sqrt),
    sqrtMeanEigval: Math.sqrt(meanEig),
    timings: [],
    completedSigmas: 0,
  };
}
