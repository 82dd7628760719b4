// Detects how a network is parameterized (which input is the image, what the time input means, what it predicts).
import { UserError } from '../errors';
import type { Dim, Evidence, ValueInfo } from '../../protocol/modelCard';
import type { DecodedGraph } from '../onnx/modelProto';
import { Prediction } from './conversions';
import { SourcedConfig } from './config';
import { Schedule, alphasCumprodFromBetas, makeBetas } from './schedule';

export type { Evidence };

/** How to turn the network into D(x, σ). */
export interface Parameterization {
  imageInput: string;
  timeInput: string;
  output: string;
  /** C, H, W of one image (numbers; null where the model leaves them dynamic). */
  imageShape: [Dim, Dim, Dim];
  /** Batch axis: a fixed size, or null when dynamic. */
  batch: number | null;
  timeDtype: string;
  /** Rank of the time input: 0 (scalar), or 1 ([N] or [1]). */
  timeRank: number;
  prediction: Prediction;
  schedule: Schedule;
  sigmaData?: number;
  /** Human-readable summary, e.g. "EDM/VE denoiser: x₀-prediction, σ input". */
  label: string;
  evidence: Evidence[];
  warnings: string[];
}

export class MappingError extends UserError {}

const IMAGE_NAMES = /^(x|x_t|xt|sample|noisy|noisy_sample|latent|latents|input|inputs|img|image|images|z|input_\d+|x_noisy)$/i;
const SIGMA_NAMES = /^(sigma|sigmas|noise_level|noise_levels|sigma_t|s)$/i;
const TIMESTEP_NAMES = /^(timestep|timesteps|t|time|times|step|steps|noise_labels|c_noise)$/i;
const OUTPUT_PRED: [RegExp, Prediction][] = [
  [/^(denoised|d|x0|x_0|pred_x0|x0_pred|pred_original_sample|d_x)$/i, 'x0'],
  [/^(eps|epsilon|noise|noise_pred|pred_noise|eps_pred)$/i, 'eps'],
  [/^(v|v_pred|pred_v|velocity)$/i, 'v'],
  [/^(score|scores)$/i, 'score'],
];

/** Combines signature heuristics with config (config wins) into a parameterization, or explains what is missing. */
export function detectParameterization(graph: DecodedGraph, cfg: SourcedConfig): Parameterization {
  const evidence: Evidence[] = [];
  const warnings: string[] = [];
  const note = (field: string, value: string, source: string): void => void evidence.push({ field, value, source });

  const { image, time } = pickInputs(graph.inputs, cfg);
  note('image input', `${image.name} ${fmtShape(image.shape)}`, cfg.inputs?.value.x ? cfg.inputs.source : 'signature (4-D float input)');
  note('time input', `${time.name} ${time.dtype} ${fmtShape(time.shape)}`, cfg.inputs?.value.time ? cfg.inputs.source : 'signature (name and rank)');

  const output = pickOutput(graph.outputs, image, cfg);
  const shape = image.shape as Dim[];
  checkOutputShape(output, shape);

  const timeKind = cfg.time?.value ?? guessTimeKind(time);
  note('time meaning', timeKind, cfg.time?.source ?? `signature (input "${time.name}", ${time.dtype})`);

  const prediction = decidePrediction(output, timeKind, cfg, note, warnings);
  const schedule = decideSchedule(timeKind, cfg, note, warnings);
  if (cfg.sigma_data) note('σ_data', String(cfg.sigma_data.value), cfg.sigma_data.source);

  const batch = typeof shape[0] === 'number' ? (shape[0] as number) : null;
  if (batch !== null) warnings.push(`The batch axis is fixed to ${batch}: inputs are run in chunks of exactly ${batch} (padded), which is slower than a dynamic batch.`);

  return {
    imageInput: image.name,
    timeInput: time.name,
    output: output.name,
    imageShape: [shape[1], shape[2], shape[3]],
    batch,
    timeDtype: time.dtype,
    timeRank: time.shape?.length ?? 1,
    prediction,
    schedule,
    ...(cfg.sigma_data ? { sigmaData: cfg.sigma_data.value } : {}),
    label: describe(prediction, schedule),
    evidence,
    warnings,
  };
}

