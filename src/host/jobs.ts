// Runs engine jobs from the host: progress notification with Cancel, errors shown plainly, stacks to the log.
import * as vscode from 'vscode';
import { ComputeClient, JobCancelledError, JobFailedError } from '../compute/client';
import type { JobKind, JobMap } from '../protocol/jobs';
import type { ShownError } from '../protocol/webview';
import { engineSettings } from './settings';

export class Jobs {
  constructor(
    readonly client: ComputeClient,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * Runs a job; with `title`, shows a cancellable progress notification while it runs. `signal` (a panel's own
   * Cancel button) cancels it too; `onPartial` receives streamed partial results.
   */
  async run<K extends JobKind>(kind: K, params: JobMap[K]['params'], title?: string, signal?: AbortSignal, onPartial?: (p: JobMap[K]['partial']) => void): Promise<JobMap[K]['result']> {
    if (!title) return this.client.run(kind, params, engineSettings(), { signal, onPartial });
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const ctl = new AbortController();
      token.onCancellationRequested(() => ctl.abort());
      signal?.addEventListener('abort', () => ctl.abort(), { once: true });
      let last = 0;
      return this.client.run(kind, params, engineSettings(), {
        signal: ctl.signal,
        onPartial,
        onProgress: (message, fraction) => {
          const increment = fraction === undefined ? undefined : Math.max(0, fraction * 100 - last);
          if (fraction !== undefined) last = fraction * 100;
          progress.report({ message, ...(increment !== undefined ? { increment } : {}) });
        },
      });
    });
  }

  /** Turns any job failure into what a panel shows; internal errors are logged with their stack. */
  explain(e: unknown): ShownError {
    if (e instanceof JobFailedError) {
      if (!e.error.user) this.log.error(e.error.stack ?? e.error.message);
      return { message: e.error.message, ...(e.error.hint ? { hint: e.error.hint } : {}) };
    }
    if (e instanceof JobCancelledError) return { message: 'Cancelled.' };
    this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return { message: `Internal error: ${e instanceof Error ? e.message : String(e)}`, hint: 'Details are in the "Diffusion Inspector" output channel.' };
  }
}
