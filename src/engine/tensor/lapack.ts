// The system's LAPACK (dsyevd: the divide-and-conquer symmetric eigensolver numpy.linalg.eigh calls), loaded through
// the koffi FFI when present: an optional accelerator for the full eigendecomposition, like a GPU execution provider.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `auto` = the platform's usual LAPACK libraries; `off` = always the built-in solver; anything else = a library path. */
export type LapackSetting = 'auto' | 'off' | string;

/** A loaded LAPACK with a working dsyevd. */
export interface NativeLapack {
  /** The library file that was loaded. */
  library: string;
  /** Eigenpairs of a symmetric n×n matrix (row-major; only the lower triangle is read): values ascending, row j of `vt` = the eigenvector of values[j]. */
  dsyevd(c: Float64Array, n: number): Promise<{ values: Float64Array; vt: Float64Array }>;
}

/** Where LAPACK usually is (LP64 builds: 32-bit integers): Debian/Ubuntu/Fedora liblapack3 or OpenBLAS, macOS Accelerate. */
function candidates(): string[] {
  switch (process.platform) {
    case 'darwin':
      return ['/System/Library/Frameworks/Accelerate.framework/Accelerate'];
    case 'win32':
      return ['liblapack.dll', 'libopenblas.dll'];
    default:
      return ['liblapack.so.3', 'libopenblas.so.0', 'libopenblasp.so.0', 'liblapack.so'];
  }
}

const loaded = new Map<string, Promise<NativeLapack | null>>();
const reasons = new Map<string, string>();

/** The LAPACK a setting names (loaded once per setting), or null with `lapackUnavailableReason` saying why. */
export function loadLapack(setting: LapackSetting = 'auto'): Promise<NativeLapack | null> {
  let p = loaded.get(setting);
  if (!p) {
    p = open(setting);
    loaded.set(setting, p);
  }
  return p;
}

/** Why `loadLapack(setting)` gave null (after it settled). */
export function lapackUnavailableReason(setting: LapackSetting = 'auto'): string | undefined {
  return reasons.get(setting);
}

async function open(setting: LapackSetting): Promise<NativeLapack | null> {
  if (setting === 'off') {
    reasons.set(setting, 'turned off (diffusionInspector.lapack = "off")');
    return null;
  }
  if (setting !== 'auto' && !fs.existsSync(setting)) {
    reasons.set(setting, `no file at ${setting} (diffusionInspector.lapack)`);
    return null;
  }
  let koffi: typeof import('koffi');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    koffi = require('koffi') as typeof import('koffi');
  } catch (e) {
    reasons.set(setting, `the koffi FFI module could not be loaded on this platform (${(e as Error).message})`);
    return null;
  }
  const tried: string[] = [];
  for (const file of setting === 'auto' ? candidates() : [setting]) {
    try {
      const lib = koffi.load(file);
      const fn = lib.func('void dsyevd_(const char *jobz, const char *uplo, const int *n, _Inout_ double *a, const int *lda, _Out_ double *w, _Out_ double *work, const int *lwork, _Out_ int *iwork, const int *liwork, _Out_ int *info, size_t jobzLen, size_t uploLen)');
      const native: NativeLapack = { library: file, dsyevd: (c, n) => callDsyevd(fn, c, n) };
      await selfTest(native);
      return native;
    } catch (e) {
      tried.push(`${path.basename(file)}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  reasons.set(setting, `no usable LAPACK (${tried.join('; ')})`);
  return null;
}

type KoffiFn = ((...args: unknown[]) => unknown) & { async: (...args: unknown[]) => void };

// Workspace query, then the call itself on koffi's worker thread (the compute process's event loop stays responsive).
async function callDsyevd(fn: KoffiFn, c: Float64Array, n: number): Promise<{ values: Float64Array; vt: Float64Array }> {
  const call = (...args: unknown[]): Promise<void> => new Promise((resolve, reject) => fn.async(...args, (err: unknown) => (err ? reject(err) : resolve())));
  // Row-major lower triangle = column-major upper triangle; the eigenvectors come back column-major = rows of vt.
  const a = Float64Array.from(c.subarray(0, n * n));
  const values = new Float64Array(n);
  const info = new Int32Array(1);
  const workSize = new Float64Array(1);
  const iworkSize = new Int32Array(1);
  await call('V', 'U', [n], a, [n], values, workSize, [-1], iworkSize, [-1], info, 1, 1);
  if (info[0] !== 0) throw new Error(`LAPACK dsyevd workspace query failed (info ${info[0]})`);
  const lwork = Math.ceil(workSize[0]);
  const liwork = iworkSize[0];
  await call('V', 'U', [n], a, [n], values, new Float64Array(lwork), [lwork], new Int32Array(liwork), [liwork], info, 1, 1);
  if (info[0] !== 0) throw new Error(`LAPACK dsyevd did not converge (info ${info[0]})`);
  return { values, vt: a };
}

// [[2, 1, 0], [1, 2, 0], [0, 0, 5]] has eigenvalues 1, 3, 5: a library with another integer size or calling
// convention fails here, not on the user's data.
async function selfTest(native: NativeLapack): Promise<void> {
  const { values, vt } = await native.dsyevd(Float64Array.of(2, 1, 0, 1, 2, 0, 0, 0, 5), 3);
  const ok = [1, 3, 5].every((v, i) => Math.abs(values[i] - v) < 1e-12) && Math.abs(Math.abs(vt[0]) - Math.SQRT1_2) < 1e-12;
  if (!ok) throw new Error(`dsyevd self-test gave eigenvalues ${Array.from(values).join(', ')}, expected 1, 3, 5`);
}
