// Runs a model's D(x, σ) once on a deterministic input: proves the model runs here and which provider ran it.
import type { JobMap, ProbeResult } from '../../protocol/jobs';
import { OnnxDenoiser } from '../model/denoiser';
import { JobContext } from './context';

/** Denoiser smoke probe: D(x, σ) on x = σ·(fixed pseudo-noise), the Protocol B probe of science.md §4.2. */
export async function probeDenoiser(p: JobMap['probeDenoiser']['params'], ctx: JobContext): Promise<ProbeResult> {
  ctx.progress('loading model');
  const net = await OnnxDenoiser.open(p.file, { config: p.config, imageShape: p.imageShape, ...ctx.settings });
  try {
    const dim = net.imageShape[0] * net.imageShape[1] * net.imageShape[2];
    const x = new Float32Array(p.batch * dim);
    for (let i = 0; i < x.length; i++) x[i] = p.sigma * Math.sin(12.9898 * (i + 1)) * 1.7; // deterministic, unit-ish variance
    ctx.progress('running the network');
    const t0 = performance.now();
    const d = await net.denoise(x, p.batch, p.sigma, ctx.signal);
    const ms = performance.now() - t0;
    let ss = 0;
    for (let i = 0; i < d.length; i++) ss += d[i] * d[i];
    return {
      provider: net.provider.name,
      fallbacks: net.provider.fallbacks,
      sigmaRequested: p.sigma,
      sigmaUsed: net.effectiveSigma(p.sigma),
      imageShape: net.imageShape,
      batch: p.batch,
      outputMeanSquare: ss / d.length,
      milliseconds: ms,
    };
  } finally {
    await net.dispose();
  }
}
