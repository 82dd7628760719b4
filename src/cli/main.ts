// The headless CLI on the same engine: `diffusion-inspector <command> …` prints JSON and writes result folders.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Protocol } from '../protocol/compare';
import { headlessContext } from '../engine/analysis/context';
import { ANALYSES } from '../engine/analysis/registry';
import { describeError } from '../engine/errors';
import { cardProblem } from '../engine/model/modelCard';
import { writeFileAtomic } from '../engine/store/atomic';
import { encodeStats, loadStats } from '../engine/store/stats';
import { UsageError, cacheDir, choice, engineSettings, int, num, numberList, one, shape, two } from './parse';

const USAGE = `Usage: diffusion-inspector <command> [options]

Commands:
  info <model.onnx> [--config <file.json>]
      print the model card as JSON (exit 1 if the model is unusable)
  probe <model.onnx> [--config <file.json>] [--sigma S] [--batch N] [--shape C,H,W]
      run D(x, σ) once and report the execution provider and timing
  fit <dataset> --out <dir> [--topk K] [--scale minus1to1|zero1|raw] [--layout NCHW|NHWC|NHW] [--ddof 0|1] [--authors-layout]
      mean, covariance and eigendecomposition; writes stats.npz (float64 mean, eigval descending, eigvec columns)
      and fit.json; --authors-layout also writes stats_authors_layout.npz ([0,1] pixels, ascending, 1/(N-1))
  import-stats <file.npz> --out <dir> [--file-scale zero1|minus1to1]
      convert statistics in the authors' layout (imgmean, eigval, eigvec) or ours to our stats.npz in [-1,1]
  compare <model.onnx> <dataset> --out <dir> [--config <json>] [--sigmas 0.1,1,10] [--probes N] [--seed S]
          [--approx gaussian,delta,gmm:10,class,mean,meanstd] [--protocol A|B|A,B] [--topk K] [--scale …]
          [--stats <stats.npz> [--file-scale zero1|minus1to1]]   (use these statistics instead of fitting)
      explained variance of analytical denoisers vs the network per σ: writes run.json and results.csv

Options for every command:
  --provider auto|cpu|cuda|webgpu   execution provider (default auto: CUDA, then WebGPU, then CPU)
  --threads N                       onnxruntime intra-op threads (default 0 = one per core)
  --max-batch N                     largest batch per network run (default 64)
  --lapack auto|off|<library>       LAPACK for full eigendecompositions (default auto: the system's when one loads)
  --cache-dir <dir>                 cached fits (default $XDG_CACHE_HOME/diffusion-inspector or ~/.cache/…)
  -h, --help                        this text
`;

const OPTIONS = {
  config: { type: 'string' },
  sigma: { type: 'string' },
  sigmas: { type: 'string' },
  batch: { type: 'string' },
  shape: { type: 'string' },
  out: { type: 'string' },
  topk: { type: 'string' },
  scale: { type: 'string' },
  layout: { type: 'string' },
  ddof: { type: 'string' },
  'authors-layout': { type: 'boolean' },
  'file-scale': { type: 'string' },
  stats: { type: 'string' },
  probes: { type: 'string' },
  seed: { type: 'string' },
  approx: { type: 'string' },
  protocol: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
  'max-batch': { type: 'string' },
  lapack: { type: 'string' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
type Out = (s: string) => void;

/** Runs the CLI; returns the process exit code (0 ok, 1 bad input or unusable model, 2 internal error). */
export async function main(argv: string[], out: Out = (s) => process.stdout.write(s), err: Out = (s) => process.stderr.write(s)): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      out(USAGE);
      return command || values.help ? 0 : 1;
    }
    return await run(command, rest, values, out, err);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`error: ${(e as Error).message}\n\n${USAGE}`);
      return 1;
    }
    const d = describeError(e);
    err(`error: ${d.message}\n${d.hint ? `hint: ${d.hint}\n` : ''}${d.user ? '' : `${(e as Error).stack ?? ''}\n`}`);
    return d.user ? 1 : 2;
  }
}

async function run(command: string, rest: string[], v: Values, out: Out, err: Out): Promise<number> {
  const ctx = headlessContext(engineSettings(v), (line) => err(`${line}\n`));
  const scale = choice(v.scale, '--scale', ['minus1to1', 'zero1', 'raw'] as const);
  const layout = choice(v.layout, '--layout', ['NCHW', 'NHWC', 'NHW', 'auto'] as const);
  const json = (x: unknown): void => out(JSON.stringify(x, null, 2) + '\n');
  switch (command) {
    case 'info': {
      const card = await ANALYSES.modelCard({ file: one(rest, 'model.onnx'), config: v.config }, ctx);
      json(card);
      const problem = cardProblem(card);
      if (problem) err(`error: ${problem}\n`);
      return problem ? 1 : 0;
    }
    case 'probe':
      json(await ANALYSES.probeDenoiser({ file: one(rest, 'model.onnx'), config: v.config, sigma: num(v.sigma ?? '1', '--sigma'), batch: int(v.batch, '--batch', 1) ?? 8, ...(v.shape ? { imageShape: shape(v.shape) } : {}) }, ctx));
      return 0;
    case 'fit': {
      const summary = await ANALYSES.fit({ dataset: one(rest, 'dataset'), out: required(v.out, '--out'), scale, layout, topk: int(v.topk, '--topk', 1), ddof: int(v.ddof, '--ddof', 0), authorsLayout: v['authors-layout'], cacheDir: cacheDir(v['cache-dir']) }, ctx);
      err(summary.cacheHit ? `cache hit: reused ${summary.statsDir}\n` : `fitted and cached in ${summary.statsDir}\n`);
      json(summary.meta);
      return 0;
    }
    case 'import-stats': {
      const file = one(rest, 'statistics file');
      const dir = required(v.out, '--out');
      const stats = await loadStats(file, { fileScale: choice(v['file-scale'], '--file-scale', ['zero1', 'minus1to1'] as const), targetScale: 'minus1to1' });
      fs.mkdirSync(dir, { recursive: true });
      writeFileAtomic(path.join(dir, 'stats.npz'), encodeStats(stats));
      json({ imported: path.resolve(file), dim: stats.mean.length, rank: stats.eigval.length, scale: 'minus1to1', out: path.join(dir, 'stats.npz') });
      return 0;
    }
    case 'compare': {
      const [model, dataset] = two(rest, ['model.onnx', 'dataset']);
      const protocols = v.protocol?.split(',').map((p) => choice(p.trim().toUpperCase(), '--protocol', ['A', 'B'] as const) as Protocol);
      const result = await ANALYSES.compare(
        { model, dataset, out: path.resolve(required(v.out, '--out')), config: v.config, scale, layout, sigmas: numberList(v.sigmas, '--sigmas'), probes: int(v.probes, '--probes', 1), seed: int(v.seed, '--seed', 0), approx: v.approx?.split(',').map((s) => s.trim()).filter(Boolean), protocols, topk: int(v.topk, '--topk', 1), statsFile: v.stats, statsScale: choice(v['file-scale'], '--file-scale', ['zero1', 'minus1to1'] as const), cacheDir: cacheDir(v['cache-dir']) },
        ctx,
      );
      err(`wrote ${path.join(result.runDir, 'run.json')} and results.csv\n`);
      json({ runDir: result.runDir, status: result.run.status, sigmas: result.run.sigmas, skippedSigmas: result.run.skippedSigmas, rows: result.rows.length });
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function required(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError(`${flag} is required`);
  return v;
}