function pickInputs(inputs: ValueInfo[], cfg: SourcedConfig): { image: ValueInfo; time: ValueInfo } {
  const byName = (n: string | undefined, role: string): ValueInfo | undefined => {
    if (!n) return undefined;
    const v = inputs.find((i) => i.name === n);
    if (!v) throw new MappingError(`the config names "${n}" as the ${role} input, but the model's inputs are ${listInputs(inputs)}`);
    return v;
  };
  const isFloat = (v: ValueInfo): boolean => /^(float|bfloat)/.test(v.dtype);
  const image =
    byName(cfg.inputs?.value.x, 'image') ??
    inputs.find((i) => i.shape?.length === 4 && isFloat(i) && !isTimeLike(i) && IMAGE_NAMES.test(i.name)) ??
    onlyOne(inputs.filter((i) => i.shape?.length === 4 && isFloat(i) && !isTimeLike(i)));
  const time =
    byName(cfg.inputs?.value.time, 'time') ??
    onlyOne(inputs.filter((i) => i !== image && isTimeLike(i) && (SIGMA_NAMES.test(i.name) || TIMESTEP_NAMES.test(i.name)))) ??
    onlyOne(inputs.filter((i) => i !== image && isTimeLike(i)));
  if (!image || !time) {
    throw new MappingError(
      `cannot tell which inputs are the noisy image and the noise level: the model's inputs are ${listInputs(inputs)}. ` +
        'A denoiser needs a 4-D float image input [N,C,H,W] and a σ/timestep input of shape [N], [1], [N,1,1,1] or []. ' +
        'If the model has them under other names, say so in a config next to the model ' +
        '(<model>.diffusion.json: {"inputs": {"x": "<image input>", "time": "<σ or timestep input>"}}).',
    );
  }
  if (image.shape && image.shape.length !== 4) throw new MappingError(`the image input "${image.name}" has shape ${fmtShape(image.shape)}; expected 4 axes [N,C,H,W].`);
  const extra = inputs.filter((i) => i !== image && i !== time);
  if (extra.length) {
    throw new MappingError(
      `the model has inputs besides the image and the noise level (${listInputs(extra)}); class labels or text conditioning are not supported yet. ` +
        'Export an unconditional model, or fold the extra inputs into the graph as constants.',
    );
  }
  if (image.shape && typeof image.shape[3] === 'number' && [1, 3, 4].includes(image.shape[3]) && !(typeof image.shape[1] === 'number' && [1, 3, 4].includes(image.shape[1]))) {
    throw new MappingError(`the image input "${image.name}" looks channels-last ${fmtShape(image.shape)}; export the model channels-first [N,C,H,W].`);
  }
  return { image, time };
}

/** A noise-level input: scalar, [N], [1], or [N,1,1,1]-style (EDM reshapes σ to broadcast over the image). */
function isTimeLike(v: ValueInfo): boolean {
  return !v.shape || v.shape.length <= 1 || v.shape.slice(1).every((d) => d === 1);
}

function pickOutput(outputs: ValueInfo[], image: ValueInfo, cfg: SourcedConfig): ValueInfo {
  if (cfg.output) {
    const o = outputs.find((v) => v.name === cfg.output!.value);
    if (!o) throw new MappingError(`the config names output "${cfg.output.value}", but the model's outputs are ${listInputs(outputs)}`);
    return o;
  }
  const sameRank = outputs.filter((o) => (o.shape?.length ?? 4) === (image.shape?.length ?? 4));
  const named = sameRank.find((o) => OUTPUT_PRED.some(([re]) => re.test(o.name)));
  const o = named ?? sameRank[0];
  if (!o) throw new MappingError(`no output has the image's shape; outputs are ${listInputs(outputs)}`);
  return o;
}

function checkOutputShape(output: ValueInfo, input: Dim[]): void {
  if (!output.shape) return;
  const mismatch = output.shape.some((d, k) => k > 0 && typeof d === 'number' && typeof input[k] === 'number' && d !== input[k]);
  if (output.shape.length !== input.length || mismatch) {
    throw new MappingError(`the output "${output.name}" has shape ${fmtShape(output.shape)} but the image input has ${fmtShape(input)}; a denoiser's output must match its input.`);
  }
}

function guessTimeKind(time: ValueInfo): 'sigma' | 'timestep' | 'continuous' {
  if (/int/.test(time.dtype)) return 'timestep';
  if (SIGMA_NAMES.test(time.name)) return 'sigma';
  if (/^(timestep|timesteps|step|steps)$/i.test(time.name)) return 'timestep';
  return 'continuous';
}

type Note = (field: string, value: string, source: string) => void;

