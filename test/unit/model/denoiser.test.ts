// D(x, σ) of real ONNX fixtures against closed forms: every parameterization must give the same Gaussian denoiser.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GraphBuilder } from '../../../src/engine/onnx/graph';
import { OnnxDenoiser } from '../../../src/engine/model/denoiser';
import { deltaDenoise, gaussDenoise, maxRelDiff, modelPath, rng, truth } from '../helpers/fixtures';

const GAUSS_MODELS = ['gauss_edm', 'gauss_eps_discrete', 'gauss_v_continuous', 'gauss_score_fixed1'];

describe('OnnxDenoiser: D(x, σ) in the data scale', () => {
  const t = truth('gauss_edm');
  const dim = t.mean.length;
  const n = 5;
  const r = rng(11);

  for (const name of GAUSS_MODELS) {
    for (const sigma of [0.05, 0.5, 2, 20]) {
      it(`${name} at σ = ${sigma} equals μ + U diag(λ/(λ+σ²)) Uᵀ(y−μ) at the σ it really uses`, async () => {
        const net = await OnnxDenoiser.open(modelPath(`${name}.onnx`), { provider: 'cpu' });
        try {
          const y = Float32Array.from({ length: n * dim }, (_, i) => t.mean[i % dim] + sigma * r.normal() + 0.3 * r.normal());
          const d = await net.denoise(y, n, sigma);
          const used = net.effectiveSigma(sigma);
          if (name !== 'gauss_eps_discrete') assert.equal(used, sigma);
          else assert.ok(Math.abs(Math.log(used / sigma)) < 0.05, `snapped σ ${used}`);
          for (let k = 0; k < n; k++) {
            const ref = gaussDenoise(t, y.subarray(k * dim, (k + 1) * dim), used);
            const err = maxRelDiff(d.subarray(k * dim, (k + 1) * dim), ref);
            assert.ok(err < 2e-5, `image ${k}: rel err ${err}`);
          }
        } finally {
          await net.dispose();
        }
      });
    }
  }

  it('delta_edm equals the exact training-set (delta mixture) denoiser', async () => {
    const dt = truth('delta_edm');
    const net = await OnnxDenoiser.open(modelPath('delta_edm.onnx'), { provider: 'cpu' });
    for (const sigma of [0.1, 1, 10]) {
      const y = Float32Array.from({ length: 3 * dim }, (_, i) => dt.train![i % 12][i % dim] + sigma * r.normal());
      const d = await net.denoise(y, 3, sigma);
      for (let k = 0; k < 3; k++) assert.ok(maxRelDiff(d.subarray(k * dim, (k + 1) * dim), deltaDenoise(dt.train!, y.subarray(k * dim, (k + 1) * dim), sigma)) < 1e-4);
    }
    await net.dispose();
  });

  it('a fixed batch of 1 runs any number of images, one per run, with the same results as a dynamic batch', async () => {
    const fixed = await OnnxDenoiser.open(modelPath('gauss_score_fixed1.onnx'), { provider: 'cpu' });
    const dyn = await OnnxDenoiser.open(modelPath('gauss_edm.onnx'), { provider: 'cpu', maxBatch: 3 });
    const y = Float32Array.from({ length: 7 * dim }, () => r.normal());
    const a = await fixed.denoise(y, 7, 1.5);
    const b = await dyn.denoise(y, 7, 1.5);
    assert.ok(maxRelDiff(a, b) < 1e-5);
    assert.equal(fixed.param.batch, 1);
    await fixed.dispose();
    await dyn.dispose();
  });

  it('a σ outside a discrete model\'s schedule is refused with the range', async () => {
    const net = await OnnxDenoiser.open(modelPath('gauss_eps_discrete.onnx'), { provider: 'cpu' });
    await assert.rejects(net.denoise(new Float32Array(dim), 1, 1000), /outside this model's noise range/);
    await net.dispose();
  });

  it('an image size that differs from the model\'s fixed one is refused, naming both', async () => {
    await assert.rejects(OnnxDenoiser.open(modelPath('gauss_edm.onnx'), { provider: 'cpu', imageShape: [3, 32, 32] }), /model takes images of \[1,4,4\].*data has \[3,32,32\]/);
  });

  it('reports the execution provider: auto falls back to CPU here and says why', async () => {
    const net = await OnnxDenoiser.open(modelPath('gauss_edm.onnx'), { provider: 'auto' });
    assert.equal(net.provider.name, 'cpu');
    assert.ok(net.provider.fallbacks.some((f) => f.startsWith('cuda:')), net.provider.fallbacks.join('; '));
    await net.dispose();
  });

  it('the truth vectors of the fixture scripts are reproduced (numpy float64 vs onnxruntime float32)', async () => {
    const net = await OnnxDenoiser.open(modelPath('gauss_edm.onnx'), { provider: 'cpu' });
    for (const tv of t.tests as { x: number[]; sigma: number; output: number[] }[]) {
      const d = await net.denoise(Float32Array.from(tv.x), 1, tv.sigma);
      assert.ok(maxRelDiff(d, tv.output) < 1e-5);
    }
    await net.dispose();
  });
});

describe('OnnxDenoiser: guards on what a network returns', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-guards-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const save = (name: string, g: GraphBuilder): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, g.toBytes());
    return file;
  };

  it('NaN/Inf in the output is an error naming the count and σ', async () => {
    // denoised = x / (sigma − sigma): ±Inf or NaN everywhere
    const file = save('nan.onnx', new GraphBuilder('nan')
      .input('x', 'float32', ['N', 1, 2, 2]).input('sigma', 'float32', ['N'])
      .node('Sub', ['sigma', 'sigma'], ['zero']).node('Div', ['x', 'zero'], ['denoised'])
      .output('denoised', 'float32', ['N', 1, 2, 2]));
    const net = await OnnxDenoiser.open(file, { provider: 'cpu' });
    await assert.rejects(net.denoise(Float32Array.from({ length: 8 }, (_, i) => i - 3), 2, 0.5), /produced 8 non-finite values \(NaN\/Inf\) at σ = 0\.5/);
    await net.dispose();
  });

  it('an EDM-style σ input of shape [N,1,1,1] is recognised and fed with that rank', async () => {
    // D = x/(1 + σ²): the exact denoiser of N(0, I), σ broadcast over the image as EDM's networks do internally
    const file = save('sigma4d.onnx', new GraphBuilder('sigma4d')
      .input('x', 'float32', ['N', 1, 2, 2]).input('sigma', 'float32', ['N', 1, 1, 1])
      .initializer('one', 'float32', [], [1])
      .node('Mul', ['sigma', 'sigma'], ['s2']).node('Add', ['s2', 'one'], ['den']).node('Div', ['x', 'den'], ['denoised'])
      .output('denoised', 'float32', ['N', 1, 2, 2]));
    const net = await OnnxDenoiser.open(file, { provider: 'cpu' });
    assert.equal(net.param.timeInput, 'sigma');
    const x = Float32Array.from({ length: 12 }, (_, i) => i - 5);
    const d = await net.denoise(x, 3, 2);
    d.forEach((v, i) => assert.ok(Math.abs(v - x[i] / 5) < 1e-6));
    await net.dispose();
  });

  it('an output whose shape differs from the image input is refused before running', async () => {
    const file = save('shape.onnx', new GraphBuilder('shape')
      .input('x', 'float32', ['N', 1, 2, 2]).input('sigma', 'float32', ['N'])
      .node('Flatten', ['x'], ['denoised'], { axis: 1 })
      .output('denoised', 'float32', ['N', 4]));
    await assert.rejects(OnnxDenoiser.open(file, { provider: 'cpu' }), /no output has the image's shape|must match its input/);
  });
});
