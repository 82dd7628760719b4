// D(x, σ): every network, whatever it predicts, as a denoiser in the data's own scale (EDM notation, science.md §1).
import type * as OrtModule from 'onnxruntime-node';
import { UserError, throwIfCancelled } from '../errors';
import type { ValueInfo } from '../../protocol/modelCard';
import { OpenedSession, RuntimeOptions, loadOrt, openSession } from '../runtime/ort';
import { PathCoef, toX0 } from './conversions';
import { fmtShape, Parameterization } from './detect';
import type { ModelCard } from '../../protocol/modelCard';
import { cardProblem, inspectModel } from './modelCard';
import { timeForSigma } from './schedule';

/** The one shape every denoiser has, neural or analytical. */
export interface Denoiser {
  /** C, H, W of one image. */
  readonly imageShape: [number, number, number];
  /** The σ the denoiser really evaluates for a requested σ (discrete-time models snap to their timesteps). */
  effectiveSigma(sigma: number): number;
  /** D(x; σ) for `n` images (n×C×H×W, float32, data scale); returns a new array of the same size. */
  denoise(x: Float32Array, n: number, sigma: number, signal?: AbortSignal): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface OnnxDenoiserOptions extends RuntimeOptions {
  config?: string;
  /** C, H, W to use where the model leaves image axes dynamic (normally the dataset's shape). */
  imageShape?: [number, number, number];
  /** Largest batch per run for models with a dynamic batch axis. */
  maxBatch?: number;
}

/** A neural denoiser backed by an onnxruntime session. */
export class OnnxDenoiser implements Denoiser {
  private constructor(
    readonly card: ModelCard,
    readonly param: Parameterization,
    private readonly opened: OpenedSession,
    readonly imageShape: [number, number, number],
    private readonly timeLength: 'batch' | 1 | 'scalar',
    private readonly maxBatch: number,
  ) {}

  /** Which execution provider runs the model, and why others were skipped. */
  get provider(): { name: string; fallbacks: string[] } {
    return { name: this.opened.provider, fallbacks: this.opened.fallbacks };
  }

  static async open(file: string, opts: OnnxDenoiserOptions = {}): Promise<OnnxDenoiser> {
    const { card, param } = inspectModel(file, opts.config);
    const problem = cardProblem(card);
    if (problem || !param) throw new UserError(problem ?? 'the model cannot be used as a denoiser');
    const imageShape = resolveImageShape(param, opts.imageShape);
    const image = card.inputs.find((i) => i.name === param.imageInput)!;
    const time = card.inputs.find((i) => i.name === param.timeInput)!;
    if (image.dtype !== 'float32') throw new UserError(`the image input "${image.name}" is ${image.dtype}; only float32 models are supported so far. Export the model in float32.`);
    if (!['float32', 'float64', 'int64', 'int32'].includes(time.dtype)) throw new UserError(`the time input "${time.name}" is ${time.dtype}; expected float32, float64, int32 or int64.`);
    const opened = await openSession(card.file, opts);
    return new OnnxDenoiser(card, param, opened, imageShape, timeLengthOf(time, param), Math.max(1, opts.maxBatch ?? 64));
  }

  effectiveSigma(sigma: number): number {
    return timeForSigma(this.param.schedule, sigma).sigma;
  }

