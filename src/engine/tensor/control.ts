// Cancellation (AbortSignal) and progress reporting shared by the long-running tensor routines.
import { CancelledError } from '../errors';

/** Progress callback: fraction of the whole job done (0..1) and the name of the current phase. */
export type ProgressFn = (fraction: number, phase: string) => void;

/** Options every long-running routine accepts. */
export interface RunControl {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Error thrown when a routine stops because its AbortSignal fired: the engine's CancelledError, so every layer
 * (compute process, CLI, panels) reports a cancellation as one, whichever routine noticed it. */
export class AbortError extends CancelledError {}

/** Throws AbortError when the signal has fired. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortError();
}

/** Lets queued events run (so an abort message can arrive), then throws if the signal has fired. */
export async function checkpoint(signal?: AbortSignal): Promise<void> {
  if (signal) await new Promise<void>((r) => setImmediate(r));
  throwIfAborted(signal);
}

/** Maps a sub-task's 0..1 progress into [start, start+span] of the parent's progress. */
export function subProgress(parent: ProgressFn | undefined, start: number, span: number): ProgressFn | undefined {
  if (!parent) return undefined;
  return (f, phase) => parent(start + span * Math.min(1, Math.max(0, f)), phase);
}
