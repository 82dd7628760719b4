// Blocked Householder tridiagonalisation of a symmetric matrix (LAPACK dsytrd/dlatrd, lower): per column one ORT
// matrix–vector graph (symv with the panel's corrections), per panel one ORT rank-2k GEMM on the trailing matrix.
import { GraphBuilder } from '../onnx/graph';
import { checkpoint, ProgressFn } from './control';
import { OrtLinalg } from './ortexec';

/** Reflectors of columns k0..k0+nb−1: row c of v (nb×m, row-major) is v_c on global rows k0..k0+m−1. */
export interface ReflectorPanel {
  k0: number;
  m: number;
  nb: number;
  v: Float64Array;
  tau: Float64Array;
}

/** T = Qᵀ A Q with T tridiagonal (d, e[i] = T(i, i+1)); Q = H_0 H_1 ⋯ kept as panels of Householder reflectors. */
export interface Tridiagonal {
  n: number;
  d: Float64Array;
  e: Float64Array;
  panels: ReflectorPanel[];
}

/** Options of tridiagonalize and applyQ. */
export interface TridiagOptions {
  linalg: OrtLinalg;
  /**
   * Panel width (default n/32 clamped to 32…128 for the JS-corrected panels; from `fuseFrom` on, √(8m) up to 192,
   * which balances the passes of the rank-2k update over the trailing matrix against the symv's growing corrections).
   */
  nb?: number;
  /** Trailing size from which the products go through ORT (default 192). */
  ortFrom?: number;
  /** Trailing size from which the panel corrections run inside the ORT matrix–vector graph, not in JS (default 1024). */
  fuseFrom?: number;
  /** Threads of the matrix–vector graphs (default: the executor's threads; 1 is better on a busy machine). */
  symvThreads?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Reduces the symmetric n×n matrix `a` (row-major, not modified) to tridiagonal form. */
export async function tridiagonalize(a: Float64Array, n: number, opts: TridiagOptions): Promise<Tridiagonal> {
  const nb0 = opts.nb ?? Math.max(32, Math.min(128, Math.round(n / 32)));
  const ortFrom = opts.ortFrom ?? 192;
  const fuseFrom = opts.fuseFrom ?? 1024;
  const threads = opts.symvThreads ?? opts.linalg.threads;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const panels: ReflectorPanel[] = [];
  // Two buffers: the trailing matrix lives in one, its update is written into the other (no allocations per panel).
  let cur = Float64Array.from(a.subarray(0, n * n));
  let spare = new Float64Array(n >= (opts.ortFrom ?? 256) ? (n - Math.min(nb0, n)) ** 2 : 0);
  let b: Float64Array = cur;
  let m = n;
  let k0 = 0;
  while (m > 0) {
    await checkpoint(opts.signal);
    const nb = Math.min(opts.nb ?? (m >= fuseFrom ? panelWidth(m, nb0) : nb0), m);
    const vw = new Float64Array(2 * nb * m); // interleaved rows V_0, W_0, V_1, W_1, … (reflectors v_c and w_c)
    const fused = m >= ortFrom && m >= fuseFrom; // corrections inside the ORT graph (large m) or in JS
    const wv = m >= ortFrom ? new Float64Array(2 * nb * m) : vw; // the pairs swapped: W_0, V_0, W_1, …
    const tau = new Float64Array(nb);
    const useOrt = m >= ortFrom;
    const col = b.slice(0, m); // column 0 of the panel = row 0 (symmetric)
    for (let j = 0; j < nb; j++) {
      // col holds column j of the partly updated matrix (rows j..m−1).
      d[k0 + j] = col[j];
      if (j === m - 1) break;
      // Householder reflector H = I − τ v vᵀ with H·col[j+1:] = β e₁ (v_{j+1} = 1).
      const vj = vw.subarray(2 * j * m, (2 * j + 1) * m);
      const alpha = col[j + 1];
      let xn = 0;
      for (let r = j + 2; r < m; r++) xn += col[r] * col[r];
      let beta = alpha;
      let tj = 0;
      vj[j + 1] = 1;
      if (xn > 0) {
        beta = -Math.sign(alpha || 1) * Math.hypot(alpha, Math.sqrt(xn));
        tj = (beta - alpha) / beta;
        const sc = 1 / (alpha - beta);
        for (let r = j + 2; r < m; r++) vj[r] = col[r] * sc;
      }
      tau[j] = tj;
      e[k0 + j] = beta;
      if (useOrt) wv.set(vj, (2 * j + 1) * m);
      const next = j + 1 < nb && j + 1 < m;
      if (tj === 0) {
        if (next) nextColumnJS(col, b, m, j + 1, vw);
        continue;
      }
      // y = (B − V Wᵀ − W Vᵀ)·v, and u = V·W[j+1,:]ᵀ + W·V[j+1,:]ᵀ for the next column (W row j is still zero).
      let y: Float64Array;
      let u: Float64Array | undefined;
      if (fused) [y, u] = await symvOrt(opts.linalg, b, m, vw, wv, j, threads);
      else if (useOrt) y = correctJS(await gemvOrt(opts.linalg, b, m, vw.subarray(2 * j * m, (2 * j + 1) * m), threads), m, j, vw);
      else y = correctJS(symvLowerJS(b, m, j, vw), m, j, vw);
      // w = τy − ½τ²(yᵀv)v.
      let yv = 0;
      for (let r = j + 1; r < m; r++) yv += y[r] * vj[r];
      const al = -0.5 * tj * tj * yv;
      const wj = vw.subarray((2 * j + 1) * m, (2 * j + 2) * m);
      for (let r = j + 1; r < m; r++) wj[r] = tj * y[r] + al * vj[r];
      if (useOrt) wv.set(wj, 2 * j * m);
      if (!next) continue;
      if (u) {
        const j1 = j + 1;
        const a1 = wj[j1];
        const b1 = vj[j1];
        for (let r = j1; r < m; r++) col[r] = b[j1 * m + r] - u[r] - vj[r] * a1 - wj[r] * b1;
      } else nextColumnJS(col, b, m, j + 1, vw);
    }
    const v = new Float64Array(nb * m);
    for (let c = 0; c < nb; c++) v.set(vw.subarray(2 * c * m, (2 * c + 1) * m), c * m);
    panels.push({ k0, m, nb, v, tau });
    const m2 = m - nb;
    if (m2 <= 0) break;
    if (useOrt) {
      b = await syr2kOrt(opts.linalg, b, m, nb, vw, wv, spare.subarray(0, m2 * m2));
      [cur, spare] = [spare, cur];
    } else b = syr2kJS(b, m, nb, vw);
    k0 += nb;
    m = m2;
    opts.onProgress?.(Math.min(1, 1 - (m / n) ** 3), 'tridiagonalisation');
  }
  e[n - 1] = 0;
  return { n, d, e, panels };
}

// Panel width at trailing size m for the fused path: √(8m), a multiple of 8, at least nb0 and at most 192.
function panelWidth(m: number, nb0: number): number {
  return Math.max(nb0, Math.min(192, 8 * Math.round(Math.sqrt(8 * m) / 8)));
}

// col[r] = B[j, r] − Σ_{c<j} (V_c[r] W_c[j] + W_c[r] V_c[j]) for r ≥ j: column j after the panel's earlier reflectors.
function nextColumnJS(col: Float64Array, b: Float64Array, m: number, j: number, vw: Float64Array): void {
  for (let r = j; r < m; r++) col[r] = b[j * m + r];
  for (let c = 0; c < j; c++) {
    const vc = 2 * c * m;
    const wc = vc + m;
    const x = vw[wc + j];
    const y = vw[vc + j];
    for (let r = j; r < m; r++) col[r] -= vw[vc + r] * x + vw[wc + r] * y;
  }
}

// B·x through ORT (one MatMul node).
async function gemvOrt(linalg: OrtLinalg, b: Float64Array, m: number, x: Float64Array, threads: number): Promise<Float64Array> {
  const [y] = await linalg.run(
    'gemv:f64',
    () => new GraphBuilder('gemv').input('B', 'float64', ['m', 'm']).input('x', 'float64', ['m', 1]).node('MatMul', ['B', 'x'], ['y']).output('y', 'float64', ['m', 1]),
    { B: { type: 'float64', data: b, dims: [m, m] }, x: { type: 'float64', data: x, dims: [m, 1] } },
    ['y'],
    { threads, arena: false },
  );
  return y as Float64Array;
}

// B·v_j on rows/columns ≥ j+1 in JS, reading only B's lower triangle.
function symvLowerJS(b: Float64Array, m: number, j: number, vw: Float64Array): Float64Array {
  const x = vw.subarray(2 * j * m, (2 * j + 1) * m);
  const y = new Float64Array(m);
  const j0 = j + 1;
  for (let r = j0; r < m; r++) {
    const row = r * m;
    const xr = x[r];
    let s = 0;
    for (let c = j0; c < r; c++) {
      const a = b[row + c];
      s += a * x[c];
      y[c] += a * xr;
    }
    y[r] += s + b[row + r] * xr;
  }
  return y;
}

// y − Σ_{c<j} (V_c (W_c·v_j) + W_c (V_c·v_j)) on rows ≥ j+1: the panel's pending rank-2 updates.
function correctJS(y: Float64Array, m: number, j: number, vw: Float64Array): Float64Array {
  const x = vw.subarray(2 * j * m, (2 * j + 1) * m);
  const j0 = j + 1;
  for (let c = 0; c < j; c++) {
    const vc = 2 * c * m;
    const wc = vc + m;
    let t1 = 0;
    let t2 = 0;
    for (let r = j0; r < m; r++) {
      t1 += vw[wc + r] * x[r];
      t2 += vw[vc + r] * x[r];
    }
    for (let r = j0; r < m; r++) y[r] -= vw[vc + r] * t1 + vw[wc + r] * t2;
  }
  return y;
}

// The same product through ORT, plus the next column's correction u, in one call (J = j+1 pairs so far):
// y = B·x − VWᵀ(WV·x) and u = VWᵀ·WV[:, row] with VW = [V_0; W_0; …; V_j; W_j] (W_j is still zero).
// Only rows j+1.. of B are read (x and the wanted y live there); y's first j+1 entries are not meaningful.
async function symvOrt(linalg: OrtLinalg, b: Float64Array, m: number, vw: Float64Array, wv: Float64Array, j: number, threads: number): Promise<[Float64Array, Float64Array]> {
  const k = 2 * (j + 1);
  const row = Math.min(j + 1, m - 1);
  const sel = new Float64Array(k);
  for (let c = 0; c < k; c++) sel[c] = wv[c * m + row];
  const r0 = j + 1;
  const [y, u] = await linalg.run(
    'symv:f64:rows',
    () =>
      new GraphBuilder('symv')
        .input('B', 'float64', ['r', 'm'])
        .input('VW', 'float64', ['k', 'm'])
        .input('WV', 'float64', ['k', 'm'])
        .input('x', 'float64', ['m', 1])
        .input('s', 'float64', ['k', 1])
        .input('pads', 'int64', [4])
        .node('MatMul', ['B', 'x'], ['Bxr'])
        .node('Pad', ['Bxr', 'pads'], ['Bx'])
        .node('MatMul', ['WV', 'x'], ['t'])
        .node('Gemm', ['VW', 't', 'Bx'], ['y'], { transA: 1, alpha: { f: -1 }, beta: { f: 1 } })
        .node('Gemm', ['VW', 's'], ['u'], { transA: 1 })
        .output('y', 'float64', ['m', 1])
        .output('u', 'float64', ['m', 1]),
    {
      B: { type: 'float64', data: b.subarray(r0 * m, m * m), dims: [m - r0, m] },
      VW: { type: 'float64', data: vw.subarray(0, k * m), dims: [k, m] },
      WV: { type: 'float64', data: wv.subarray(0, k * m), dims: [k, m] },
      x: { type: 'float64', data: vw.subarray(2 * j * m, (2 * j + 1) * m), dims: [m, 1] },
      s: { type: 'float64', data: sel, dims: [k, 1] },
      pads: { type: 'int64', data: BigInt64Array.from([BigInt(r0), 0n, 0n, 0n]), dims: [4] },
    },
    ['y', 'u'],
    { threads, arena: false },
  );
  return [y as Float64Array, u as Float64Array];
}

// Trailing matrix B[nb:, nb:] − Σ_c (V_c W_cᵀ + W_c V_cᵀ) in JS (lower triangle, mirrored).
function syr2kJS(b: Float64Array, m: number, nb: number, vw: Float64Array): Float64Array {
  const m2 = m - nb;
  const out = new Float64Array(m2 * m2);
  for (let i = 0; i < m2; i++) out.set(b.subarray((i + nb) * m + nb, (i + nb) * m + nb + i + 1), i * m2);
  for (let c = 0; c < nb; c++) {
    const vc = 2 * c * m + nb;
    const wc = vc + m;
    for (let i = 0; i < m2; i++) {
      const vi = vw[vc + i];
      const wi = vw[wc + i];
      const o = i * m2;
      for (let j = 0; j <= i; j++) out[o + j] -= vi * vw[wc + j] + wi * vw[vc + j];
    }
  }
  for (let i = 0; i < m2; i++) for (let j = 0; j < i; j++) out[j * m2 + i] = out[i * m2 + j];
  return out;
}

// Same through ORT: Slice(B) − VWᵀ·WV (columns nb..m) in one Gemm.
async function syr2kOrt(linalg: OrtLinalg, b: Float64Array, m: number, nb: number, vw: Float64Array, wv: Float64Array, into: Float64Array): Promise<Float64Array> {
  const i64 = (...x: number[]): BigInt64Array => BigInt64Array.from(x.map((v) => BigInt(v)));
  const [out] = await linalg.run(
    'syr2k:f64',
    () =>
      new GraphBuilder('syr2k')
        .input('B', 'float64', ['m', 'm'])
        .input('VW', 'float64', ['k', 'm'])
        .input('WV', 'float64', ['k', 'm'])
        .input('s2', 'int64', [2])
        .input('e2', 'int64', [2])
        .input('s1', 'int64', [1])
        .input('e1', 'int64', [1])
        .input('ax', 'int64', [1])
        .node('Slice', ['B', 's2', 'e2'], ['Bs'])
        .node('Slice', ['VW', 's1', 'e1', 'ax'], ['VWs'])
        .node('Slice', ['WV', 's1', 'e1', 'ax'], ['WVs'])
        .node('Gemm', ['VWs', 'WVs', 'Bs'], ['Out'], { transA: 1, alpha: { f: -1 }, beta: { f: 1 } })
        .output('Out', 'float64', ['r', 'r']),
    {
      B: { type: 'float64', data: b, dims: [m, m] },
      VW: { type: 'float64', data: vw, dims: [2 * nb, m] },
      WV: { type: 'float64', data: wv, dims: [2 * nb, m] },
      s2: { type: 'int64', data: i64(nb, nb), dims: [2] },
      e2: { type: 'int64', data: i64(m, m), dims: [2] },
      s1: { type: 'int64', data: i64(nb), dims: [1] },
      e1: { type: 'int64', data: i64(m), dims: [1] },
      ax: { type: 'int64', data: i64(1), dims: [1] },
    },
    ['Out'],
    { into: { Out: { type: 'float64', data: into, dims: [m - nb, m - nb] } } },
  );
  return out as Float64Array;
}
