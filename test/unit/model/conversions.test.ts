// ε ↔ x̂0 ↔ v ↔ score round trips on VE and VP paths, VP ↔ VE, and hand-computed values (science.md §9.7).
import assert from 'node:assert/strict';
import { Prediction, alphaBarFromSigma, edmPrecond, fromX0, scoreFromDenoiser, sigmaFromAlphaBar, toX0, vePath, vpPathFromAlphaBar } from '../../../src/engine/model/conversions';
import { rng } from '../helpers/fixtures';

const PREDS: Prediction[] = ['x0', 'eps', 'v', 'score'];

describe('prediction conversions', () => {
  const r = rng(7);
  const x0 = Float64Array.from({ length: 64 }, () => r.normal());
  const eps = Float64Array.from({ length: 64 }, () => r.normal());

  for (const [name, path] of [['VE σ=0.3', vePath(0.3)], ['VE σ=40', vePath(40)], ['VP ᾱ=0.9', vpPathFromAlphaBar(0.9)], ['VP ᾱ=0.01', vpPathFromAlphaBar(0.01)]] as const) {
    const xt = x0.map((v, i) => path.a * v + path.b * eps[i]);
    for (const pred of PREDS) {
      it(`${name}: ${pred} → x̂0 → ${pred} is the identity, and recovers the true x0`, () => {
        const q = new Float64Array(64);
        fromX0(pred, x0, xt, path, q);
        const back = new Float64Array(64);
        toX0(pred, q, xt, path, back);
        for (let i = 0; i < 64; i++) assert.ok(Math.abs(back[i] - x0[i]) < 1e-9 * (1 + Math.abs(x0[i])), `${i}: ${back[i]} vs ${x0[i]}`);
      });
    }
    it(`${name}: the ε, v and score of the true x0 are the textbook ones`, () => {
      const q = new Float64Array(64);
      fromX0('eps', x0, xt, path, q);
      q.forEach((v, i) => assert.ok(Math.abs(v - eps[i]) < 1e-8));
      fromX0('v', x0, xt, path, q);
      q.forEach((v, i) => assert.ok(Math.abs(v - (path.a * eps[i] - path.b * x0[i])) < 1e-8));
      fromX0('score', x0, xt, path, q);
      q.forEach((v, i) => assert.ok(Math.abs(v + eps[i] / path.b) < 1e-8 * (1 + Math.abs(v))));
    });
  }

  it('hand-computed values: VE σ=2, x_t=3, ε̂=1 gives x̂0 = 1; v on VP ᾱ=0.36 (a=0.6, b=0.8)', () => {
    const d = new Float64Array(1);
    toX0('eps', [1], [3], vePath(2), d);
    assert.equal(d[0], 1);
    toX0('score', [-0.5], [3], vePath(2), d); // x̂0 = 3 + 4·(−0.5) = 1
    assert.equal(d[0], 1);
    const p = vpPathFromAlphaBar(0.36);
    toX0('v', [0.5], [1], p, d); // (0.6·1 − 0.8·0.5)/1 = 0.2
    assert.ok(Math.abs(d[0] - 0.2) < 1e-15);
  });

  it('VP ↔ VE: ᾱ = 1/(1+σ²) and σ = √((1−ᾱ)/ᾱ) invert each other; y = x_t/√ᾱ is x0 + σε', () => {
    // 1 − ᾱ loses ~log10(1/σ²) digits near ᾱ = 1, so small σ round-trips to ~1e-10 only.
    for (const s of [0.002, 0.5, 1, 80]) assert.ok(Math.abs(sigmaFromAlphaBar(alphaBarFromSigma(s)) - s) < 1e-10 * s);
    assert.equal(alphaBarFromSigma(1), 0.5);
    const ab = 0.2;
    const p = vpPathFromAlphaBar(ab);
    const sigma = sigmaFromAlphaBar(ab);
    const xt = p.a * 0.7 + p.b * -1.3;
    assert.ok(Math.abs(xt / Math.sqrt(ab) - (0.7 + sigma * -1.3)) < 1e-12);
  });

  it('Tweedie score (D − x)/σ² and EDMPrecond coefficients (σ_data = 0.5, σ = 0.5: c_skip = ½, c_out = c_in·σσ_d)', () => {
    const s = new Float64Array(1);
    scoreFromDenoiser([1], [3], 2, s);
    assert.equal(s[0], -0.5);
    const c = edmPrecond(0.5, 0.5);
    assert.ok(Math.abs(c.cSkip - 0.5) < 1e-15);
    assert.ok(Math.abs(c.cOut - 0.25 / Math.sqrt(0.5)) < 1e-15);
    assert.ok(Math.abs(c.cIn - 1 / Math.sqrt(0.5)) < 1e-15);
    assert.ok(Math.abs(c.cNoise - Math.log(0.5) / 4) < 1e-15);
  });
});
