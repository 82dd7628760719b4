// The compute process: a forked Node process that runs engine analyses for the extension host over IPC.
import type { ComputeToHost, HostToCompute, JobKind } from '../protocol/jobs';
import { ANALYSES, Analysis } from '../engine/analysis/registry';
import { CancelledError, describeError } from '../engine/errors';

const running = new Map<number, AbortController>();

function send(msg: ComputeToHost): void {
  process.send?.(msg);
}

async function start(msg: Extract<HostToCompute, { type: 'start' }>): Promise<void> {
  const ctl = new AbortController();
  running.set(msg.id, ctl);
  try {
    const analysis = ANALYSES[msg.kind] as Analysis<JobKind> | undefined;
    if (!analysis) throw new Error(`unknown job kind ${msg.kind}`);
    const result = await analysis(msg.params as never, {
      settings: msg.settings,
      signal: ctl.signal,
      progress: (message, fraction) => send({ type: 'progress', id: msg.id, message, ...(fraction !== undefined ? { fraction } : {}) }),
      partial: (data) => send({ type: 'partial', id: msg.id, data }),
    });
    send({ type: 'result', id: msg.id, result });
  } catch (e) {
    if (e instanceof CancelledError) send({ type: 'cancelled', id: msg.id });
    else send({ type: 'error', id: msg.id, error: { ...describeError(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) } });
  } finally {
    running.delete(msg.id);
  }
}

process.on('message', (msg: HostToCompute) => {
  if (msg.type === 'start') void start(msg);
  else if (msg.type === 'cancel') running.get(msg.id)?.abort();
});
// The host going away must not leave an orphan computing.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
