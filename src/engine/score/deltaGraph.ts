// The delta mixture's softmax-weighted average of the training points as one onnxruntime graph (float32).
import { GraphBuilder } from '../onnx/graph';
import type { Feed, OrtLinalg } from '../tensor/ortexec';

/** Dot products x_r·t_j of b inputs with the N centered training points: base + σ_noise·noise (both from GEMMs). */
export interface ChunkDots {
  /** Inputs in the chunk. */
  b: number;
  /** baseRows×N; baseRows = 1 when every input shares the row (protocol B's −μ·t_j). */
  base: Float32Array;
  baseRows: number;
  /** b×N products of the per-σ direction (the probes' noise), or null when `base` is the whole product. */
  noise: Float32Array | null;
  /** Multiplier of `noise` (σ). */
  sigmaNoise: number;
}

/** Logits as the graphs compute them: L_rj = (x_r·t_j)/σ² − ‖t_j‖²/2σ² (the ‖x_r‖² term cancels in the softmax). */
function logitGraph(name: string, withNoise: boolean): GraphBuilder {
  const g = new GraphBuilder(name).input('G', 'float32', ['r', 'n']).input('TN', 'float32', ['n']).input('S', 'float32', []);
  if (withNoise) g.input('Z', 'float32', ['b', 'n']).input('SN', 'float32', []).node('Mul', ['Z', 'SN'], ['ZS']).node('Add', ['G', 'ZS'], ['DOT']);
  return g.node('Mul', [withNoise ? 'DOT' : 'G', 'S'], ['GS']).node('Sub', ['GS', 'TN'], ['L']).node('ReduceMax', ['L'], ['LM'], { axes: [-1], keepdims: 1 });
}

function logitFeeds(dots: ChunkDots, halfNormsOverS2: Float32Array, sigma: number): Record<string, Feed> {
  const n = halfNormsOverS2.length;
  const feeds: Record<string, Feed> = { G: { type: 'float32', data: dots.base, dims: [dots.baseRows, n] }, TN: { type: 'float32', data: halfNormsOverS2, dims: [n] }, S: scalar(1 / (sigma * sigma)) };
  if (dots.noise) Object.assign(feeds, { Z: { type: 'float32', data: dots.noise, dims: [dots.b, n] }, SN: scalar(dots.sigmaNoise) });
  return feeds;
}

const scalar = (v: number): Feed => ({ type: 'float32', data: Float32Array.of(v), dims: [] });

/**
 * Y = softmax(L)·T for float32 dot products accurate enough at this σ. Logits more than 60 below the row's maximum are
 * raised to −60: their weights (< e⁻⁶⁰, relative error below 1e-21 per weight) would otherwise underflow into float32
 * denormals, which slow the softmax and the following GEMM about fivefold on x86.
 */
export async function softmaxAverage(linalg: OrtLinalg, dots: ChunkDots, train: Float32Array, halfNormsOverS2: Float32Array, sigma: number): Promise<Float32Array> {
  const n = halfNormsOverS2.length;
  const withNoise = dots.noise !== null;
  const [y] = await linalg.run(
    withNoise ? 'delta:softmaxAverage:noise' : 'delta:softmaxAverage',
    () =>
      logitGraph('delta_softmax_average', withNoise)
        .input('T', 'float32', ['n', 'd']).input('FLOOR', 'float32', [])
        .node('Sub', ['L', 'LM'], ['LC'])
        .node('Max', ['LC', 'FLOOR'], ['LF'])
        .node('Softmax', ['LF'], ['W'], { axis: -1 })
        .node('MatMul', ['W', 'T'], ['Y'])
        .output('Y', 'float32', ['b', 'd']),
    { ...logitFeeds(dots, halfNormsOverS2, sigma), T: { type: 'float32', data: train, dims: [n, train.length / n] }, FLOOR: scalar(-60) },
    ['Y'],
  );
  return y as Float32Array;
}

/** The float32 logits L (b×N) of softmaxAverage and each row's maximum (b), for the exact small-σ path. */
export async function logitsAndMax(linalg: OrtLinalg, dots: ChunkDots, halfNormsOverS2: Float32Array, sigma: number): Promise<{ logits: Float32Array; max: Float32Array }> {
  const withNoise = dots.noise !== null;
  const [logits, max] = await linalg.run(
    withNoise ? 'delta:logits:noise' : 'delta:logits',
    () => logitGraph('delta_logits', withNoise).output('L', 'float32', ['b', 'n']).output('LM', 'float32', ['b', 1]),
    logitFeeds(dots, halfNormsOverS2, sigma),
    ['L', 'LM'],
  );
  return { logits: logits as Float32Array, max: max as Float32Array };
}
