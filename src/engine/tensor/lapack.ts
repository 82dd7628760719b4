// The system's LAPACK (dsyevd: the divide-and-conquer symmetric eigensolver numpy.linalg.eigh calls), loaded through
// the koffi FFI when present: an optional accelerator for the full eigendecomposition, like a GPU execution provider.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `auto` = the platform's usual LAPACK libraries; `off` = always the built-in solver; anything else = a library path (LP64 or ILP64). */
export type LapackSetting = 'auto' | 'off' | string;

/** A loaded LAPACK with a working dsyevd. */
export interface NativeLapack {
  /** The library file that was loaded. */
  library: string;
  /** Eigenpairs of a symmetric n×n matrix (row-major; only the lower triangle is read): values ascending, row j of `vt` = the eigenvector of values[j]. */
  dsyevd(c: Float64Array, n: number): Promise<{ values: Float64Array; vt: Float64Array }>;
}

/** Where LAPACK usually is: Debian/Ubuntu/Fedora liblapack3 or OpenBLAS, an active conda environment, macOS Accelerate. */
function candidates(): string[] {
  const conda = process.env.CONDA_PREFIX;
  switch (process.platform) {
    case 'darwin':
      return ['/System/Library/Frameworks/Accelerate.framework/Accelerate', ...(conda ? [path.join(conda, 'lib', 'liblapack.dylib')] : [])];
    case 'win32':
      return [...(conda ? [path.join(conda, 'Library', 'bin', 'liblapack.dll')] : []), 'liblapack.dll', 'libopenblas.dll'];
    default:
      return ['liblapack.so.3', 'libopenblas.so.0', 'libopenblasp.so.0', 'liblapack.so', ...(conda ? [path.join(conda, 'lib', 'liblapack.so.3')] : [])];
  }
}

/**
 * dsyevd's names: reference/LP64 builds, ILP64 builds with the `64_` suffix, and the OpenBLAS that numpy and scipy
 * wheels bundle (`scipy_…64_`). Every integer is passed as a zeroed 64-bit value, which a 32-bit-integer (LP64) build
 * reads identically on little-endian machines, so one signature serves both integer sizes.
 */
const SYMBOLS = ['dsyevd_', 'dsyevd_64_', 'scipy_dsyevd_64_'];

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
      const symbol = SYMBOLS.find((name) => hasSymbol(lib, name));
      if (!symbol) throw new Error(`no ${SYMBOLS.join(' / ')} symbol`);
      const fn = lib.func(`void ${symbol}(const char *jobz, const char *uplo, const int64_t *n, _Inout_ double *a, const int64_t *lda, _Out_ double *w, _Out_ double *work, const int64_t *lwork, _Inout_ int64_t *iwork, const int64_t *liwork, _Inout_ int64_t *info, size_t jobzLen, size_t uploLen)`);
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

function hasSymbol(lib: { func: (decl: string) => unknown }, name: string): boolean {
  try {
    lib.func(`void ${name}()`);
    return true;
  } catch {
    return false;
  }
}

/** An integer written by either build into a zeroed 64-bit slot (a 32-bit build fills only the low half). */
function readInt(slot: BigInt64Array): number {
  const v = slot[0];
  return Number(v >= 2n ** 31n ? v - 2n ** 32n : v);
}

// Workspace query, then the call itself on koffi's worker thread (the compute process's event loop stays responsive).
async function callDsyevd(fn: KoffiFn, c: Float64Array, n: number): Promise<{ values: Float64Array; vt: Float64Array }> {
  const call = (...args: unknown[]): Promise<void> => new Promise((resolve, reject) => fn.async(...args, (err: unknown) => (err ? reject(err) : resolve())));
  // Row-major lower triangle = column-major upper triangle; the eigenvectors come back column-major = rows of vt.
  const a = Float64Array.from(c.subarray(0, n * n));
  const values = new Float64Array(n);
  const int = (v: number): BigInt64Array => BigInt64Array.of(BigInt(v));
  let info = int(0);
  const workSize = new Float64Array(1);
  const iworkSize = int(0);
  await call('V', 'U', int(n), a, int(n), values, workSize, int(-1), iworkSize, int(-1), info, 1, 1);
  if (readInt(info) !== 0) throw new Error(`LAPACK dsyevd workspace query failed (info ${readInt(info)})`);
  const lwork = Math.ceil(workSize[0]);
  const liwork = readInt(iworkSize);
  info = int(0);
  await call('V', 'U', int(n), a, int(n), values, new Float64Array(lwork), int(lwork), new BigInt64Array(liwork), int(liwork), info, 1, 1);
  if (readInt(info) !== 0) throw new Error(`LAPACK dsyevd did not converge (info ${readInt(info)})`);
  return { values, vt: a };
}

// [[2, 1, 0], [1, 2, 0], [0, 0, 5]] has eigenvalues 1, 3, 5: a library with another calling convention fails here,
// not on the user's data.
async function selfTest(native: NativeLapack): Promise<void> {
  const { values, vt } = await native.dsyevd(Float64Array.of(2, 1, 0, 1, 2, 0, 0, 0, 5), 3);
  const ok = [1, 3, 5].every((v, i) => Math.abs(values[i] - v) < 1e-12) && Math.abs(Math.abs(vt[0]) - Math.SQRT1_2) < 1e-12;
  if (!ok) throw new Error(`dsyevd self-test gave eigenvalues ${Array.from(values).join(', ')}, expected 1, 3, 5`);
}
