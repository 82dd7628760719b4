// The host's handle on the compute process: forks it on demand, runs typed jobs, survives its crashes.
import { ChildProcess, fork } from 'node:child_process';
import type { ComputeToHost, EngineSettings, HostToCompute, JobError, JobKind, JobMap } from '../protocol/jobs';

export interface RunOptions<K extends JobKind> {
  onProgress?: (message: string, fraction?: number) => void;
  onPartial?: (data: JobMap[K]['partial']) => void;
  signal?: AbortSignal;
}

/** A job that failed: `error.user` tells a user problem (show it) from a bug (log the stack). */
export class JobFailedError extends Error {
  constructor(readonly error: JobError) {
    super(error.message);
    this.name = 'JobFailedError';
  }
}

export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelledError';
  }
}

interface Pending {
  /** The process running the job (a stopped process fails only its own jobs). */
  child: ChildProcess;
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (message: string, fraction?: number) => void;
  onPartial?: (data: never) => void;
}

export class ComputeClient {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly script: string,
    private readonly log: (line: string) => void,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** How long a cancelled job may take to stop before its process is killed (a native call cannot look at the signal). */
    private readonly cancelGraceMs = 3000,
  ) {}

  /** Runs one job in the compute process; rejects with JobFailedError, JobCancelledError, or a crash error. */
  run<K extends JobKind>(kind: K, params: JobMap[K]['params'], settings: EngineSettings, opts: RunOptions<K> = {}): Promise<JobMap[K]['result']> {
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise<JobMap[K]['result']>((resolve, reject) => {
      this.pending.set(id, { child, resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress, onPartial: opts.onPartial as never });
      const cancel = (): void => {
        this.send(child, { type: 'cancel', id });
        setTimeout(() => this.stopUnresponsive(child, id), this.cancelGraceMs).unref();
      };
      if (opts.signal?.aborted) cancel();
      opts.signal?.addEventListener('abort', cancel, { once: true });
      this.send(child, { type: 'start', id, kind, params, settings });
    });
  }

  /** The pid of the running compute process, if any (tests use it to prove crash recovery). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }

  // A cancelled job still running after the grace period is inside a call that cannot be interrupted (e.g. LAPACK on a
  // large matrix): when it is the process's only job, the process is killed so the cancel takes effect now; the next
  // job forks a fresh one. With other jobs in flight the cancel waits rather than failing them.
  private stopUnresponsive(child: ChildProcess, id: number): void {
    const p = this.pending.get(id);
    if (!p || [...this.pending.values()].some((q) => q !== p && q.child === child)) return;
    this.log(`cancelled job ${id} did not stop within ${this.cancelGraceMs} ms: stopping compute process ${child.pid}`);
    this.pending.delete(id);
    p.reject(new JobCancelledError());
    if (this.child === child) this.child = undefined; // the next job forks a fresh process, not this dying one
    child.kill();
  }

  private send(child: ChildProcess, msg: HostToCompute): void {
    if (child.connected) child.send(msg);
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null && this.child.connected) return this.child;
    const child = fork(this.script, [], { env: this.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
    child.stdout?.on('data', (b: Buffer) => this.log(`[compute] ${b.toString().trimEnd()}`));
    child.stderr?.on('data', (b: Buffer) => this.log(`[compute:stderr] ${b.toString().trimEnd()}`));
    child.on('message', (m: ComputeToHost) => this.onMessage(m));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.child = child;
    return child;
  }

  private onMessage(m: ComputeToHost): void {
    if (m.type === 'ready') return this.log(`compute process ${m.pid} ready`);
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        p.onProgress?.(m.message, m.fraction);
        return;
      case 'partial':
        p.onPartial?.(m.data as never);
        return;
      case 'result':
        this.pending.delete(m.id);
        p.resolve(m.result);
        return;
      case 'error':
        this.pending.delete(m.id);
        if (m.error.stack) this.log(m.error.stack);
        p.reject(new JobFailedError(m.error));
        return;
      case 'cancelled':
        this.pending.delete(m.id);
        p.reject(new JobCancelledError());
        return;
    }
  }

  // A crash (native fault, out of memory, kill) fails the jobs in flight; the next job forks a fresh process.
  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = undefined;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const lost = [...this.pending].filter(([, p]) => p.child === child);
    if (lost.length) this.log(`compute process ${child.pid} stopped (${how}) with ${lost.length} job(s) running`);
    for (const [id, p] of lost) {
      this.pending.delete(id);
      p.reject(
        new JobFailedError({
          message: `The compute process stopped unexpectedly (${how}). The next run starts a fresh one.`,
          hint: 'If this repeats, see the "Diffusion Inspector" output channel and try the CPU execution provider.',
          user: true,
        }),
      );
    }
  }
}
