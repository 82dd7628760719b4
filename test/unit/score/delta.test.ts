// The delta mixture (exact training-set score): limits, stability at small σ, and agreement with the ONNX fixture.
import assert from 'node:assert/strict';
import { DeltaDenoiser } from '../../../src/engine/score/delta';
import { OnnxDenoiser } from '../../../src/engine/model/denoiser';
import { deltaDenoise, maxRelDiff, modelPath, rng, truth } from '../helpers/fixtures';

describe('delta mixture', () => {
  const dt = truth('delta_edm');
  const train = Float32Array.from(dt.train!.flat());
  const SHAPE: [number, number, number] = [1, 4, 4];
  const r = rng(3);

  it('equals the float64 softmax reference and the exact delta-mixture ONNX fixture', async () => {
    const delta = new DeltaDenoiser(SHAPE, train, 12);
    const net = await OnnxDenoiser.open(modelPath('delta_edm.onnx'), { provider: 'cpu' });
    for (const sigma of [0.05, 0.5, 3]) {
      const x = Float32Array.from({ length: 4 * 16 }, (_, i) => train[i % 16] + sigma * r.normal());
      const d = await delta.denoise(x, 4, sigma);
      for (let b = 0; b < 4; b++) assert.ok(maxRelDiff(d.subarray(b * 16, (b + 1) * 16), deltaDenoise(dt.train!, x.subarray(b * 16, (b + 1) * 16), sigma)) < 1e-5);
      assert.ok(maxRelDiff(d, await net.denoise(x, 4, sigma)) < 1e-4);
    }
    await net.dispose();
  });

  it('σ → 0 snaps to the nearest training point; σ → ∞ gives the training mean; one point gives D ≡ x₁', async () => {
    const delta = new DeltaDenoiser(SHAPE, train, 12);
    const x = Float32Array.from({ length: 16 }, (_, i) => train[7 * 16 + i] + 0.05 * Math.cos(i));
    const near = await delta.denoise(x, 1, 1e-3);
    assert.ok(maxRelDiff(near, train.subarray(7 * 16, 8 * 16)) < 1e-6);
    const far = await delta.denoise(x, 1, 1e4);
    const mean = Array.from({ length: 16 }, (_, i) => dt.train!.reduce((a, p) => a + p[i], 0) / 12);
    assert.ok(maxRelDiff(far, mean) < 1e-5);
    const one = new DeltaDenoiser(SHAPE, train.subarray(0, 16), 1);
    assert.ok(maxRelDiff(await one.denoise(x, 1, 0.7), train.subarray(0, 16)) < 1e-6);
  });

  it('stays exact at small σ on large, nearly duplicate images (float32 GEMM cancellation is corrected in float64)', async () => {
    const d = 784;
    const n = 50;
    const big = Float32Array.from({ length: n * d }, () => 0.9 + 0.1 * r.uniform()); // all points far from 0, close to each other
    const shape: [number, number, number] = [1, 28, 28];
    const delta = new DeltaDenoiser(shape, big, n);
    const sigma = 0.02;
    const x = Float32Array.from(big.subarray(11 * d, 12 * d), (v, i) => v + 0.002 * Math.sin(i));
    const ref = deltaDenoise(Array.from({ length: n }, (_, j) => Array.from(big.subarray(j * d, (j + 1) * d))), x, sigma);
    assert.ok(maxRelDiff(await delta.denoise(x, 1, sigma), ref) < 1e-5);
  });

  it('over a σ grid with shared probes equals the float64 reference at every σ (protocols A and B)', async () => {
    const d = 784;
    const n = 300;
    const shape: [number, number, number] = [1, 28, 28];
    const pts = Float32Array.from({ length: n * d }, () => Math.round(255 * r.uniform()) / 127.5 - 1); // uint8-like pixels
    const delta = new DeltaDenoiser(shape, pts, n, undefined, 4); // 4 rows per chunk: several chunks per grid
    const probes = 6;
    const base = pts.slice(17 * d, (17 + probes) * d);
    const noise = Float32Array.from({ length: probes * d }, () => r.normal());
    const sigmas = [0.01, 0.2, 1, 5, 80];
    const train = Array.from({ length: n }, (_, j) => Array.from(pts.subarray(j * d, (j + 1) * d)));
    for (const b of [base, null]) {
      const grid = await delta.denoiseGrid(b, noise, probes, sigmas);
      assert.equal(grid.outputs.length, sigmas.length);
      assert.ok(grid.seconds.every((s) => s > 0));
      for (const [si, sigma] of sigmas.entries()) {
        const x = Float32Array.from(noise, (z, k) => (b ? b[k] : 0) + sigma * z); // the float32 probes a network sees
        const generic = await delta.denoise(x, probes, sigma);
        for (let p = 0; p < probes; p++) {
          const got = grid.outputs[si].subarray(p * d, (p + 1) * d);
          const ref = deltaDenoise(train, x.subarray(p * d, (p + 1) * d), sigma);
          assert.ok(maxRelDiff(got, ref) < 1e-5, `σ=${sigma} probe ${p}: ${maxRelDiff(got, ref)}`);
          assert.ok(maxRelDiff(got, generic.subarray(p * d, (p + 1) * d)) < 1e-5);
        }
      }
    }
  });

  it('taking over the training array (no second copy) gives the same denoiser and leaves the array centered', async () => {
    const own = Float32Array.from(train);
    const owning = new DeltaDenoiser(SHAPE, own, 12, undefined, undefined, true);
    const copying = new DeltaDenoiser(SHAPE, train, 12);
    const x = Float32Array.from({ length: 3 * 16 }, (_, i) => train[(i * 7) % train.length] + 0.3 * Math.sin(i));
    for (const sigma of [0.05, 0.7, 9]) assert.deepEqual(await owning.denoise(x, 3, sigma), await copying.denoise(x, 3, sigma));
    for (let i = 0; i < 16; i++) {
      let sum = 0;
      for (let n = 0; n < 12; n++) sum += own[n * 16 + i];
      assert.ok(Math.abs(sum) < 1e-5, `column ${i} of the taken-over array sums to ${sum}`);
    }
  });
});
