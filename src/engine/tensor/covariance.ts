// Streaming mean and covariance of float32 rows: per-chunk centred XᵀX through onnxruntime, merged in float64 (Chan et al.).
import { GraphBuilder } from '../onnx/graph';
import { checkpoint, ProgressFn, RunControl } from './control';
import { defaultLinalg, Float, OrtLinalg } from './ortexec';

/** Options of the accumulator. */
export interface CovarianceOptions extends RunControl {
  /** Number of columns D. */
  dim: number;
  /** Rows per ORT product (default: up to 8192, fewer for large D so a chunk stays ≤ 64 MiB). */
  chunkRows?: number;
  /** Precision of the chunk products: 'float32' (default, about 2× faster) or 'float64' (exact to ~1e-15). */
  precision?: Float;
  /** Column blocks: only the b(b+1)/2 lower blocks of XᵀX are computed (default 4 for D ≥ 512, 2 for D ≥ 128, else 1). */
  blocks?: number;
  /** Expected total rows, only used to scale progress (without it progress reports 0). */
  expectedRows?: number;
  /**
   * Batches are Uint8Array values v standing for v·scale + offset (e.g. 1/127.5 and −1 for [−1, 1] images): converted
   * inside the ORT graph, statistics kept in raw units and mapped at finalize (mean·scale + offset, covariance·scale²).
   */
  uint8?: { scale: number; offset: number };
  linalg?: OrtLinalg;
}

/** Result of finalize(): mean (D), covariance (D×D row-major, symmetric), N and the divisor used. */
export interface CovarianceResult {
  mean: Float64Array;
  cov: Float64Array;
  count: number;
  /** The covariance was divided by count − ddof (ddof 0 = 1/N, the GTD convention; 1 = unbiased 1/(N−1)). */
  ddof: number;
  /** Sum of the diagonal (total variance). */
  trace: number;
}

/**
 * Accumulates rows batch by batch. Each chunk is centred at its own mean (rounded to the product precision, the rounding
 * is corrected exactly), its Gram matrix is computed by ORT, and chunks are merged with Chan's pairwise update in float64,
 * so no large sums cancel. Only the lower triangle is accumulated and mirrored at the end.
 */
export class CovarianceAccumulator {
  readonly dim: number;
  private readonly chunkRows: number;
  private readonly precision: Float;
  private readonly blocks: number;
  private readonly linalg: OrtLinalg;
  private readonly buf: Float32Array | Uint8Array;
  private readonly u8?: { scale: number; offset: number };
  private fill = 0;
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array; // lower triangle used
  private readonly signal?: AbortSignal;
  private readonly onProgress?: ProgressFn;
  private readonly expected?: number;

  constructor(opts: CovarianceOptions) {
    const d = opts.dim;
    if (!(d > 0 && Number.isInteger(d))) throw new Error(`covariance: bad dim ${d}`);
    this.dim = d;
    this.precision = opts.precision ?? 'float32';
    const bytes = this.precision === 'float64' ? 8 : 4;
    this.chunkRows = Math.max(1, opts.chunkRows ?? Math.min(8192, Math.max(256, Math.floor((64 << 20) / (bytes * d)))));
    this.blocks = Math.max(1, Math.min(opts.blocks ?? (d >= 512 ? 4 : d >= 128 ? 2 : 1), Math.floor(d / 16) || 1));
    this.linalg = opts.linalg ?? defaultLinalg();
    this.u8 = opts.uint8;
    this.buf = this.u8 ? new Uint8Array(this.chunkRows * d) : new Float32Array(this.chunkRows * d);
    this.mean = new Float64Array(d);
    this.m2 = new Float64Array(d * d);
    this.signal = opts.signal;
    this.onProgress = opts.onProgress;
    this.expected = opts.expectedRows;
  }

  /** Rows per ORT product. */
  get chunkSize(): number {
    return this.chunkRows;
  }

  /** Rows merged so far (including rows still buffered). */
  get count(): number {
    return this.n + this.fill;
  }

