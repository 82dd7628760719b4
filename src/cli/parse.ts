// Argument helpers of the CLI: typed flag values with usage errors that say what was expected.
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineSettings } from '../protocol/jobs';

export class UsageError extends Error {}

export function one(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`expected one ${what} argument, got ${args.length}`);
  return args[0];
}

export function two(args: string[], what: [string, string]): [string, string] {
  if (args.length !== 2) throw new UsageError(`expected ${what[0]} and ${what[1]}, got ${args.length} argument(s)`);
  return [args[0], args[1]];
}

export function num(s: string, flag: string): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number (got ${s})`);
  return n;
}

export function int(s: string | undefined, flag: string, min: number): number | undefined {
  if (s === undefined) return undefined;
  const n = num(s, flag);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min} (got ${s})`);
  return n;
}

export function numberList(s: string | undefined, flag: string): number[] | undefined {
  if (s === undefined) return undefined;
  const list = s.split(',').map((p) => num(p, flag));
  if (list.some((v) => !(v > 0))) throw new UsageError(`${flag} values must be positive`);
  return list;
}

export function choice<T extends string>(s: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (s === undefined) return undefined;
  if (!allowed.includes(s as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got ${s})`);
  return s as T;
}

export function shape(s: string): [number, number, number] {
  const parts = s.split(',').map((p) => Number(p));
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p <= 0)) throw new UsageError(`--shape must be C,H,W (got ${s})`);
  return parts as [number, number, number];
}

export function engineSettings(v: { provider?: string; threads?: string; 'max-batch'?: string; lapack?: string }): Partial<EngineSettings> {
  const s: Partial<EngineSettings> = {};
  const provider = choice(v.provider, '--provider', ['auto', 'cpu', 'cuda', 'webgpu'] as const);
  if (provider) s.provider = provider;
  const threads = int(v.threads, '--threads', 0);
  if (threads !== undefined) s.threads = threads;
  const maxBatch = int(v['max-batch'], '--max-batch', 1);
  if (maxBatch !== undefined) s.maxBatch = maxBatch;
  if (v.lapack !== undefined) s.lapack = v.lapack;
  return s;
}

/** Where cached fits live for the CLI: --cache-dir, else $XDG_CACHE_HOME or ~/.cache, /diffusion-inspector. */
export function cacheDir(flag: string | undefined): string {
  if (flag) return path.resolve(flag);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'diffusion-inspector');
}
