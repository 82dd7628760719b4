// Exact mean and covariance of uint8 images: Gram matrices by onnxruntime MatMulInteger (int32 sums), merged in float64.
import type * as OrtModule from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph';
import { loadOrt, openSession } from '../runtime/ort';
import { checkpoint } from './control';
import type { CovarianceResult } from './covariance';

// 8192 rows keep the byte buffer at 8192·D (6.4 MB at D = 784); any chunk below 33 025 rows cannot overflow int32.
const CHUNK_ROWS = 8192;

let session: Promise<OrtModule.InferenceSession> | undefined;
function gramSession(): Promise<OrtModule.InferenceSession> {
  session ??= openSession(
    new GraphBuilder('gram_u8').input('A', 'uint8', ['n', 'd']).node('Transpose', ['A'], ['AT'], { perm: [1, 0] }).node('MatMulInteger', ['AT', 'A'], ['G']).output('G', 'int32', ['d', 'd']).toBytes(),
    { provider: 'cpu', memArena: false },
  ).then((s) => s.session);
  return session;
}

/**
 * Accumulates Σx and Σxxᵀ of integer pixels 0…255 exactly (integers below 2⁵³), then forms the covariance as
 * (N·S − s sᵀ)/(N(N − ddof)), which is exact before the final division while N²·255² < 2⁵³ (N ≲ 370 000).
 */
export class IntegerGramAccumulator {
  private readonly sums: Float64Array;
  private readonly gram: Float64Array;
  private readonly rows: Uint8Array;
  private fill = 0;
  private count = 0;

  constructor(
    readonly dim: number,
    private readonly signal?: AbortSignal,
  ) {
    this.sums = new Float64Array(dim);
    this.gram = new Float64Array(dim * dim);
    this.rows = new Uint8Array(CHUNK_ROWS * (dim + 1));
  }

  /** Adds `n` images whose values are integers 0…255 (a uint8 dataset opened with the raw scale). */
  async add(batch: Float32Array, n = batch.length / this.dim): Promise<void> {
    const d = this.dim;
    const w = d + 1; // each row carries a trailing 1, so the Gram's last row holds the column sums
    for (let r = 0; r < n; r++) {
      const src = r * d;
      const dst = this.fill * w;
      for (let i = 0; i < d; i++) this.rows[dst + i] = batch[src + i];
      this.rows[dst + d] = 1;
      if (++this.fill === CHUNK_ROWS) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    const n = this.fill;
    if (!n) return;
    const d = this.dim;
    const w = d + 1;
    const ort = loadOrt();
    const s = await gramSession();
    const out = await s.run({ A: new ort.Tensor('uint8', this.rows.subarray(0, n * w), [n, w]) });
    const g = out.G.data as Int32Array;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) this.gram[i * d + j] += g[i * w + j];
      this.sums[i] += g[d * w + i];
    }
    this.count += n;
    this.fill = 0;
    await checkpoint(this.signal);
  }

  /** Mean and covariance (divisor N − ddof) in the raw pixel units. */
  async finalize(opts: { ddof?: number } = {}): Promise<CovarianceResult> {
    await this.flush();
    const d = this.dim;
    const n = this.count;
    const ddof = opts.ddof ?? 0;
    if (n - ddof <= 0) throw new Error(`covariance of ${n} image(s) with ddof ${ddof} is undefined`);
    const mean = Float64Array.from(this.sums, (s) => s / n);
    const cov = new Float64Array(d * d);
    const denom = n * (n - ddof);
    let trace = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) cov[i * d + j] = (n * this.gram[i * d + j] - this.sums[i] * this.sums[j]) / denom;
      trace += cov[i * d + i];
    }
    return { mean, cov, count: n, ddof, trace };
  }
}
