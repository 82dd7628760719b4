// Data for the linear-algebra benchmark: Fashion-MNIST IDX parsing, synthetic matrices, peak RSS, numpy reference runs.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { normalStream } from '../src/engine/random';
import { OrtLinalg } from '../src/engine/tensor/ortexec';

/** Fashion-MNIST training images, when the machine has them. */
export const FMNIST = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
/** Debian's python3 with numpy/scipy (the reference). */
export const PYTHON = '/usr/bin/python3';

/** uint8 images of an IDX file (optionally gzipped): 16-byte header (magic 0x803, N, rows, cols) + N·rows·cols bytes. */
export interface IdxImages {
  count: number;
  dim: number;
  pixels: Uint8Array;
}

/** Reads an IDX3 image file (.gz or raw). */
export function loadIdx(file: string): IdxImages {
  let buf = fs.readFileSync(file);
  if (file.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(0) !== 0x803) throw new Error(`${file}: not an IDX3 ubyte file (magic ${dv.getUint32(0).toString(16)})`);
  const count = dv.getUint32(4);
  const dim = dv.getUint32(8) * dv.getUint32(12);
  if (buf.length < 16 + count * dim) throw new Error(`${file}: truncated`);
  return { count, dim, pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * dim) };
}

/** Writes a synthetic 60000×28×28 IDX3 file (smooth blobs + noise) for machines without Fashion-MNIST. */
export function writeSyntheticIdx(file: string, count = 60000, side = 28): void {
  const rng = normalStream(2024);
  const dim = side * side;
  const out = Buffer.alloc(16 + count * dim);
  out.writeUInt32BE(0x803, 0);
  out.writeUInt32BE(count, 4);
  out.writeUInt32BE(side, 8);
  out.writeUInt32BE(side, 12);
  for (let n = 0; n < count; n++) {
    const cx = 14 + 4 * rng();
    const cy = 14 + 4 * rng();
    const r = 6 + 2 * Math.abs(rng());
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const v = 255 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r)) + 12 * rng();
        out[16 + n * dim + y * side + x] = Math.max(0, Math.min(255, Math.round(v)));
      }
  }
  fs.writeFileSync(file, out);
}

/** C[a,b] = exp(−‖p_a − p_b‖/3)·(1 same channel, else 0.9), CHW order — same formula as reference_numpy.py. */
export function imageCovariance(h: number, w: number, ch: number): Float64Array {
  const hw = h * w;
  const n = hw * ch;
  const k = new Float64Array(h * w); // kernel by |dy|, |dx|
  for (let dy = 0; dy < h; dy++) for (let dx = 0; dx < w; dx++) k[dy * w + dx] = Math.exp(-Math.sqrt(dy * dy + dx * dx) / 3);
  const c = new Float64Array(n * n);
  const row = new Float64Array(hw);
  for (let p = 0; p < hw; p++) {
    const py = Math.floor(p / w);
    const px = p % w;
    for (let q = 0; q < hw; q++) row[q] = k[Math.abs(py - Math.floor(q / w)) * w + Math.abs(px - (q % w))];
    for (let a = 0; a < ch; a++)
      for (let b = 0; b < ch; b++) {
        const f = a === b ? 1 : 0.9;
        const o = (a * hw + p) * n + b * hw;
        for (let q = 0; q < hw; q++) c[o + q] = f * row[q];
      }
  }
  return c;
}

/** A = YᵀY/m with Y ((n+50)×n) standard normal (the matrix of performance.md §2b), via an ORT float64 GEMM. */
export async function randomCovariance(n: number, linalg: OrtLinalg, seed = 3): Promise<Float64Array> {
  const m = n + 50;
  const rng = normalStream(seed);
  const y = new Float64Array(m * n);
  for (let i = 0; i < y.length; i++) y[i] = rng();
  const a = await linalg.gemmTN(y, m, n, y, n);
  for (let i = 0; i < a.length; i++) a[i] /= m;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]; // exactly symmetric
  return a;
}

/** Tracks the largest RSS seen by explicit samples and a timer (ORT runs block the timer, so sample between steps). */
export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout;
  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 10);
  }
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak / 2 ** 20;
  }
}

/** Kernel high-water mark of this process's RSS in MiB (Linux /proc; undefined elsewhere). */
export function vmHwmMiB(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Whether /usr/bin/python3 can import numpy. */
export function numpyAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs bench/reference_numpy.py with the arguments and returns its JSON result (or an error). */
export function runNumpy(args: string[]): Record<string, unknown> & { error?: string } {
  const script = [path.join(__dirname, 'reference_numpy.py'), path.join(__dirname, '..', '..', 'bench', 'reference_numpy.py')].find((f) => fs.existsSync(f));
  if (!script) return { error: 'reference_numpy.py not found' };
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ') };
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

/** A scratch file path in the OS temp folder. */
export function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'di-bench-')), name);
}
