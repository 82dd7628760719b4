// The denoiser config: one vocabulary for JSON sidecars, diffusers scheduler_config.json and ONNX `diffusion.*` metadata.
import { UserError } from '../errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Prediction } from './conversions';

/** Everything a user may state about a model (all optional; detection fills the rest). Keys are documented in README. */
export interface ModelConfig {
  prediction_type?: Prediction;
  /** What the time input means: σ itself, a discrete DDPM timestep, or continuous VP time. */
  time?: 'sigma' | 'timestep' | 'continuous';
  schedule?: 've' | 'vp-discrete' | 'vp-cosine' | 'vp-linear';
  sigma_data?: number;
  sigma_min?: number;
  sigma_max?: number;
  // diffusers DDPM/DDIM scheduler keys
  beta_schedule?: 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
  beta_start?: number;
  beta_end?: number;
  num_train_timesteps?: number;
  trained_betas?: number[];
  timestep_spacing?: string;
  // continuous VP schedules
  cosine_s?: number;
  beta_min?: number;
  beta_max?: number;
  /** The network's time input is t·time_scale (e.g. 1000 for models trained on t ∈ [0, 1000]). */
  time_scale?: number;
  /** Input and output names, when the signature is ambiguous. */
  inputs?: { x?: string; time?: string };
  output?: string;
}

/** A config value together with where it came from (shown on the model card). */
export interface Sourced<T> {
  value: T;
  source: string;
}

export type SourcedConfig = { [K in keyof ModelConfig]?: Sourced<NonNullable<ModelConfig[K]>> };

export class ConfigError extends UserError {}

const PREDICTION_ALIASES: Record<string, Prediction> = {
  x0: 'x0', x_0: 'x0', sample: 'x0', denoised: 'x0', edm: 'x0',
  eps: 'eps', epsilon: 'eps', noise: 'eps',
  v: 'v', v_prediction: 'v',
  score: 'score',
};
const TIME_ALIASES: Record<string, ModelConfig['time']> = {
  sigma: 'sigma', timestep: 'timestep', discrete: 'timestep', continuous: 'continuous', t: 'continuous',
};
const SCHEDULES = new Set(['ve', 'vp-discrete', 'vp-cosine', 'vp-linear']);
const BETA_SCHEDULES = new Set(['linear', 'scaled_linear', 'squaredcos_cap_v2']);
const NUMBER_KEYS = [
  'sigma_data', 'sigma_min', 'sigma_max', 'beta_start', 'beta_end', 'num_train_timesteps', 'cosine_s', 'beta_min',
  'beta_max', 'time_scale',
] as const;

/** Validates and normalizes a raw config object (from JSON or metadata); unknown keys are ignored. */
export function normalizeConfig(raw: Record<string, unknown>, source: string): SourcedConfig {
  const out: SourcedConfig = {};
  function bad(key: string, why: string): never {
    throw new ConfigError(`${source}: "${key}" ${why}`);
  }
  const set = <K extends keyof ModelConfig>(k: K, v: NonNullable<ModelConfig[K]>): void => {
    (out as Record<string, Sourced<unknown>>)[k] = { value: v, source };
  };
  if (raw.prediction_type !== undefined) {
    const p = PREDICTION_ALIASES[String(raw.prediction_type).toLowerCase()];
    if (!p) bad('prediction_type', `must be one of epsilon, sample (x0), v_prediction, score (got ${JSON.stringify(raw.prediction_type)})`);
    set('prediction_type', p);
  }
  if (raw.time !== undefined) {
    const t = TIME_ALIASES[String(raw.time).toLowerCase()];
    if (!t) bad('time', `must be sigma, timestep or continuous (got ${JSON.stringify(raw.time)})`);
    set('time', t);
  }
  if (raw.schedule !== undefined) {
    const s = String(raw.schedule).toLowerCase();
    if (!SCHEDULES.has(s)) bad('schedule', `must be one of ${[...SCHEDULES].join(', ')} (got ${JSON.stringify(raw.schedule)})`);
    set('schedule', s as NonNullable<ModelConfig['schedule']>);
  }
  if (raw.beta_schedule !== undefined) {
    const s = String(raw.beta_schedule);
    if (!BETA_SCHEDULES.has(s)) bad('beta_schedule', `must be linear, scaled_linear or squaredcos_cap_v2 (got ${JSON.stringify(s)})`);
    set('beta_schedule', s as NonNullable<ModelConfig['beta_schedule']>);
  }
  for (const k of NUMBER_KEYS) {
    if (raw[k] === undefined || raw[k] === null) continue;
    const n = Number(raw[k]);
    if (!Number.isFinite(n)) bad(k, `must be a number (got ${JSON.stringify(raw[k])})`);
    if (n < 0) bad(k, 'must not be negative');
    set(k, n);
  }
  if (Array.isArray(raw.trained_betas)) set('trained_betas', raw.trained_betas.map(Number));
  if (typeof raw.timestep_spacing === 'string') set('timestep_spacing', raw.timestep_spacing);
  if (raw.inputs && typeof raw.inputs === 'object') {
    const i = raw.inputs as Record<string, unknown>;
    set('inputs', { ...(i.x ? { x: String(i.x) } : {}), ...(i.time ? { time: String(i.time) } : {}) });
  }
  if (typeof raw.output === 'string') set('output', raw.output);
  // A diffusers scheduler config is a VP discrete schedule unless it says otherwise.
  if ((raw._class_name !== undefined || raw.num_train_timesteps !== undefined) && raw.schedule === undefined) {
    set('schedule', 'vp-discrete');
    if (raw.time === undefined) set('time', 'timestep');
  }
  return out;
}

/** Reads `diffusion.*` keys of ONNX metadata_props as a config. */
export function configFromMetadata(meta: Record<string, string>): SourcedConfig {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (!k.startsWith('diffusion.')) continue;
    const key = k.slice('diffusion.'.length);
    raw[key] = key === 'inputs' || key === 'trained_betas' ? safeJson(v) : v;
  }
  return normalizeConfig(raw, 'ONNX metadata');
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Sidecar files looked for next to a model, in order (first found wins). */
export function sidecarCandidates(modelPath: string): string[] {
  const dir = path.dirname(modelPath);
  const stem = path.basename(modelPath).replace(/\.onnx$/i, '');
  return [
    path.join(dir, `${stem}.diffusion.json`),
    path.join(dir, `${stem}.scheduler_config.json`),
    path.join(dir, 'diffusion-inspector.json'),
    path.join(dir, 'scheduler_config.json'),
    path.join(dir, '..', 'scheduler', 'scheduler_config.json'),
  ];
}

/** Loads a JSON config file, with errors that name the file and the problem. */
export function loadConfigFile(file: string): SourcedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`config ${file} must be a JSON object`);
  return normalizeConfig(raw as Record<string, unknown>, path.basename(file));
}

/** The explicit config file, or the first sidecar found next to the model. */
export function findConfig(modelPath: string, explicit?: string): { file?: string; config: SourcedConfig } {
  if (explicit) return { file: explicit, config: loadConfigFile(explicit) };
  const found = sidecarCandidates(modelPath).find((f) => fs.existsSync(f));
  return found ? { file: found, config: loadConfigFile(found) } : { config: {} };
}

/** Later sources override earlier ones key by key. */
export function mergeConfigs(...configs: SourcedConfig[]): SourcedConfig {
  return Object.assign({}, ...configs) as SourcedConfig;
}
