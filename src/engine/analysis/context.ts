// What every analysis receives besides its parameters: settings, progress, partial results, cancellation.
import type { EngineSettings } from '../../protocol/jobs';

export interface JobContext {
  settings: EngineSettings;
  signal: AbortSignal;
  /** Reports progress; fraction in [0, 1] when known. */
  progress(message: string, fraction?: number): void;
  /** Streams a partial result (e.g. one σ of a sweep) to whoever started the job. */
  partial(data: unknown): void;
}

export const DEFAULT_SETTINGS: EngineSettings = { provider: 'auto', threads: 0, maxBatch: 64, lapack: 'auto' };

/** A context for headless runs (CLI, benchmarks, tests) that prints progress through `log` when given. */
export function headlessContext(settings: Partial<EngineSettings> = {}, log?: (line: string) => void, signal?: AbortSignal): JobContext {
  return {
    settings: { ...DEFAULT_SETTINGS, ...settings },
    signal: signal ?? new AbortController().signal,
    progress: (message, fraction) => log?.(fraction === undefined ? message : `${message} (${Math.round(fraction * 100)}%)`),
    partial: () => undefined,
  };
}
