// Explained-variance metrics: identities of science.md §9.1 and hand-computed values.
import assert from 'node:assert/strict';
import { meanStd, probeMetrics } from '../../../src/engine/score/metrics';

describe('explained-variance metrics', () => {
  const mean = Float64Array.from([0.5, -0.5]);
  const x = Float32Array.from([1, 1, 0, 2]);

  it('a model equal to the network has EV = 1 for denoiser and score, both directions', () => {
    const nn = Float32Array.from([0.2, 0.4, -1, 3]);
    const m = probeMetrics(nn, nn, x, 2, 0.5, mean);
    for (const k of ['dtEv', 'dtEvRev', 'dtEvCentered', 'stEv', 'stEvRev'] as const) m[k].forEach((v) => assert.equal(v, 1));
  });

  it('EV(a, 0) = 0 and hand-computed values for one probe', () => {
    const nn = Float32Array.from([3, 4]);
    const zero = probeMetrics(nn, new Float32Array(2), Float32Array.from([0, 0]), 1, 1, Float64Array.from([0, 0]));
    assert.equal(zero.dtEv[0], 0);
    // nn = (3,4), model = (3,0), x = (1,1), σ = 2, μ = (1,0): ‖diff‖² = 16, ‖nn‖² = 25, ‖m‖² = 9, ‖nn−μ‖² = 20,
    // ‖nn−x‖² = 13, ‖m−x‖² = 5; so Dt = 1−16/25, rev = 1−16/9, centered = 1−16/20, St = 1−16/13, St_rev = 1−16/5.
    const m = probeMetrics(nn, Float32Array.from([3, 0]), Float32Array.from([1, 1]), 1, 2, Float64Array.from([1, 0]));
    assert.ok(Math.abs(m.dtEv[0] - (1 - 16 / 25)) < 1e-15);
    assert.ok(Math.abs(m.dtEvRev[0] - (1 - 16 / 9)) < 1e-15);
    assert.ok(Math.abs(m.dtEvCentered[0] - (1 - 16 / 20)) < 1e-15);
    assert.ok(Math.abs(m.stEv[0] - (1 - 16 / 13)) < 1e-15);
    assert.ok(Math.abs(m.stEvRev[0] - (1 - 16 / 5)) < 1e-15);
    assert.ok(Math.abs(m.stVar[0] - 5 / 16) < 1e-15);
    assert.equal(m.dtVar[0], 9);
  });

  it('means and stds do not depend on probe order', () => {
    const a = Float64Array.from([0.1, 0.9, 0.5, 0.3]);
    const b = Float64Array.from([0.3, 0.5, 0.1, 0.9]);
    assert.deepEqual(meanStd(a), meanStd(b));
    assert.ok(Math.abs(meanStd(a).mean - 0.45) < 1e-15);
  });
});
