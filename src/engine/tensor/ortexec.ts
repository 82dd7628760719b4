// Runs small in-memory ONNX graphs (GEMM-shaped linear algebra) on onnxruntime's CPU provider, caching one session per graph.
import type * as OrtModule from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph';
import { loadOrt } from '../runtime/ort';

/** Floating-point element types the helpers run in. */
export type Float = 'float32' | 'float64';
/** The typed arrays behind them. */
export type FloatArray = Float32Array | Float64Array;

/** One graph input: element type, data (a plain ArrayBuffer view, not a SharedArrayBuffer) and dims. */
export interface Feed {
  type: Float | 'int64' | 'uint8';
  data: FloatArray | BigInt64Array | Uint8Array;
  dims: number[];
}

/** Per-call options of OrtLinalg.run. */
export interface RunOptions {
  threads?: number;
  into?: Record<string, Feed>;
  arena?: boolean;
}

/** Options for the executor. */
export interface OrtLinalgOptions {
  /** intra-op threads; 0 or undefined = onnxruntime's default (one per physical core). */
  threads?: number;
}

/** Cache of ORT sessions for in-memory graphs plus GEMM helpers on flat row-major arrays. */
export class OrtLinalg {
  private sessions = new Map<string, Promise<OrtModule.InferenceSession>>();
  private readonly ort = loadOrt();

  constructor(private readonly opts: OrtLinalgOptions = {}) {}

  /** Threads used for large GEMMs (0 = onnxruntime's default). */
  get threads(): number {
    return this.opts.threads ?? 0;
  }

  /**
   * Runs the graph cached under `key` (built by `build` on first use) and returns the named outputs' data.
   * Options: `threads` overrides the executor's setting for this graph (1 suits memory-bound graphs on a busy machine);
   * `into` names preallocated output arrays (exact size, not aliasing an input) that onnxruntime writes directly;
   * `arena: false` turns off onnxruntime's CPU memory arena, which is slow to grow when every call has a new shape.
   */
  async run(key: string, build: () => GraphBuilder, feeds: Record<string, Feed>, outputs: string[], opts: RunOptions = {}): Promise<FloatArray[]> {
    const threads = opts.threads ?? this.opts.threads ?? 0;
    const arena = opts.arena ?? true;
    const into = opts.into;
    const k = `${key}@${threads}${arena ? '' : ':noarena'}`;
    let s = this.sessions.get(k);
    if (!s) {
      // Created here rather than through runtime/ort.ts's openSession, which has no way to pass the arena option.
      s = this.ort.InferenceSession.create(build().toBytes(), {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        enableCpuMemArena: arena,
        ...(threads ? { intraOpNumThreads: threads } : {}),
      });
      this.sessions.set(k, s);
      s.catch(() => this.sessions.delete(k));
    }
    const session = await s;
    const ortFeeds: Record<string, OrtModule.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new this.ort.Tensor(f.type, f.data, f.dims);
    if (into) {
      const fetches: Record<string, OrtModule.Tensor | null> = {};
      for (const o of outputs) fetches[o] = into[o] ? new this.ort.Tensor(into[o].type, into[o].data, into[o].dims) : null;
      const res = await session.run(ortFeeds, fetches);
      return outputs.map((o) => (into[o] ? (into[o].data as FloatArray) : (res[o].data as FloatArray)));
    }
    const res = await session.run(ortFeeds, outputs);
    return outputs.map((o) => res[o].data as FloatArray);
  }

  /** C[m×n] = A[m×k]·B[k×n] (row-major), in the arrays' precision. */
  async matmul<T extends FloatArray>(a: T, m: number, k: number, b: T, n: number): Promise<T> {
    const t = floatType(a);
    const [c] = await this.run(
      `matmul:${t}`,
      () => new GraphBuilder('matmul').input('A', t, ['m', 'k']).input('B', t, ['k', 'n']).node('MatMul', ['A', 'B'], ['C']).output('C', t, ['m', 'n']),
      { A: { type: t, data: a, dims: [m, k] }, B: { type: t, data: b, dims: [k, n] } },
      ['C'],
    );
    return c as T;
  }

  /** C[m×n] = Aᵀ·B with A stored k×m and B stored k×n (row-major). */
  async gemmTN<T extends FloatArray>(a: T, k: number, m: number, b: T, n: number): Promise<T> {
    const t = floatType(a);
    const [c] = await this.run(
      `gemmTN:${t}`,
      () =>
        new GraphBuilder('gemmTN')
          .input('A', t, ['k', 'm'])
          .input('B', t, ['k', 'n'])
          .node('Gemm', ['A', 'B'], ['C'], { transA: 1 })
          .output('C', t, ['m', 'n']),
      { A: { type: t, data: a, dims: [k, m] }, B: { type: t, data: b, dims: [k, n] } },
      ['C'],
    );
    return c as T;
  }

  /** Drops every cached session. */
  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) {
      try {
        await (await s).release();
      } catch {
        /* already gone */
      }
    }
  }
}

/** 'float32' or 'float64' for a typed array. */
export function floatType(a: FloatArray): Float {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

let shared: OrtLinalg | undefined;
/** A process-wide executor with default threads, for callers that do not manage their own. */
export function defaultLinalg(): OrtLinalg {
  if (!shared) shared = new OrtLinalg();
  return shared;
}