  async denoise(x: Float32Array, n: number, sigma: number, signal?: AbortSignal): Promise<Float32Array> {
    const dim = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    if (x.length !== n * dim) throw new Error(`denoise: got ${x.length} values for ${n} images of ${dim}`);
    const t = timeForSigma(this.param.schedule, sigma);
    // VE models see y = x0 + σε; VP models see x_t = √ᾱ·y (science.md §1.2).
    const vp = this.param.schedule.kind !== 've';
    const scale = vp ? Math.sqrt(t.alphaBar) : 1;
    const path: PathCoef = vp ? { a: scale, b: Math.sqrt(1 - t.alphaBar) } : { a: 1, b: t.sigma };
    const chunk = this.param.batch ?? this.maxBatch;
    const out = new Float32Array(n * dim);
    for (let start = 0; start < n; start += chunk) {
      throwIfCancelled(signal);
      const m = Math.min(chunk, n - start);
      const rows = this.param.batch ?? m; // fixed batch axes are padded
      const xin = new Float32Array(rows * dim);
      const src = x.subarray(start * dim, (start + m) * dim);
      for (let i = 0; i < src.length; i++) xin[i] = src[i] * scale;
      const raw = await this.run(xin, rows, t.value);
      const res = out.subarray(start * dim, (start + m) * dim);
      toX0(this.param.prediction, raw, xin, path, res);
      const bad = countNonFinite(res);
      if (bad) throw new UserError(`the network produced ${bad} non-finite values (NaN/Inf) at σ = ${t.sigma.toPrecision(4)}.`, 'Check the model export and its inputs at this noise level.');
      await new Promise((r) => setImmediate(r)); // let cancellation messages in between chunks
    }
    return out;
  }

  private async run(xin: Float32Array, rows: number, timeValue: number): Promise<Float32Array> {
    const o = loadOrt();
    const [c, h, w] = this.imageShape;
    const feeds: Record<string, OrtModule.Tensor> = {
      [this.param.imageInput]: new o.Tensor('float32', xin, [rows, c, h, w]),
      [this.param.timeInput]: this.timeTensor(o, timeValue, rows),
    };
    const result = await this.opened.session.run(feeds, [this.param.output]);
    const data = result[this.param.output].data;
    if (!(data instanceof Float32Array) || data.length !== xin.length) {
      throw new UserError(`the output "${this.param.output}" has ${data.length} values for an input of ${xin.length}; it must have the input's shape.`);
    }
    return data;
  }

  private timeTensor(o: typeof OrtModule, value: number, rows: number): OrtModule.Tensor {
    const len = this.timeLength === 'batch' ? rows : 1;
    // [N], [1] or [] — or [N,1,1,1]-style with trailing unit axes (the time input's own rank is kept).
    const dims = this.timeLength === 'scalar' ? [] : [len, ...new Array(Math.max(this.param.timeRank - 1, 0)).fill(1)];
    const dtype = this.card.inputs.find((i) => i.name === this.param.timeInput)!.dtype;
    switch (dtype) {
      case 'int64': return new o.Tensor('int64', new BigInt64Array(len).fill(BigInt(Math.round(value))), dims);
      case 'int32': return new o.Tensor('int32', new Int32Array(len).fill(Math.round(value)), dims);
      case 'float64': return new o.Tensor('float64', new Float64Array(len).fill(value), dims);
      default: return new o.Tensor('float32', new Float32Array(len).fill(value), dims);
    }
  }

  async dispose(): Promise<void> {
    await this.opened.session.release();
  }
}

function resolveImageShape(p: Parameterization, wanted?: [number, number, number]): [number, number, number] {
  const fixed = p.imageShape;
  if (wanted) {
    const clash = fixed.some((d, k) => typeof d === 'number' && d !== wanted[k]);
    if (clash) throw new UserError(`the model takes images of ${fmtShape(fixed)} (C,H,W) but the data has ${fmtShape(wanted)}.`, 'Use the dataset the model was trained on, or a model for this image size.');
    return wanted;
  }
  if (fixed.every((d) => typeof d === 'number')) return fixed as [number, number, number];
  throw new UserError(`the model leaves image axes dynamic ${fmtShape(fixed)}; give the image size (C,H,W) or a dataset.`);
}

function timeLengthOf(time: ValueInfo, p: Parameterization): 'batch' | 1 | 'scalar' {
  if (time.shape && time.shape.length === 0) return 'scalar';
  const d = time.shape?.[0];
  if (d === 1 && p.batch !== 1) return 1;
  return 'batch';
}

function countNonFinite(a: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) bad++;
  return bad;
}
