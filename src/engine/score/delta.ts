// The delta mixture: the exact score of the training set itself (memorization optimum), science.md §3.2.
import { throwIfCancelled } from '../errors';
import type { Denoiser } from '../model/denoiser';
import { frobenius } from '../tensor/dense';
import { OrtLinalg, defaultLinalg } from '../tensor/ortexec';
import { ChunkDots, logitsAndMax, softmaxAverage } from './deltaGraph';
import { gemmNT } from './gemmNT';

/** Logit error (from float32 dot products) above which logits near the maximum are recomputed in float64. */
const REFINE_ABOVE = 1e-3;
/** Error of a float32 dot product relative to ‖x‖·‖t‖, with margin: measured on Fashion-MNIST 4–8× below this. */
const DOT_REL_ERROR = 4 * 1.2e-7;
/** Rounding of one float32 operation. */
const GRAPH_REL_ERROR = 1.2e-7;

/** Below this fraction of nonzero weights the average is summed in JS, above it one float32 GEMM is faster. */
const SPARSE_BELOW = 0.01;

/** One input's nonzero softmax weights. */
interface SparseWeights {
  index: Int32Array;
  weight: Float64Array;
}

/** Outputs of the delta mixture over a σ grid: one n×D array per σ, and the seconds each σ cost (shared work split evenly). */
export interface GridDenoised {
  outputs: Float32Array[];
  seconds: number[];
  /** Seconds of the products with the training set, computed once for the whole grid (included in `seconds`). */
  sharedSeconds: number;
}

/** Rows [start, start + count) of x(σ) = fl32(base + σ·noise) (base null: x = σ·noise), exactly as every denoiser sees them. */
export function noisedRows(base: Float32Array | null, noise: Float32Array, sigma: number, d: number, start = 0, count = noise.length / d - start): Float32Array {
  const x = new Float32Array(count * d);
  const off = start * d;
  for (let i = 0; i < x.length; i++) x[i] = (base ? base[off + i] : 0) + sigma * noise[off + i];
  return x;
}

/** Training-set (delta-mixture) denoiser: D(x;σ) = Σ_i softmax_i(−‖x−x_i‖²/2σ²)·x_i, 2412.09726 ("gmm delta"). */
export class DeltaDenoiser implements Denoiser {
  private readonly centered: Float32Array; // N×D, training points minus their mean (smaller norms, less cancellation)
  private readonly norms: Float64Array; // ‖x_i − mean‖²
  private readonly mean: Float64Array;
  private readonly maxNormRoot: number; // max_i ‖x_i − mean‖

  constructor(
    readonly imageShape: [number, number, number],
    train: Float32Array,
    readonly count: number,
    private readonly linalg: OrtLinalg = defaultLinalg(),
    /** Inputs per GEMM (bounds the B×N logit matrix). */
    private readonly rowsPerChunk = 128,
    /** Center `train` in place and keep it (no second copy of the training set); the caller must not use it after. */
    ownsTrain = false,
  ) {
    const d = imageShape[0] * imageShape[1] * imageShape[2];
    if (train.length !== count * d) throw new Error(`delta mixture: ${train.length} values for ${count} images of ${d}`);
    this.mean = new Float64Array(d);
    for (let n = 0; n < count; n++) for (let i = 0; i < d; i++) this.mean[i] += train[n * d + i];
    for (let i = 0; i < d; i++) this.mean[i] /= count;
    this.centered = ownsTrain ? train : new Float32Array(count * d);
    this.norms = new Float64Array(count);
    let maxNorm = 0;
    for (let n = 0; n < count; n++) {
      let acc = 0;
      for (let i = 0; i < d; i++) {
        const v = (this.centered[n * d + i] = train[n * d + i] - this.mean[i]);
        acc += v * v;
      }
      this.norms[n] = acc;
      maxNorm = Math.max(maxNorm, acc);
    }
    this.maxNormRoot = Math.sqrt(maxNorm);
  }

  effectiveSigma(sigma: number): number {
    return sigma;
  }

  async denoise(x: Float32Array, n: number, sigma: number, signal?: AbortSignal): Promise<Float32Array> {
    const d = this.mean.length;
    const out = new Float32Array(n * d);
    for (let start = 0; start < n; start += this.rowsPerChunk) {
      throwIfCancelled(signal);
      const b = Math.min(this.rowsPerChunk, n - start);
      const xc = this.centerRows(x.subarray(start * d, (start + b) * d));
      const dots = await gemmNT(this.linalg, Float32Array.from(xc), b, d, this.centered, this.count);
      const dotError = new Float64Array(b);
      for (let r = 0; r < b; r++) dotError[r] = this.dotErrorBound(frobenius(xc.subarray(r * d, (r + 1) * d)), 0);
      out.set(await this.combine(xc, { b, base: dots, baseRows: b, noise: null, sigmaNoise: 0 }, dotError, sigma), start * d);
    }
    return out;
  }

