// Config vocabulary: diffusers scheduler_config.json, our own keys, ONNX metadata, and their errors.
import assert from 'node:assert/strict';
import { configFromMetadata, mergeConfigs, normalizeConfig } from '../../../src/engine/model/config';

describe('model config', () => {
  it('a diffusers DDPMScheduler config is a discrete VP schedule with the named prediction type', () => {
    const c = normalizeConfig({ _class_name: 'DDPMScheduler', prediction_type: 'v_prediction', beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000, timestep_spacing: 'trailing' }, 'scheduler_config.json');
    assert.equal(c.prediction_type!.value, 'v');
    assert.equal(c.schedule!.value, 'vp-discrete');
    assert.equal(c.time!.value, 'timestep');
    assert.equal(c.beta_schedule!.value, 'scaled_linear');
    assert.equal(c.timestep_spacing!.value, 'trailing');
    assert.equal(c.prediction_type!.source, 'scheduler_config.json');
  });

  it('our EDM keys: sigma_data, sigma_min, sigma_max and prediction aliases', () => {
    const c = normalizeConfig({ prediction_type: 'sample', time: 'sigma', sigma_data: 0.5, sigma_min: 0.002, sigma_max: 80 }, 'x.json');
    assert.equal(c.prediction_type!.value, 'x0');
    assert.equal(c.sigma_data!.value, 0.5);
    assert.equal(c.sigma_max!.value, 80);
  });

  it('bad values are refused with the key and what is allowed', () => {
    assert.throws(() => normalizeConfig({ sigma_data: 'half' }, 'x.json'), /x\.json: "sigma_data" must be a number/);
    assert.throws(() => normalizeConfig({ beta_schedule: 'cosine' }, 'x.json'), /"beta_schedule" must be linear, scaled_linear or squaredcos_cap_v2/);
    assert.throws(() => normalizeConfig({ time: 'when' }, 'x.json'), /"time" must be sigma, timestep or continuous/);
    assert.throws(() => normalizeConfig({ sigma_min: -1 }, 'x.json'), /must not be negative/);
  });

  it('ONNX metadata keys carry the diffusion. prefix; later sources override earlier ones', () => {
    const meta = configFromMetadata({ 'diffusion.prediction_type': 'eps', 'diffusion.sigma_data': '0.5', other: 'ignored' });
    assert.equal(meta.prediction_type!.source, 'ONNX metadata');
    const merged = mergeConfigs(meta, normalizeConfig({ prediction_type: 'x0' }, 'side.json'));
    assert.equal(merged.prediction_type!.value, 'x0');
    assert.equal(merged.sigma_data!.value, 0.5);
  });
});