  /** Adds `rows` rows (row-major, `rows × dim` values from index 0): Float32Array, or Uint8Array with the uint8 option. */
  async add(batch: Float32Array | Uint8Array, rows = Math.floor(batch.length / this.dim)): Promise<void> {
    const d = this.dim;
    if (rows * d > batch.length) throw new Error(`covariance: batch has ${batch.length} values, not ${rows}×${d}`);
    if (batch instanceof Uint8Array !== !!this.u8) throw new Error(`covariance: ${this.u8 ? 'Uint8Array' : 'Float32Array'} batches expected`);
    // Whole chunks of an ordinary (non-shared) buffer go to ORT without a copy.
    const direct = !(batch.buffer instanceof SharedArrayBuffer);
    let r = 0;
    while (r < rows) {
      if (direct && this.fill === 0 && rows - r >= this.chunkRows) {
        await this.flush(batch.subarray(r * d, (r + this.chunkRows) * d), this.chunkRows);
        r += this.chunkRows;
        continue;
      }
      const take = Math.min(rows - r, this.chunkRows - this.fill);
      this.buf.set(batch.subarray(r * d, (r + take) * d), this.fill * d);
      this.fill += take;
      r += take;
      if (this.fill === this.chunkRows) await this.flush(this.buf, this.fill);
    }
  }

  /** Merges buffered rows and returns mean and covariance (divided by N − ddof; default ddof 0, i.e. 1/N). */
  async finalize(opts: { ddof?: number } = {}): Promise<CovarianceResult> {
    if (this.fill > 0) await this.flush(this.buf, this.fill);
    const ddof = opts.ddof ?? 0;
    const d = this.dim;
    const n = this.n;
    if (n - ddof <= 0) throw new Error(`covariance: ${n} rows are not enough for ddof ${ddof}`);
    const cov = new Float64Array(d * d);
    const s = (this.u8 ? this.u8.scale ** 2 : 1) / (n - ddof);
    let trace = 0;
    for (let i = 0; i < d; i++) {
      const row = i * d;
      for (let j = 0; j <= i; j++) {
        const v = this.m2[row + j] * s;
        cov[row + j] = v;
        cov[j * d + i] = v;
      }
      trace += cov[row + i];
    }
    const mean = Float64Array.from(this.mean);
    if (this.u8) for (let j = 0; j < d; j++) mean[j] = mean[j] * this.u8.scale + this.u8.offset;
    return { mean, cov, count: n, ddof, trace };
  }

  // Processes one chunk: ORT gives G = (X − c)ᵀ(X − c) and the exact float64 column sums S; c is the running mean
  // (the first chunk's own mean to start), rounded to the product precision.
  private async flush(x: Float32Array | Uint8Array, rows: number): Promise<void> {
    await checkpoint(this.signal);
    const d = this.dim;
    const t = this.precision;
    const centre = t === 'float64' ? new Float64Array(d) : new Float32Array(d);
    if (this.n > 0) centre.set(this.mean);
    else {
      const s0 = new Float64Array(d);
      for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) s0[j] += x[r * d + j];
      for (let j = 0; j < d; j++) centre[j] = s0[j] / rows;
    }
    const nb = this.blocks;
    const xs = x.subarray(0, rows * d);
    const outs = ['S'];
    for (let p = 0; p < nb; p++) for (let q = 0; q <= p; q++) outs.push(`G${p}_${q}`);
    const input = x instanceof Uint8Array ? 'uint8' : t;
    const data = input === 'uint8' || t === 'float32' ? xs : Float64Array.from(xs);
    const [sum, ...gram] = await this.linalg.run(
      `cov:${input}:${t}:${d}:${nb}`,
      () => gramGraph(d, nb, t, input),
      { X: { type: input, data, dims: [rows, d] }, C: { type: t, data: centre, dims: [1, d] } },
      outs,
    );
    // a = Σ(x − c) exactly; chunk mean c + a/rows; M2_c = G − a aᵀ/rows; Chan merge M2 += M2_c + δδᵀ·n·rows/(n+rows).
    const a = new Float64Array(d);
    for (let j = 0; j < d; j++) a[j] = sum[j] - rows * centre[j];
    const nTot = this.n + rows;
    const w = (this.n * rows) / nTot;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = centre[j] + a[j] / rows - this.mean[j];
    const inv = 1 / rows;
    const m2 = this.m2;
    const bs = blockStarts(d, nb);
    for (let p = 0; p < nb; p++) {
      for (let q = 0; q <= p; q++) {
        const g = gram[(p * (p + 1)) / 2 + q];
        const w0 = bs[q + 1] - bs[q];
        for (let i = bs[p]; i < bs[p + 1]; i++) {
          const gi = (i - bs[p]) * w0 - bs[q];
          const ai = a[i] * inv;
          const di = delta[i] * w;
          const row = i * d;
          const jEnd = Math.min(bs[q + 1], i + 1);
          for (let j = bs[q]; j < jEnd; j++) m2[row + j] += g[gi + j] - ai * a[j] + di * delta[j];
        }
      }
    }
    for (let j = 0; j < d; j++) this.mean[j] += (delta[j] * rows) / nTot;
    this.n = nTot;
    if (x === this.buf) this.fill = 0;
    if (this.onProgress) this.onProgress(this.expected ? Math.min(1, nTot / this.expected) : 0, 'covariance');
  }
}