  /**
   * The same denoiser for probes x(σ) = fl32(base + σ·noise) at every σ of a grid (the comparison's common random
   * numbers): the products of base and noise with the training set are two GEMMs per chunk of probes for the whole grid,
   * so each σ costs only its softmax-weighted average. `base` null means x = σ·noise (protocol B).
   */
  async denoiseGrid(base: Float32Array | null, noise: Float32Array, n: number, sigmas: number[], signal?: AbortSignal, onChunk?: (done: number) => void): Promise<GridDenoised> {
    const d = this.mean.length;
    const outputs = sigmas.map(() => new Float32Array(n * d));
    const seconds = sigmas.map(() => 0);
    let sharedSeconds = 0;
    for (let start = 0; start < n; start += this.rowsPerChunk) {
      throwIfCancelled(signal);
      let t0 = performance.now();
      const b = Math.min(this.rowsPerChunk, n - start);
      const baseRows = base ? b : 1;
      const baseC = base ? this.centerRows(base.subarray(start * d, (start + b) * d)) : Float64Array.from(this.mean, (m) => -m);
      const z = noise.subarray(start * d, (start + b) * d);
      const stacked = new Float32Array((baseRows + b) * d);
      stacked.set(baseC);
      stacked.set(z, baseRows * d);
      const g = await gemmNT(this.linalg, stacked, baseRows + b, d, this.centered, this.count);
      const baseRow = (r: number): number => (base ? r : 0); // protocol B: every row shares −μ
      const baseNorm = Float64Array.from({ length: b }, (_, r) => frobenius(stacked.subarray(baseRow(r) * d, (baseRow(r) + 1) * d)));
      const noiseNorm = Float64Array.from({ length: b }, (_, r) => frobenius(z.subarray(r * d, (r + 1) * d)));
      const shared = (performance.now() - t0) / 1000;
      sharedSeconds += shared;
      for (const [si, sigma] of sigmas.entries()) {
        throwIfCancelled(signal);
        t0 = performance.now();
        // The GEMMs give (fl32(base − μ) + σz)·t; the inputs really are xc = fl32(base + σz) − μ. The difference δ and
        // the GEMMs' rounding bound the dot-product error per row.
        const xc = this.centerRows(noisedRows(base, noise, sigma, d, start, b));
        const dotError = new Float64Array(b);
        for (let r = 0; r < b; r++) {
          let dd = 0;
          for (let i = 0; i < d; i++) {
            const k = r * d + i;
            const diff = xc[k] - (stacked[baseRow(r) * d + i] + sigma * z[k]);
            dd += diff * diff;
          }
          dotError[r] = this.dotErrorBound(baseNorm[r] + sigma * noiseNorm[r], Math.sqrt(dd));
        }
        const dots: ChunkDots = { b, base: g.subarray(0, baseRows * this.count), baseRows, noise: g.subarray(baseRows * this.count), sigmaNoise: sigma };
        outputs[si].set(await this.combine(xc, dots, dotError, sigma), start * d);
        seconds[si] += shared / sigmas.length + (performance.now() - t0) / 1000;
      }
      onChunk?.(start + b);
    }
    return { outputs, seconds, sharedSeconds };
  }

  // Bound on the error of a float32 logit in dot-product units: the GEMM's ~4ε·‖x‖‖t‖, the rounding of the logit
  // graph's terms ε·(‖x‖‖t‖ + ‖t‖²/2), and `offset` = ‖x − (what the GEMM multiplied)‖ times ‖t‖.
  private dotErrorBound(xNorm: number, offset: number): number {
    return (DOT_REL_ERROR * xNorm + GRAPH_REL_ERROR * (xNorm + this.maxNormRoot / 2) + offset) * this.maxNormRoot;
  }

  private centerRows(x: Float32Array): Float64Array {
    const d = this.mean.length;
    return Float64Array.from(x, (v, k) => v - this.mean[k % d]);
  }

