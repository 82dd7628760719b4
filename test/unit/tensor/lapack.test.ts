// The system LAPACK (dsyevd through koffi) as eigh's accelerator: found where it is installed, exact on known spectra,
// and never required (setting "off", a wrong library, or none installed fall back to the built-in solver).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eigAccuracy } from '../../../src/engine/tensor/checks';
import { AbortError } from '../../../src/engine/tensor/control';
import { eigh } from '../../../src/engine/tensor/eigh';
import { lapackUnavailableReason, loadLapack } from '../../../src/engine/tensor/lapack';
import { OrtLinalg } from '../../../src/engine/tensor/ortexec';
import { randomOrthogonal, withSpectrum } from './helpers';

// Debian's liblapack3 (installed by .ci/run) puts it here.
const SYSTEM_LAPACK = '/usr/lib/x86_64-linux-gnu/liblapack.so.3';

describe('system LAPACK (dsyevd) for eigh', function () {
  this.timeout(60000);
  const linalg = new OrtLinalg({ threads: 1 });
  after(() => linalg.release());
  // Repeated, zero and negative eigenvalues.
  const n = 300;
  const lambda = Array.from({ length: n }, (_, i) => (i < 100 ? 3 - i / 100 : i < 200 ? 0.5 : i < 250 ? 0 : -(i - 249) / 50));
  const a = withSpectrum(randomOrthogonal(n, 21), lambda, n);
  const sorted = [...lambda].sort((x, y) => y - x);

  it('is found where it is installed, and says why not where it is not', async () => {
    const native = await loadLapack('auto');
    if (fs.existsSync(SYSTEM_LAPACK)) assert.ok(native, `expected ${SYSTEM_LAPACK} to load: ${lapackUnavailableReason('auto')}`);
    else if (!native) assert.match(lapackUnavailableReason('auto') ?? '', /no usable LAPACK|koffi/);
  });

  it('auto uses it: eigenvalues of a known spectrum to 1e-13, residual and orthogonality ≤ 1e-12, same as the built-in solver', async () => {
    const native = await loadLapack('auto');
    const r = await eigh(a, n, { linalg });
    assert.equal(r.method, native ? 'lapack' : 'dc');
    if (native) assert.match(r.solver, new RegExp(`LAPACK dsyevd \\(${native.library.replace(/[.]/g, '\\.')}\\)`));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r.values[i] - sorted[i]) <= 1e-13 * 3, `λ${i}: ${r.values[i]} vs ${sorted[i]}`);
    const acc = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
    assert.ok(acc.residual <= 1e-12 && acc.orthogonality <= 1e-12, JSON.stringify(acc));
    const builtIn = await eigh(a, n, { method: 'dc', linalg });
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r.values[i] - builtIn.values[i]) <= 1e-13 * 3);
  });

  it('"off", a missing file or a library without dsyevd fall back to the built-in solver and say why', async () => {
    const off = await eigh(a, n, { linalg, lapack: 'off' });
    assert.equal(off.method, 'dc');
    assert.match(off.solver, /built-in .*turned off/);
    const missing = await eigh(a, n, { linalg, lapack: '/nonexistent/liblapack.so.3' });
    assert.equal(missing.method, 'dc');
    assert.match(missing.solver, /no file at \/nonexistent/);
    const bogus = path.join(os.tmpdir(), 'not-lapack.so');
    fs.writeFileSync(bogus, 'not an ELF file');
    const wrong = await eigh(a, n, { linalg, lapack: bogus });
    assert.equal(wrong.method, 'dc');
    assert.match(wrong.solver, /no usable LAPACK \(not-lapack\.so: /);
    for (const r of [off, missing, wrong]) for (let i = 0; i < n; i++) assert.ok(Math.abs(r.values[i] - sorted[i]) <= 1e-12);
  });

  it('a 64-bit-integer (ILP64) build works through the same call: Debian\'s libopenblas64 (installed by .ci/run)', async () => {
    const ilp64 = '/usr/lib/x86_64-linux-gnu/libopenblas64.so.0';
    const r = await eigh(a, n, { linalg, lapack: ilp64 });
    if (!fs.existsSync(ilp64)) return assert.match(r.solver, /no file at/);
    assert.equal(r.method, 'lapack', r.solver);
    assert.match(r.solver, /libopenblas64\.so\.0/);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r.values[i] - sorted[i]) <= 1e-13 * 3, `λ${i}`);
    const acc = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
    assert.ok(acc.residual <= 1e-12 && acc.orthogonality <= 1e-12, JSON.stringify(acc));
  });

  it('a shared library without dsyevd is refused by name (zlib)', async () => {
    const zlib = ['/usr/lib/x86_64-linux-gnu/libz.so.1', '/lib/x86_64-linux-gnu/libz.so.1'].find((f) => fs.existsSync(f));
    assert.ok(zlib, 'zlib1g is part of every Debian system');
    const r = await eigh(a, n, { linalg, lapack: zlib });
    assert.equal(r.method, 'dc');
    assert.match(r.solver, /no dsyevd_ \/ dsyevd_64_ \/ scipy_dsyevd_64_ symbol/);
  });

  it('a cancelled job stops before the native call', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(eigh(a, n, { linalg, signal: ctl.signal }), AbortError);
  });
});