function decidePrediction(output: ValueInfo, timeKind: string, cfg: SourcedConfig, note: Note, warnings: string[]): Prediction {
  if (cfg.prediction_type) {
    note('prediction', cfg.prediction_type.value, cfg.prediction_type.source);
    return cfg.prediction_type.value;
  }
  const byName = OUTPUT_PRED.find(([re]) => re.test(output.name));
  if (byName) {
    note('prediction', byName[1], `output name "${output.name}"`);
    return byName[1];
  }
  const guess: Prediction = timeKind === 'sigma' ? 'x0' : 'eps';
  note('prediction', guess, 'assumed (not stated anywhere)');
  warnings.push(
    `Nothing says what "${output.name}" predicts; assumed ${guess === 'x0' ? 'a denoised image (EDM convention for σ-input models)' : 'ε (diffusers convention for timestep models)'}. ` +
      'State "prediction_type" in a config if that is wrong.',
  );
  return guess;
}

function decideSchedule(timeKind: string, cfg: SourcedConfig, note: Note, warnings: string[]): Schedule {
  const num = (k: 'sigma_min' | 'sigma_max' | 'beta_start' | 'beta_end' | 'num_train_timesteps' | 'cosine_s' | 'beta_min' | 'beta_max' | 'time_scale', dflt: number): number =>
    cfg[k]?.value ?? dflt;
  if (timeKind === 'sigma') {
    note('schedule', 'VE (σ input)', cfg.schedule?.source ?? 'time meaning');
    return { kind: 've', ...(cfg.sigma_min ? { sigmaMin: cfg.sigma_min.value } : {}), ...(cfg.sigma_max ? { sigmaMax: cfg.sigma_max.value } : {}) };
  }
  if (timeKind === 'timestep') {
    const steps = num('num_train_timesteps', 1000);
    let betas: Float64Array;
    let betaSchedule: Extract<Schedule, { kind: 'vp-discrete' }>['betaSchedule'];
    if (cfg.trained_betas) {
      betas = Float64Array.from(cfg.trained_betas.value);
      betaSchedule = 'trained';
    } else {
      betaSchedule = cfg.beta_schedule?.value ?? 'linear';
      betas = makeBetas(betaSchedule, num('beta_start', 0.0001), num('beta_end', 0.02), steps);
    }
    const src = cfg.beta_schedule?.source ?? cfg.num_train_timesteps?.source ?? cfg.trained_betas?.source;
    if (!src) warnings.push('No scheduler config found: assumed the DDPM default (linear β 0.0001…0.02, 1000 steps). Put the model\'s scheduler_config.json next to it.');
    note('schedule', `VP discrete, ${betaSchedule} β, ${betas.length} steps`, src ?? 'assumed (DDPM default)');
    return {
      kind: 'vp-discrete',
      alphasCumprod: alphasCumprodFromBetas(betas),
      betaSchedule,
      ...(cfg.timestep_spacing ? { timestepSpacing: cfg.timestep_spacing.value } : {}),
    };
  }
  const form = cfg.schedule?.value === 'vp-linear' ? 'linear' : 'cosine';
  if (!cfg.schedule) warnings.push('A continuous-time input without a stated schedule: assumed VP cosine. State "schedule" (vp-cosine or vp-linear) in a config.');
  note('schedule', `VP continuous (${form})`, cfg.schedule?.source ?? 'assumed');
  return { kind: 'vp-continuous', form, cosineS: num('cosine_s', 0), betaMin: num('beta_min', 0.1), betaMax: num('beta_max', 20), timeScale: num('time_scale', 1) };
}

function describe(p: Prediction, s: Schedule): string {
  const pred = { x0: 'x₀ (denoised image)', eps: 'ε (noise)', v: 'v', score: 'score' }[p];
  if (s.kind === 've') return p === 'x0' ? `EDM/VE denoiser: predicts ${pred} from σ` : `VE model: predicts ${pred} from σ`;
  if (s.kind === 'vp-discrete') return `VP/DDPM model: predicts ${pred} from a discrete timestep`;
  return `VP model: predicts ${pred} from continuous time`;
}

export function fmtShape(shape: Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : d)).join(',')}]` : '[unknown rank]';
}

function listInputs(vs: ValueInfo[]): string {
  return vs.map((v) => `"${v.name}" ${v.dtype} ${fmtShape(v.shape)}`).join(', ') || '(none)';
}

function onlyOne<T>(xs: T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}
