// The headless CLI: JSON on stdout, plain errors on stderr, exit codes (0 ok, 1 bad input, 2 bug).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { encodeNpy } from '../../src/engine/store/npz';
import { modelPath } from './helpers/fixtures';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('CLI', () => {
  it('info prints the model card as JSON', async () => {
    const r = await cli('info', modelPath('gauss_eps_discrete.onnx'));
    assert.equal(r.code, 0);
    const card = JSON.parse(r.out);
    assert.equal(card.parameterization.prediction, 'eps');
    assert.equal(card.inputs[1].name, 'timestep');
  });

  it('info on an unusable model prints the card and exits 1 with the problem', async () => {
    const r = await cli('info', modelPath('ambiguous_inputs.onnx'));
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.out).parameterization.ok, false);
    assert.match(r.err, /error: cannot tell which inputs/);
  });

  it('info on a file that is not ONNX exits 1 with a message and a hint, without a stack trace', async () => {
    const r = await cli('info', modelPath('not_onnx.onnx'));
    assert.equal(r.code, 1);
    assert.match(r.err, /not an ONNX model/);
    assert.match(r.err, /hint: /);
    assert.doesNotMatch(r.err, /\n\s+at /);
  });

  it('probe runs the model on the CPU and reports the σ really used', async () => {
    const r = await cli('probe', modelPath('gauss_eps_discrete.onnx'), '--sigma', '2', '--provider', 'cpu', '--batch', '3');
    assert.equal(r.code, 0, r.err);
    const res = JSON.parse(r.out);
    assert.equal(res.provider, 'cpu');
    assert.ok(Math.abs(res.sigmaUsed - 2) < 0.01 && res.sigmaUsed !== 2);
  });

  it('usage errors exit 1 and print the usage', async () => {
    for (const args of [['frobnicate'], ['info'], ['info', 'a', 'b'], ['probe', 'x.onnx', '--sigma', 'abc'], ['info', 'x.onnx', '--nope'], ['info', 'x.onnx', '--provider', 'tpu']]) {
      const r = await cli(...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, /Usage: diffusion-inspector/);
    }
    assert.equal((await cli('--help')).code, 0);
  });

  it('fit --lapack off writes fit.json naming the built-in eigensolver; a bad --lapack path falls back and says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-cli-fit-'));
    try {
      const data = path.join(dir, 'small.npy');
      fs.writeFileSync(data, encodeNpy({ data: Uint8Array.from({ length: 50 * 64 }, (_, i) => (i * 37) % 251), shape: [50, 8, 8] }));
      for (const [flag, why] of [['off', /turned off/], ['/nonexistent/liblapack.so', /no file at \/nonexistent/]] as const) {
        const out = path.join(dir, `out-${flag === 'off' ? 'off' : 'bad'}`);
        const r = await cli('fit', data, '--out', out, '--lapack', flag, '--cache-dir', path.join(dir, `cache-${out.slice(-3)}`));
        assert.equal(r.code, 0, r.err);
        const meta = JSON.parse(fs.readFileSync(path.join(out, 'fit.json'), 'utf8'));
        assert.match(meta.solver, /^built-in /);
        assert.match(meta.solver, why);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
