// Noise schedules: how a model's own time input (σ, a discrete DDPM timestep, or continuous t) maps to VE σ and back.
import { UserError } from '../errors';
import { alphaBarFromSigma, sigmaFromAlphaBar } from './conversions';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';

export type Schedule =
  /** The network takes σ itself (VE / EDM); `sigmaMin`/`sigmaMax` bound the trained range when known. */
  | { kind: 've'; sigmaMin?: number; sigmaMax?: number }
  /** DDPM-style discrete timesteps 0..T−1 with a table of ᾱ (diffusers `alphas_cumprod`). */
  | { kind: 'vp-discrete'; alphasCumprod: Float64Array; betaSchedule: BetaSchedule | 'trained'; timestepSpacing?: string }
  /** Continuous VP time t ∈ [0, 1] (times `timeScale` at the input) with ᾱ(t) of a named form. */
  | { kind: 'vp-continuous'; form: 'cosine' | 'linear'; cosineS: number; betaMin: number; betaMax: number; timeScale: number };

/** diffusers' `betas` for the named schedule (DDPMScheduler.__init__). */
export function makeBetas(schedule: BetaSchedule, betaStart: number, betaEnd: number, steps: number): Float64Array {
  const b = new Float64Array(steps);
  if (schedule === 'linear') {
    for (let i = 0; i < steps; i++) b[i] = betaStart + ((betaEnd - betaStart) * i) / Math.max(steps - 1, 1);
  } else if (schedule === 'scaled_linear') {
    const s0 = Math.sqrt(betaStart);
    const s1 = Math.sqrt(betaEnd);
    for (let i = 0; i < steps; i++) {
      const s = s0 + ((s1 - s0) * i) / Math.max(steps - 1, 1);
      b[i] = s * s;
    }
  } else {
    // betas_for_alpha_bar with the cosine ᾱ of Nichol & Dhariwal (s = 0.008), max_beta 0.999
    const f = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (let i = 0; i < steps; i++) b[i] = Math.min(1 - f((i + 1) / steps) / f(i / steps), 0.999);
  }
  return b;
}

/** ᾱ_t = Π (1 − β_i). */
export function alphasCumprodFromBetas(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let p = 1;
  for (let i = 0; i < betas.length; i++) {
    p *= 1 - betas[i];
    out[i] = p;
  }
  return out;
}

/** ᾱ(t) for a continuous VP schedule at t ∈ [0, 1]. */
export function continuousAlphaBar(s: Extract<Schedule, { kind: 'vp-continuous' }>, t: number): number {
  if (s.form === 'cosine') {
    const f = (u: number): number => Math.cos(((u + s.cosineS) / (1 + s.cosineS)) * (Math.PI / 2)) ** 2;
    return Math.min(Math.max(f(t) / f(0), 1e-12), 1);
  }
  // score-SDE VP: ᾱ(t) = exp(−½ t² (β_max − β_min) − t β_min)
  return Math.exp(-0.5 * t * t * (s.betaMax - s.betaMin) - t * s.betaMin);
}

/** The σ range a schedule can express. */
export function sigmaRange(s: Schedule): { min: number; max: number } {
  switch (s.kind) {
    case 've':
      return { min: s.sigmaMin ?? 0, max: s.sigmaMax ?? Infinity };
    case 'vp-discrete':
      return { min: sigmaFromAlphaBar(s.alphasCumprod[0]), max: sigmaFromAlphaBar(s.alphasCumprod[s.alphasCumprod.length - 1]) };
    case 'vp-continuous':
      return { min: sigmaFromAlphaBar(continuousAlphaBar(s, 1e-5)), max: sigmaFromAlphaBar(continuousAlphaBar(s, 1)) };
  }
}

/** What the network is actually given for a requested σ, and the σ that input really means. */
export interface TimeForSigma {
  /** The value fed to the time input (σ itself, a timestep index, or scaled t). */
  value: number;
  /** The σ the model sees (differs from the request when timesteps are discrete). */
  sigma: number;
  /** ᾱ at that σ (1/(1+σ²)). */
  alphaBar: number;
}

export class SigmaOutOfRangeError extends UserError {}

/** Maps a VE σ to the model's time input; discrete schedules snap to the nearest timestep in log σ. */
export function timeForSigma(s: Schedule, sigma: number): TimeForSigma {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new SigmaOutOfRangeError(`σ must be a positive finite number (got ${sigma})`);
  const range = sigmaRange(s);
  const tol = 1e-6;
  if (sigma < range.min * (1 - tol) || sigma > range.max * (1 + tol)) {
    throw new SigmaOutOfRangeError(
      `σ = ${fmt(sigma)} is outside this model's noise range [${fmt(range.min)}, ${fmt(range.max)}]` +
        (s.kind === 'vp-discrete' ? ` (timesteps 0…${s.alphasCumprod.length - 1} of its schedule)` : '') +
        '. Choose σ values inside it.',
    );
  }
  switch (s.kind) {
    case 've':
      return { value: sigma, sigma, alphaBar: alphaBarFromSigma(sigma) };
    case 'vp-discrete': {
      const t = nearestTimestep(s.alphasCumprod, sigma);
      const ab = s.alphasCumprod[t];
      return { value: t, sigma: sigmaFromAlphaBar(ab), alphaBar: ab };
    }
    case 'vp-continuous': {
      const t = continuousTimeForAlphaBar(s, alphaBarFromSigma(sigma));
      return { value: t * s.timeScale, sigma, alphaBar: alphaBarFromSigma(sigma) };
    }
  }
}

/** Index of the timestep whose σ is nearest to `sigma` in log space (σ_t increases with t). */
export function nearestTimestep(alphasCumprod: Float64Array, sigma: number): number {
  const target = Math.log(sigma);
  let lo = 0;
  let hi = alphasCumprod.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (Math.log(sigmaFromAlphaBar(alphasCumprod[mid])) < target) lo = mid;
    else hi = mid;
  }
  const dl = Math.abs(Math.log(sigmaFromAlphaBar(alphasCumprod[lo])) - target);
  const dh = Math.abs(Math.log(sigmaFromAlphaBar(alphasCumprod[hi])) - target);
  return dh < dl ? hi : lo;
}

// ᾱ(t) decreases monotonically in t, so bisection finds t to double precision in ~60 steps.
function continuousTimeForAlphaBar(s: Extract<Schedule, { kind: 'vp-continuous' }>, alphaBar: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 80; i++) {
    const mid = 0.5 * (lo + hi);
    if (continuousAlphaBar(s, mid) > alphaBar) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x));
