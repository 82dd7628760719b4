// The headless CLI on the same engine: `diffusion-inspector <command> …` prints JSON and writes run folders.
import { parseArgs } from 'node:util';
import type { EngineSettings } from './protocol/jobs';
import { headlessContext } from './engine/analysis/context';
import { ANALYSES } from './engine/analysis/registry';
import { describeError } from './engine/errors';
import { cardProblem } from './engine/model/modelCard';

const USAGE = `Usage: diffusion-inspector <command> [options]

Commands:
  info <model.onnx> [--config <file.json>]        print the model card as JSON (exit 1 if the model is unusable)
  probe <model.onnx> [--config <file.json>] [--sigma S] [--batch N] [--shape C,H,W]
                                                  run D(x, σ) once and report the execution provider and timing

Engine options (all commands):
  --provider auto|cpu|cuda|webgpu   execution provider (default auto: CUDA, then WebGPU, then CPU)
  --threads N                       onnxruntime intra-op threads (default 0 = one per core)
  --max-batch N                     largest batch per network run (default 64)
  -h, --help                        this text
`;

const OPTIONS = {
  config: { type: 'string' },
  sigma: { type: 'string' },
  batch: { type: 'string' },
  shape: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
  'max-batch': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Runs the CLI; returns the process exit code (0 ok, 1 bad input or unusable model, 2 internal error). */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      out(USAGE);
      return command || values.help ? 0 : 1;
    }
    const settings = engineSettings(values);
    const ctx = headlessContext(settings, (line) => err(`${line}\n`));
    switch (command) {
      case 'info': {
        const card = await ANALYSES.modelCard({ file: one(rest, 'model.onnx'), config: values.config }, ctx);
        out(JSON.stringify(card, null, 2) + '\n');
        const problem = cardProblem(card);
        if (problem) err(`error: ${problem}\n`);
        return problem ? 1 : 0;
      }
      case 'probe': {
        const result = await ANALYSES.probeDenoiser(
          {
            file: one(rest, 'model.onnx'),
            config: values.config,
            sigma: num(values.sigma ?? '1', '--sigma'),
            batch: Math.max(1, Math.round(num(values.batch ?? '8', '--batch'))),
            ...(values.shape ? { imageShape: shape(values.shape) } : {}),
          },
          ctx,
        );
        out(JSON.stringify(result, null, 2) + '\n');
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
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

function engineSettings(v: Values): Partial<EngineSettings> {
  const s: Partial<EngineSettings> = {};
  if (v.provider !== undefined) {
    if (!['auto', 'cpu', 'cuda', 'webgpu'].includes(v.provider)) throw new UsageError(`--provider must be auto, cpu, cuda or webgpu (got ${v.provider})`);
    s.provider = v.provider as EngineSettings['provider'];
  }
  if (v.threads !== undefined) s.threads = Math.max(0, Math.round(num(v.threads, '--threads')));
  if (v['max-batch'] !== undefined) s.maxBatch = Math.max(1, Math.round(num(v['max-batch'], '--max-batch')));
  return s;
}

function one(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`expected one ${what} argument, got ${args.length}`);
  return args[0];
}

function num(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number (got ${s})`);
  return n;
}

function shape(s: string): [number, number, number] {
  const parts = s.split(',').map((p) => Number(p));
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p <= 0)) throw new UsageError(`--shape must be C,H,W (got ${s})`);
  return parts as [number, number, number];
}
