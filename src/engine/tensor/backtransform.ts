// Back-transformation z ← Q·z for the Householder Q of tridiag.ts (LAPACK dormtr): consecutive panels are merged into
// block reflectors I − V T Vᵀ (compact WY, dlarft) and applied as two ORT float64 GEMMs each.
import { GraphBuilder } from '../onnx/graph';
import { checkpoint } from './control';
import { transpose } from './dense';
import { OrtLinalg } from './ortexec';
import { Tridiagonal, TridiagOptions } from './tridiag';

/**
 * z ← Q·z in place (z is n×cols row-major), block reflectors of up to `block` columns, last to first. Default n/6
 * rounded to 64 within 128…512: wide blocks mean fewer passes over z, whose rewriting dominates at large n, while
 * dlarft's cost per column grows with the width (measured best: 512 at n=3072, 128–256 at n=784).
 */
export async function applyQ(t: Tridiagonal, z: Float64Array, cols: number, opts: TridiagOptions & { block?: number }): Promise<void> {
  const ortFrom = opts.ortFrom ?? 192;
  const block = opts.block ?? Math.max(128, Math.min(512, 64 * Math.round(t.n / 384)));
  const n = t.n;
  const total = (n * n) / 2;
  let done = 0;
  let scratch = new Float64Array(0);
  let p1 = t.panels.length;
  while (p1 > 0) {
    await checkpoint(opts.signal);
    let p0 = p1 - 1;
    let kk = t.panels[p0].nb;
    while (p0 > 0 && kk + t.panels[p0 - 1].nb <= block) kk += t.panels[--p0].nb;
    const k0 = t.panels[p0].k0;
    const rows = n - k0 - 1;
    if (rows > 0) {
      // vt (kk×rows): row c = reflector c on global rows k0+1..n−1.
      const vt = new Float64Array(kk * rows);
      const tau = new Float64Array(kk);
      let co = 0;
      for (let q = p0; q < p1; q++) {
        const pq = t.panels[q];
        tau.set(pq.tau, co);
        for (let c = 0; c < pq.nb; c++) vt.set(pq.v.subarray(c * pq.m + 1, (c + 1) * pq.m), (co + c) * rows + pq.k0 - k0);
        co += pq.nb;
      }
      const big = rows >= ortFrom || rows * cols * kk >= 1 << 22;
      const tm = larft(big ? await gramOrt(opts.linalg, vt, kk, rows) : gramJS(vt, kk, rows), kk, tau);
      const zs = z.subarray((k0 + 1) * cols, n * cols);
      if (big) {
        if (scratch.length < rows * cols) scratch = new Float64Array(rows * cols);
        zs.set(await larfbOrt(opts.linalg, vt, transpose(vt, kk, rows), kk, rows, tm, zs, cols, scratch.subarray(0, rows * cols)));
      }
      else larfbJS(vt, kk, rows, tm, zs, cols);
      done += rows * kk;
    }
    opts.onProgress?.(Math.min(1, done / total), 'back-transformation');
    p1 = p0;
  }
}

// G = Vt·Vtᵀ (kk×kk).
function gramJS(vt: Float64Array, kk: number, rows: number): Float64Array {
  const g = new Float64Array(kk * kk);
  for (let i = 0; i < kk; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      const a = i * rows;
      const b = j * rows;
      for (let r = 0; r < rows; r++) s += vt[a + r] * vt[b + r];
      g[i * kk + j] = s;
      g[j * kk + i] = s;
    }
  return g;
}

async function gramOrt(linalg: OrtLinalg, vt: Float64Array, kk: number, rows: number): Promise<Float64Array> {
  const [g] = await linalg.run(
    'gemmNT:f64',
    () => new GraphBuilder('gemmNT').input('A', 'float64', ['m', 'k']).node('Gemm', ['A', 'A'], ['G'], { transB: 1 }).output('G', 'float64', ['m', 'm']),
    { A: { type: 'float64', data: vt, dims: [kk, rows] } },
    ['G'],
  );
  return g as Float64Array;
}

// Upper-triangular T of H_0⋯H_{k−1} = I − V T Vᵀ (dlarft, forward, columnwise) from the symmetric g = VᵀV.
function larft(g: Float64Array, nb: number, tau: Float64Array): Float64Array {
  const t = new Float64Array(nb * nb);
  for (let i = 0; i < nb; i++) {
    t[i * nb + i] = tau[i];
    if (tau[i] === 0) continue;
    for (let r = 0; r < i; r++) {
      let s = 0;
      for (let c = r; c < i; c++) s += t[r * nb + c] * g[i * nb + c]; // g symmetric: row i, contiguous
      t[r * nb + i] = -tau[i] * s;
    }
  }
  return t;
}

// zs − V (T (Vᵀ zs)) through ORT, V given both ways (kk×rows and rows×kk): MLAS's transposed-operand path is ~2× slower.
async function larfbOrt(
  linalg: OrtLinalg,
  vt: Float64Array,
  v: Float64Array,
  kk: number,
  rows: number,
  tm: Float64Array,
  zs: Float64Array,
  cols: number,
  into: Float64Array,
): Promise<Float64Array> {
  const [out] = await linalg.run(
    'larfb:f64:nn',
    () =>
      new GraphBuilder('larfb')
        .input('Vt', 'float64', ['k', 'r'])
        .input('V', 'float64', ['r', 'k'])
        .input('T', 'float64', ['k', 'k'])
        .input('Z', 'float64', ['r', 'c'])
        .node('MatMul', ['Vt', 'Z'], ['X1'])
        .node('MatMul', ['T', 'X1'], ['X2'])
        .node('Gemm', ['V', 'X2', 'Z'], ['Out'], { alpha: { f: -1 }, beta: { f: 1 } })
        .output('Out', 'float64', ['r', 'c']),
    {
      Vt: { type: 'float64', data: vt, dims: [kk, rows] },
      V: { type: 'float64', data: v, dims: [rows, kk] },
      T: { type: 'float64', data: tm, dims: [kk, kk] },
      Z: { type: 'float64', data: zs, dims: [rows, cols] },
    },
    ['Out'],
    { into: { Out: { type: 'float64', data: into, dims: [rows, cols] } } },
  );
  return out as Float64Array;
}

// Same in JS.
function larfbJS(vt: Float64Array, kk: number, rows: number, t: Float64Array, zs: Float64Array, cols: number): void {
  const x1 = new Float64Array(kk * cols);
  for (let c = 0; c < kk; c++) {
    const o = c * cols;
    for (let r = 0; r < rows; r++) {
      const a = vt[c * rows + r];
      if (a === 0) continue;
      const zr = r * cols;
      for (let k = 0; k < cols; k++) x1[o + k] += a * zs[zr + k];
    }
  }
  const x2 = new Float64Array(kk * cols);
  for (let r = 0; r < kk; r++)
    for (let c = r; c < kk; c++) {
      const a = t[r * kk + c];
      if (a === 0) continue;
      for (let k = 0; k < cols; k++) x2[r * cols + k] += a * x1[c * cols + k];
    }
  for (let r = 0; r < rows; r++) {
    const zr = r * cols;
    for (let c = 0; c < kk; c++) {
      const a = vt[c * rows + r];
      if (a === 0) continue;
      const o = c * cols;
      for (let k = 0; k < cols; k++) zs[zr + k] -= a * x2[o + k];
    }
  }
}
