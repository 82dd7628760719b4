// Noise schedules against diffusers' formulas (numpy float64 tables in the fixture truth) and hand values.
import assert from 'node:assert/strict';
import { Schedule, alphasCumprodFromBetas, makeBetas, nearestTimestep, sigmaRange, timeForSigma } from '../../../src/engine/model/schedule';
import { sigmaFromAlphaBar } from '../../../src/engine/model/conversions';
import { truth } from '../helpers/fixtures';

describe('noise schedules', () => {
  const linear = alphasCumprodFromBetas(makeBetas('linear', 0.0001, 0.02, 1000));

  it('linear β: ᾱ_0 = 1 − β_start and ᾱ_1 by hand; the whole table equals numpy cumprod to 1e-12', () => {
    assert.ok(Math.abs(linear[0] - 0.9999) < 1e-15);
    const beta1 = 0.0001 + (0.02 - 0.0001) / 999;
    assert.ok(Math.abs(linear[1] - 0.9999 * (1 - beta1)) < 1e-15);
    const ref = truth('gauss_eps_discrete').alphas_cumprod!;
    assert.equal(ref.length, 1000);
    ref.forEach((v, i) => assert.ok(Math.abs(linear[i] - v) <= 1e-12 * v, `t=${i}`));
  });

  it('scaled_linear squares a linspace of √β; squaredcos_cap_v2 is capped at 0.999', () => {
    const b = makeBetas('scaled_linear', 0.00085, 0.012, 1000);
    assert.ok(Math.abs(b[0] - 0.00085) < 1e-15 && Math.abs(b[999] - 0.012) < 1e-15);
    const mid = ((Math.sqrt(0.00085) + Math.sqrt(0.012)) / 2) ** 2;
    assert.ok(Math.abs(makeBetas('scaled_linear', 0.00085, 0.012, 3)[1] - mid) < 1e-15);
    const c = makeBetas('squaredcos_cap_v2', 0, 0, 1000);
    assert.equal(c[999], 0.999);
    assert.ok(c.every((v) => v > 0 && v <= 0.999));
  });

  it('discrete σ → timestep snaps to the nearest σ_t in log space and reports the σ really used', () => {
    const s: Schedule = { kind: 'vp-discrete', alphasCumprod: linear, betaSchedule: 'linear' };
    for (const t of [0, 1, 17, 500, 998, 999]) {
      const sig = sigmaFromAlphaBar(linear[t]);
      const r = timeForSigma(s, sig);
      assert.equal(r.value, t);
      assert.ok(Math.abs(r.sigma - sig) < 1e-12 * sig);
    }
    const r = timeForSigma(s, 2);
    assert.ok(Math.abs(Math.log(r.sigma / 2)) <= Math.abs(Math.log(sigmaFromAlphaBar(linear[r.value + 1]) / 2)));
    assert.ok(Math.abs(Math.log(r.sigma / 2)) <= Math.abs(Math.log(sigmaFromAlphaBar(linear[r.value - 1]) / 2)));
    assert.equal(nearestTimestep(linear, 1e-9), 0);
  });

  it('a σ outside a discrete schedule is an error that names the range', () => {
    const s: Schedule = { kind: 'vp-discrete', alphasCumprod: linear, betaSchedule: 'linear' };
    const range = sigmaRange(s);
    assert.ok(range.min < 0.011 && range.max > 150 && range.max < 160);
    assert.throws(() => timeForSigma(s, 500), /outside this model's noise range \[0\.01, 157\.4\]/);
    assert.throws(() => timeForSigma(s, 0.001), /outside/);
    assert.throws(() => timeForSigma(s, -1), /positive/);
  });

  it('continuous cosine (s = 0): σ = tan(πt/2), so σ = 1 is t = ½; time_scale multiplies the input', () => {
    const s: Schedule = { kind: 'vp-continuous', form: 'cosine', cosineS: 0, betaMin: 0.1, betaMax: 20, timeScale: 1000 };
    const r = timeForSigma(s, 1);
    assert.ok(Math.abs(r.value - 500) < 1e-9);
    assert.ok(Math.abs(timeForSigma(s, Math.tan((Math.PI / 2) * 0.3)).value - 300) < 1e-9);
  });

  it('continuous linear VP: t(σ) = (√(β_min² + 2β_d ln(1+σ²)) − β_min)/β_d (EDM VPPrecond)', () => {
    const s: Schedule = { kind: 'vp-continuous', form: 'linear', cosineS: 0, betaMin: 0.1, betaMax: 20, timeScale: 1 };
    for (const sigma of [0.01, 0.5, 3, 80]) {
      const bd = 19.9;
      const expect = (Math.sqrt(0.01 + 2 * bd * Math.log(1 + sigma * sigma)) - 0.1) / bd;
      assert.ok(Math.abs(timeForSigma(s, sigma).value - expect) < 1e-12, `σ=${sigma}`);
    }
  });
});
