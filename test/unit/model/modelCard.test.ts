// The model card of real ONNX files: signature, ops, parameters, detection evidence, and every kind of bad input.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildModelCard, cardProblem } from '../../../src/engine/model/modelCard';
import { UserError } from '../../../src/engine/errors';
import { modelPath } from '../helpers/fixtures';

describe('model card', () => {
  it('gauss_edm: inputs/outputs with dynamic batch, opset, op histogram, parameter count, EDM detection', () => {
    const c = buildModelCard(modelPath('gauss_edm.onnx'));
    assert.deepEqual(c.inputs.map((i) => [i.name, i.dtype, i.shape?.slice(1)]), [['x', 'float32', [1, 4, 4]], ['sigma', 'float32', []]]);
    assert.equal(typeof c.inputs[0].shape![0], 'string'); // the batch axis is a named dynamic axis
    assert.equal(c.outputs[0].name, 'denoised');
    assert.ok(c.opsets.some((o) => (o.domain === '' || o.domain === 'ai.onnx') && o.version === 17));
    assert.ok(c.ops.MatMul >= 2, JSON.stringify(c.ops));
    assert.equal(Object.values(c.ops).reduce((a, b) => a + b, 0), c.nodeCount);
    assert.ok(c.parameterCount >= 16 * 16 + 16 + 16, `params ${c.parameterCount}`);
    assert.equal(c.sha256.length, 64);
    assert.equal(c.parameterization.ok, true);
    assert.equal(c.parameterization.prediction, 'x0');
    assert.equal(c.parameterization.schedule, 've');
    assert.match(c.parameterization.label!, /EDM/);
    assert.equal(cardProblem(c), undefined);
  });

  it('a diffusers ε-model takes its schedule from the scheduler_config.json next to it, and says so', () => {
    const c = buildModelCard(modelPath('gauss_eps_discrete.onnx'));
    assert.equal(path.basename(c.configFile!), 'gauss_eps_discrete.scheduler_config.json');
    const p = c.parameterization;
    assert.equal(p.prediction, 'eps');
    assert.equal(p.schedule, 'vp-discrete');
    assert.ok(p.evidence.some((e) => e.field === 'schedule' && /scheduler_config/.test(e.source)));
    assert.ok(p.sigmaRange![1] > 150);
  });

  it('without a scheduler config, a timestep model is still mapped but warns that the schedule was assumed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-card-'));
    try {
      fs.copyFileSync(modelPath('gauss_eps_discrete.onnx'), path.join(dir, 'unet.onnx'));
      const p = buildModelCard(path.join(dir, 'unet.onnx')).parameterization;
      assert.equal(p.schedule, 'vp-discrete');
      assert.ok(p.warnings.some((w) => /assumed the DDPM default/.test(w)));
      assert.ok(p.evidence.some((e) => e.field === 'prediction' && e.value === 'eps' && /output name "noise_pred"/.test(e.source)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ONNX diffusion.* metadata sets v-prediction with continuous time; a fixed batch of 1 is reported', () => {
    const v = buildModelCard(modelPath('gauss_v_continuous.onnx'));
    assert.equal(v.metadata['diffusion.prediction_type'], 'v');
    assert.equal(v.parameterization.prediction, 'v');
    assert.ok(v.parameterization.evidence.some((e) => e.field === 'prediction' && e.source === 'ONNX metadata'));
    const s = buildModelCard(modelPath('gauss_score_fixed1.onnx'));
    assert.equal(s.parameterization.batch, 1);
    assert.ok(s.parameterization.warnings.some((w) => /fixed to 1/.test(w)));
  });

  it('an explicit --config overrides what the file says', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-card-'));
    try {
      const cfg = path.join(dir, 'c.json');
      fs.writeFileSync(cfg, JSON.stringify({ prediction_type: 'epsilon', sigma_max: 80 }));
      const p = buildModelCard(modelPath('gauss_edm.onnx'), cfg).parameterization;
      assert.equal(p.prediction, 'eps');
      assert.equal(p.sigmaRange![1], 80);
      fs.writeFileSync(cfg, JSON.stringify({ prediction_type: 'banana' }));
      assert.throws(() => buildModelCard(modelPath('gauss_edm.onnx'), cfg), /"prediction_type" must be one of/);
      fs.writeFileSync(cfg, '{ nope');
      assert.throws(() => buildModelCard(modelPath('gauss_edm.onnx'), cfg), /is not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inputs that cannot be mapped: the card is still built and names the inputs and the config to write', () => {
    const c = buildModelCard(modelPath('ambiguous_inputs.onnx'));
    assert.equal(c.parameterization.ok, false);
    assert.match(c.parameterization.error!, /"a" float32 \[.*16\], "b" float32/);
    assert.match(cardProblem(c)!, /diffusion\.json/);
  });

  it('a file that is not ONNX, an empty file and a truncated model each get their own plain message', () => {
    assert.throws(() => buildModelCard(modelPath('not_onnx.onnx')), (e: Error) => e instanceof UserError && /not an ONNX model/.test(e.message));
    assert.throws(() => buildModelCard(modelPath('truncated.onnx')), (e: Error) => e instanceof UserError && /truncated or damaged/.test(e.message));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-card-'));
    try {
      fs.writeFileSync(path.join(dir, 'empty.onnx'), '');
      assert.throws(() => buildModelCard(path.join(dir, 'empty.onnx')), /is empty/);
      assert.throws(() => buildModelCard(path.join(dir, 'missing.onnx')), /no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('external data: present is listed; missing and pointing outside the folder are blocking problems', () => {
    const ok = buildModelCard(modelPath('external_data.onnx'));
    assert.equal(ok.externalData.length, 1);
    assert.equal(ok.externalData[0].exists, true);
    assert.equal(ok.externalData[0].problem, undefined);
    assert.ok(ok.externalData[0].tensors >= 1);
    const missing = buildModelCard(modelPath('external_missing.onnx'));
    assert.match(cardProblem(missing)!, /is missing: copy it next to external_missing\.onnx/);
    const escape = buildModelCard(modelPath('external_escape.onnx'));
    assert.match(cardProblem(escape)!, /points outside the model's folder/);
  });
});
