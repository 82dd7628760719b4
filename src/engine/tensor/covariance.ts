// Streaming mean and covariance of float32 rows: per-chunk centred XᵀX through onnxruntime, merged in float64 (Chan et al.).
import { GraphBuilder } from '../onnx/graph';
import { checkpoint, ProgressFn, RunControl } from './control';
import { defaultLinalg, Float, OrtLinalg } from './ortexec';

/** Options of the accumulator. */
export interface CovarianceOptions extends RunControl {
  /** Number of columns D. */
  dim: number;
  /** Rows per ORT product (default: up to 16384, fewer for large D so a chunk stays ≤ 64 MiB). */
  chunkRows?: number;
  /** Precision of the chunk products: 'float32' (default, about 2× faster) or 'float64' (exact to ~1e-15). */
  precision?: Float;
  /** Column blocks: only the b(b+1)/2 lower blocks of XᵀX are computed (default 1; 2–4 saved no time in measurements). */
  blocks?: number;
  /** Expected total rows, only used to scale progress. */
  expectedRows?: number;
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
  private readonly buf: Float32Array;
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
    this.chunkRows = Math.max(1, opts.chunkRows ?? Math.min(16384, Math.max(256, Math.floor((64 << 20) / (bytes * d)))));
    this.blocks = Math.max(1, Math.min(opts.blocks ?? 1, Math.floor(d / 16) || 1));
    this.linalg = opts.linalg ?? defaultLinalg();
    this.buf = new Float32Array(this.chunkRows * d);
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

  /** Adds `rows` rows (row-major, `rows × dim` values starting at index 0 of `batch`). */
  async add(batch: Float32Array, rows = Math.floor(batch.length / this.dim)): Promise<void> {
    const d = this.dim;
    if (rows * d > batch.length) throw new Error(`covariance: batch has ${batch.length} values, not ${rows}×${d}`);
    let r = 0;
    while (r < rows) {
      const take = Math.min(rows - r, this.chunkRows - this.fill);
      this.buf.set(batch.subarray(r * d, (r + take) * d), this.fill * d);
      this.fill += take;
      r += take;
      if (this.fill === this.chunkRows) await this.flush();
    }
  }

  /** Merges buffered rows and returns mean and covariance (divided by N − ddof; default ddof 0, i.e. 1/N). */
  async finalize(opts: { ddof?: number } = {}): Promise<CovarianceResult> {
    if (this.fill > 0) await this.flush();
    const ddof = opts.ddof ?? 0;
    const d = this.dim;
    const n = this.n;
    if (n - ddof <= 0) throw new Error(`covariance: ${n} rows are not enough for ddof ${ddof}`);
    const cov = new Float64Array(d * d);
    const s = 1 / (n - ddof);
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
    return { mean: Float64Array.from(this.mean), cov, count: n, ddof, trace };
  }

  // Processes the buffered rows as one chunk.
  private async flush(): Promise<void> {
    await checkpoint(this.signal);
    const d = this.dim;
    const rows = this.fill;
    const x = this.buf;
    // Chunk column sums in float64, and the centring vector in product precision.
    const sum = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) sum[j] += x[o + j];
    }
    const centre = this.precision === 'float64' ? new Float64Array(d) : new Float32Array(d);
    for (let j = 0; j < d; j++) centre[j] = sum[j] / rows;
    // a_j = Σ_r (x_rj − c_j), exact correction for the rounding of the centre.
    const a = new Float64Array(d);
    for (let j = 0; j < d; j++) a[j] = sum[j] - rows * centre[j];
    const gram = await this.gram(rows, centre);
    // Chunk statistics: mean_c = c + a/rows; M2_c = G − a aᵀ/rows. Chan merge: M2 += M2_c + δδᵀ·n·rows/(n+rows).
    const nTot = this.n + rows;
    const w = (this.n * rows) / nTot;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = centre[j] + a[j] / rows - this.mean[j];
    const inv = 1 / rows;
    const m2 = this.m2;
    const nb = this.blocks;
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
    this.fill = 0;
    if (this.onProgress) this.onProgress(this.expected ? Math.min(1, nTot / this.expected) : 0, 'covariance');
  }

  // Lower blocks G_pq = (X_p − c_p)ᵀ(X_q − c_q), p ≥ q, through one ORT graph.
  private async gram(rows: number, centre: Float32Array | Float64Array): Promise<(Float32Array | Float64Array)[]> {
    const d = this.dim;
    const t = this.precision;
    const nb = this.blocks;
    const x = t === 'float64' ? Float64Array.from(this.buf.subarray(0, rows * d)) : this.buf.subarray(0, rows * d);
    const outs: string[] = [];
    for (let p = 0; p < nb; p++) for (let q = 0; q <= p; q++) outs.push(`G${p}_${q}`);
    return this.linalg.run(
      `cov:${t}:${d}:${nb}`,
      () => gramGraph(d, nb, t),
      { X: { type: t, data: x, dims: [rows, d] }, C: { type: t, data: centre, dims: [1, d] } },
      outs,
    );
  }
}

/** Column block boundaries [0, …, d] for nb nearly equal blocks. */
function blockStarts(d: number, nb: number): number[] {
  const s: number[] = [];
  for (let p = 0; p <= nb; p++) s.push(Math.round((p * d) / nb));
  return s;
}

// Graph: Xc = X − C; split columns into nb blocks; G_pq = X_pᵀ X_q for p ≥ q.
function gramGraph(d: number, nb: number, t: Float): GraphBuilder {
  const g = new GraphBuilder('gram').input('X', t, ['n', d]).input('C', t, [1, d]).node('Sub', ['X', 'C'], ['Xc']);
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