/** Column block boundaries [0, …, d] for nb nearly equal blocks. */
function blockStarts(d: number, nb: number): number[] {
  const s: number[] = [];
  for (let p = 0; p <= nb; p++) s.push(Math.round((p * d) / nb));
  return s;
}

// Graph: S = Σ_rows X in float64; Xc = X − C (uint8 input cast first); column blocks; G_pq = X_pᵀ X_q for p ≥ q.
function gramGraph(d: number, nb: number, t: Float, input: Float | 'uint8'): GraphBuilder {
  const g = new GraphBuilder('gram').input('X', input, ['n', d]).input('C', t, [1, d]);
  let x = 'X';
  if (input !== t) g.node('Cast', ['X'], [(x = 'Xt')], { to: t === 'float64' ? 11 : 1 });
  g.node('Sub', [x, 'C'], ['Xc']);
  g.initializer('axis0', 'int64', [1], [0]);
  if (input === 'float64') g.node('ReduceSum', ['X', 'axis0'], ['S'], { keepdims: 0 });
  else g.node('Cast', ['X'], ['X64'], { to: 11 }).node('ReduceSum', ['X64', 'axis0'], ['S'], { keepdims: 0 });
  g.output('S', 'float64', [d]);
  const bs = blockStarts(d, nb);
  const parts: string[] = [];
  if (nb === 1) parts.push('Xc');
  else {
    for (let p = 0; p < nb; p++) parts.push(`X${p}`);
    g.initializer('split', 'int64', [nb], bs.slice(1).map((v, i) => v - bs[i]));
    g.node('Split', ['Xc', 'split'], parts, { axis: 1 });
  }
  for (let p = 0; p < nb; p++) {
    for (let q = 0; q <= p; q++) {
      const o = `G${p}_${q}`;
      g.node('Gemm', [parts[p], parts[q]], [o], { transA: 1 });
      g.output(o, t, [bs[p + 1] - bs[p], bs[q + 1] - bs[q]]);
    }
  }
  return g;
}

/** Mean and covariance of a whole row-major float32 matrix (rows × dim) in one call. */
export async function covariance(
  data: Float32Array,
  rows: number,
  opts: CovarianceOptions & { ddof?: number },
): Promise<CovarianceResult> {
  const acc = new CovarianceAccumulator({ expectedRows: rows, ...opts });
  const step = acc.chunkSize;
  for (let r = 0; r < rows; r += step) {
    const take = Math.min(step, rows - r);
    await acc.add(data.subarray(r * opts.dim, (r + take) * opts.dim), take);
  }
  return acc.finalize({ ddof: opts.ddof });
}