  // Softmax-weighted average of the training points for a chunk of inputs xc (exact, centered) given float32 dot
  // products. Where the dots' error could move a softmax weight by more than 0.1 % (small σ), every logit near the
  // maximum is recomputed exactly in float64 (science.md §3.2: "stable in float64 where needed"); elsewhere the error is
  // far below the probes' sampling noise and the whole average runs as one onnxruntime graph.
  private async combine(xc: Float64Array, dots: ChunkDots, dotError: Float64Array, sigma: number): Promise<Float32Array> {
    const d = this.mean.length;
    const inv2s2 = 1 / (2 * sigma * sigma);
    const halfNorms = Float32Array.from(this.norms, (v) => v * inv2s2);
    const rows = Array.from({ length: dots.b }, (_, r) => r);
    const fused = rows.filter((r) => dotError[r] * 2 * inv2s2 < REFINE_ABOVE);
    const exact = rows.filter((r) => dotError[r] * 2 * inv2s2 >= REFINE_ABOVE);
    const out = new Float32Array(dots.b * d);
    const scatter = (part: Float32Array, which: number[]): void => which.forEach((r, k) => out.set(part.subarray(k * d, (k + 1) * d), r * d));
    if (fused.length) scatter(await softmaxAverage(this.linalg, selectRows(dots, fused, this.count), this.centered, halfNorms, sigma), fused);
    if (exact.length) {
      const sub = selectRows(dots, exact, this.count);
      const { logits, max } = await logitsAndMax(this.linalg, sub, halfNorms, sigma);
      const weights = exact.map((r, k) => this.exactWeights(logits.subarray(k * this.count, (k + 1) * this.count), max[k], xc.subarray(r * d, (r + 1) * d), dotError[r] * 2 * inv2s2, inv2s2));
      if (weights.reduce((a, w) => a + w.index.length, 0) < SPARSE_BELOW * exact.length * this.count) scatter(this.sparseCombine(weights), exact);
      else scatter(await this.linalg.matmul(denseWeights(weights, this.count), exact.length, this.count, this.centered, d), exact);
    }
    for (let r = 0; r < dots.b; r++) for (let i = 0; i < d; i++) out[r * d + i] += this.mean[i];
    return out;
  }

  // One input's softmax weights from float64 logits −‖x − t_j‖²/2σ² of the points whose float32 logit is within
  // 40 + 2·(error bound) of the largest; weights below e^−30 ≈ 1e-13 of the largest are dropped (total < N·1e-13).
  private exactWeights(logits: Float32Array, max: number, xc: Float64Array, bound: number, inv2s2: number): SparseWeights {
    const d = xc.length;
    const floor = max - 40 - 2 * bound - 1e-6 * Math.abs(max); // the last term: float32 rounding of the logits
    const candidates: number[] = [];
    for (let j = 0; j < logits.length; j++) if (logits[j] >= floor) candidates.push(j);
    const exact = candidates.map((j) => {
      let acc = 0;
      const off = j * d;
      for (let i = 0; i < d; i++) {
        const v = xc[i] - this.centered[off + i];
        acc += v * v;
      }
      return -acc * inv2s2;
    });
    const top = exact.reduce((m, v) => Math.max(m, v), -Infinity); // not Math.max(...): candidates can be ~N
    const keep = candidates.map((_, k) => k).filter((k) => exact[k] > top - 30);
    const weight = Float64Array.from(keep, (k) => Math.exp(exact[k] - top));
    const z = weight.reduce((a, v) => a + v, 0);
    return { index: Int32Array.from(keep, (k) => candidates[k]), weight: weight.map((v) => v / z) };
  }

  private sparseCombine(rows: SparseWeights[]): Float32Array {
    const d = this.mean.length;
    const out = new Float32Array(rows.length * d);
    rows.forEach((row, r) => {
      for (let k = 0; k < row.index.length; k++) {
        const w = row.weight[k];
        const off = row.index[k] * d;
        for (let i = 0; i < d; i++) out[r * d + i] += w * this.centered[off + i];
      }
    });
    return out;
  }

  async dispose(): Promise<void> {
    // sessions belong to the shared linalg executor
  }
}

function denseWeights(rows: SparseWeights[], n: number): Float32Array {
  const w = new Float32Array(rows.length * n);
  rows.forEach((row, r) => row.index.forEach((j, k) => (w[r * n + j] = row.weight[k])));
  return w;
}

/** The dot products of some rows of a chunk (the chunk itself when it is all of them). */
function selectRows(dots: ChunkDots, which: number[], n: number): ChunkDots {
  if (which.length === dots.b) return dots;
  const pick = (m: Float32Array): Float32Array => {
    const out = new Float32Array(which.length * n);
    which.forEach((r, k) => out.set(m.subarray(r * n, (r + 1) * n), k * n));
    return out;
  };
  return { b: which.length, base: dots.baseRows === 1 ? dots.base : pick(dots.base), baseRows: dots.baseRows === 1 ? 1 : which.length, noise: dots.noise && pick(dots.noise), sigmaNoise: dots.sigmaNoise };
}
