// The delta mixture: the exact score of the training set itself (memorization optimum), science.md §3.2.
import { throwIfCancelled } from '../errors';
import { GraphBuilder } from '../onnx/graph';
import type { Denoiser } from '../model/denoiser';
import { OrtLinalg, defaultLinalg } from '../tensor/ortexec';
import { gemmNT } from './gemmNT';

/** Logit error (from float32 distances) above which logits near the maximum are recomputed in float64. */
const REFINE_ABOVE = 1e-3;

/** Training-set (delta-mixture) denoiser: D(x;σ) = Σ_i softmax_i(−‖x−x_i‖²/2σ²)·x_i, 2412.09726 ("gmm delta"). */
export class DeltaDenoiser implements Denoiser {
  private readonly centered: Float32Array; // N×D, training points minus their mean (smaller norms, less cancellation)
  private readonly norms: Float64Array; // ‖x_i − mean‖²
  private readonly mean: Float64Array;
  private readonly maxNorm: number;

  constructor(
    readonly imageShape: [number, number, number],
    train: Float32Array,
    readonly count: number,
    private readonly linalg: OrtLinalg = defaultLinalg(),
    /** Inputs per GEMM (bounds the B×N logit matrix). */
    private readonly rowsPerChunk = 128,
  ) {
    const d = imageShape[0] * imageShape[1] * imageShape[2];
    if (train.length !== count * d) throw new Error(`delta mixture: ${train.length} values for ${count} images of ${d}`);
    this.mean = new Float64Array(d);
    for (let n = 0; n < count; n++) for (let i = 0; i < d; i++) this.mean[i] += train[n * d + i];
    for (let i = 0; i < d; i++) this.mean[i] /= count;
    this.centered = new Float32Array(count * d);
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
    this.maxNorm = maxNorm;
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
      const part = await this.denoiseChunk(x.subarray(start * d, (start + b) * d), b, sigma);
      out.set(part, start * d);
    }
    return out;
  }

  private async denoiseChunk(x: Float32Array, b: number, sigma: number): Promise<Float32Array> {
    const d = this.mean.length;
    const nTrain = this.count;
    const xc = new Float32Array(b * d);
    const xNorm = new Float64Array(b);
    for (let r = 0; r < b; r++) {
      let acc = 0;
      for (let i = 0; i < d; i++) {
        const v = (xc[r * d + i] = x[r * d + i] - this.mean[i]);
        acc += v * v;
      }
      xNorm[r] = acc;
    }
    const inv2s2 = 1 / (2 * sigma * sigma);
    if (this.logitErrorBound(Math.max(...xNorm), inv2s2) < REFINE_ABOVE) return this.fusedChunk(xc, b, inv2s2);
    const dots = await gemmNT(this.linalg, xc, b, d, this.centered, this.count);
    const weights = new Float32Array(b * nTrain);
    const logits = new Float64Array(nTrain);
    let nonzero = 0;
    for (let r = 0; r < b; r++) {
      let max = -Infinity;
      for (let j = 0; j < nTrain; j++) {
        const l = -(xNorm[r] - 2 * dots[r * nTrain + j] + this.norms[j]) * inv2s2;
        logits[j] = l;
        if (l > max) max = l;
      }
      max = this.refineNearMax(logits, xc.subarray(r * d, (r + 1) * d), xNorm[r], inv2s2, max);
      // Weights below e^−30 ≈ 1e-13 of the largest are dropped (their total is < N·1e-13): no exp for them.
      const cut = max - 30;
      let z = 0;
      for (let j = 0; j < nTrain; j++) z += logits[j] = logits[j] > cut ? Math.exp(logits[j] - max) : 0;
      const row = weights.subarray(r * nTrain, (r + 1) * nTrain);
      for (let j = 0; j < nTrain; j++) {
        if (logits[j] === 0) continue;
        row[j] = logits[j] / z;
        nonzero++;
      }
    }
    const out = new Float32Array(b * d);
    if (nonzero < 0.02 * b * nTrain) this.sparseCombine(weights, b, out);
    else out.set(await this.linalg.matmul(weights, b, nTrain, this.centered, d));
    for (let r = 0; r < b; r++) for (let i = 0; i < d; i++) out[r * d + i] += this.mean[i];
    return out;
  }

  // The float32 GEMM dot products carry an error of about 2·ε₃₂·‖x‖‖x_i‖ (measured on Fashion-MNIST: ~1e-4 absolute, 4–8×
  // below this bound), i.e. a logit error of `bound` below. Where it could move a softmax weight by more than 0.1 %
  // (small σ), the logits near the maximum are recomputed exactly in float64 (science.md §3.2: "stable in float64
  // where needed"); at larger σ the error is far below the probes' sampling noise and the float32 logits are kept.
  private logitErrorBound(xNorm: number, inv2s2: number): number {
    return 4 * 1.2e-7 * Math.sqrt(xNorm * this.maxNorm) * 2 * inv2s2;
  }

  private refineNearMax(logits: Float64Array, xc: Float32Array, xNorm: number, inv2s2: number, max: number): number {
    const bound = this.logitErrorBound(xNorm, inv2s2);
    if (bound < REFINE_ABOVE) return max;
    const d = xc.length;
    const floor = max - 40 - 2 * bound;
    let newMax = -Infinity;
    for (let j = 0; j < logits.length; j++) {
      if (logits[j] >= floor) {
        let acc = 0;
        const off = j * d;
        for (let i = 0; i < d; i++) {
          const v = xc[i] - this.centered[off + i];
          acc += v * v;
        }
        logits[j] = -acc * inv2s2;
      }
      if (logits[j] > newMax) newMax = logits[j];
    }
    return newMax;
  }

  // Where float32 logits are accurate enough for the whole chunk, the softmax-weighted average runs as one onnxruntime
  // graph: W = softmax((2·x·Tᵀ − ‖t‖²)/(2σ²)) (the ‖x‖² term cancels in the softmax), D = μ + W·T. Weights below
  // e⁻⁶⁰ of the largest are kept at that floor (a relative error below 1e-21 per weight).
  private async fusedChunk(xc: Float32Array, b: number, inv2s2: number): Promise<Float32Array> {
    const d = this.mean.length;
    const n = this.count;
    const tNorm = Float32Array.from(this.norms, (v) => v * inv2s2);
    const [y] = await this.linalg.run(
      'delta:fused:float32',
      () =>
        new GraphBuilder('delta_fused')
          .input('X', 'float32', ['b', 'd']).input('T', 'float32', ['n', 'd']).input('TN', 'float32', ['n']).input('S', 'float32', []).input('FLOOR', 'float32', [])
          .node('Gemm', ['X', 'T'], ['G'], { transB: 1 })
          .node('Mul', ['G', 'S'], ['GS'])
          .node('Sub', ['GS', 'TN'], ['L'])
          // Logits more than 60 below the row's maximum are raised to −60: their weights (< e⁻⁶⁰) would otherwise
          // underflow into float32 denormals, which slow the following GEMM about tenfold on x86.
          .node('ReduceMax', ['L'], ['LM'], { axes: [-1], keepdims: 1 })
          .node('Sub', ['L', 'LM'], ['LC'])
          .node('Max', ['LC', 'FLOOR'], ['LF'])
          .node('Softmax', ['LF'], ['W'], { axis: -1 })
          .node('MatMul', ['W', 'T'], ['Y'])
          .output('Y', 'float32', ['b', 'd']),
      { X: { type: 'float32', data: xc, dims: [b, d] }, T: { type: 'float32', data: this.centered, dims: [n, d] }, TN: { type: 'float32', data: tNorm, dims: [n] }, S: { type: 'float32', data: Float32Array.of(2 * inv2s2), dims: [] }, FLOOR: { type: 'float32', data: Float32Array.of(-60), dims: [] } },
      ['Y'],
    );
    const out = new Float32Array(b * d);
    for (let r = 0; r < b; r++) for (let i = 0; i < d; i++) out[r * d + i] = y[r * d + i] + this.mean[i];
    return out;
  }

  private sparseCombine(weights: Float32Array, b: number, out: Float32Array): void {
    const d = this.mean.length;
    const nTrain = this.count;
    for (let r = 0; r < b; r++) {
      for (let j = 0; j < nTrain; j++) {
        const w = weights[r * nTrain + j];
        if (w === 0) continue;
        const off = j * d;
        for (let i = 0; i < d; i++) out[r * d + i] += w * this.centered[off + i];
      }
    }
  }

  async dispose(): Promise<void> {
    // sessions belong to the shared linalg executor
  }
}
