// Blocked Householder tridiagonalisation of a symmetric matrix (LAPACK dsytrd/dlatrd, lower) and its back-transform
// (dormtr via compact WY): the O(n³) rank-2k updates and the back-transform run as ORT float64 GEMMs; symv as ORT gemv.
import { GraphBuilder } from '../onnx/graph';
import { checkpoint, ProgressFn } from './control';
import { OrtLinalg } from './ortexec';

/** One panel of reflectors: columns k0..k0+nb−1; v (m×nb row-major, rows relative to k0) and tau. */
export interface ReflectorPanel {
  k0: number;
  m: number;
  nb: number;
  v: Float64Array;
  tau: Float64Array;
}

/** T = Qᵀ A Q with T tridiagonal (d, e[i] = T(i, i+1)); Q is kept as panels of Householder reflectors. */
export interface Tridiagonal {
  n: number;
  d: Float64Array;
  e: Float64Array;
  panels: ReflectorPanel[];
}

/** Options of tridiagonalize/applyQ. */
export interface TridiagOptions {
  linalg: OrtLinalg;
  /** Panel width (default 32). */
  nb?: number;
  /** Trailing size from which symv and updates go through ORT (default 256). */
  ortFrom?: number;
  /** Threads for the memory-bound matrix–vector graphs (default 1: extra threads only add synchronisation). */
  symvThreads?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Reduces the symmetric n×n matrix `a` (row-major, not modified) to tridiagonal form. */
export async function tridiagonalize(a: Float64Array, n: number, opts: TridiagOptions): Promise<Tridiagonal> {
  const nb0 = opts.nb ?? 32;
  const ortFrom = opts.ortFrom ?? 256;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const panels: ReflectorPanel[] = [];
  let b: Float64Array = Float64Array.from(a.subarray(0, n * n));
  let m = n;
  let k0 = 0;
  const work = (n * n * n) / 3;
  while (m > 0) {
    await checkpoint(opts.signal);
    const nb = Math.min(nb0, m);
    const v = new Float64Array(m * nb);
    const w = new Float64Array(m * nb);
    const tau = new Float64Array(nb);
    const useOrt = m >= ortFrom;
    const col = b.slice(0, m); // column 0 of the panel = row 0 (symmetric)
    const vhat = new Float64Array(m);
    for (let j = 0; j < nb; j++) {
      // col holds column j of the partly updated matrix (rows j..m−1).
      d[k0 + j] = col[j];
      if (j === m - 1) break;
      // Householder reflector H = I − τ v vᵀ with H·col[j+1:] = β e₁.
      const alpha = col[j + 1];
      let xn = 0;
      for (let r = j + 2; r < m; r++) xn += col[r] * col[r];
      let beta = alpha;
      let tj = 0;
      v[(j + 1) * nb + j] = 1;
      if (xn > 0) {
        beta = -Math.sign(alpha || 1) * Math.hypot(alpha, Math.sqrt(xn));
        tj = (beta - alpha) / beta;
        const sc = 1 / (alpha - beta);
        for (let r = j + 2; r < m; r++) v[r * nb + j] = col[r] * sc;
      }
      tau[j] = tj;
      e[k0 + j] = beta;
      const next = j + 1 < nb && j + 1 < m;
      if (tj === 0) {
        if (next) nextColumnJS(col, b, m, j + 1, nb, v, w);
        continue;
      }
      vhat.fill(0, 0, j + 1);
      for (let r = j + 1; r < m; r++) vhat[r] = v[r * nb + j];
      // y = (B − V Wᵀ − W Vᵀ)[j+1:, j+1:]·v, and u = V·W[j+1,:]ᵀ + W·V[j+1,:]ᵀ for the next column.
      let y: Float64Array;
      let u: Float64Array | undefined;
      if (useOrt) [y, u] = await symvOrt(opts.linalg, b, m, nb, v, w, vhat, next ? j + 1 : j, opts.symvThreads ?? 1);
      else y = symvCorrectedJS(b, m, j, nb, v, w, vhat);
      // w = τy − ½τ²(yᵀv)v.
      let yv = 0;
      for (let r = j + 1; r < m; r++) yv += y[r] * vhat[r];
      const al = -0.5 * tj * tj * yv;
      for (let r = j + 1; r < m; r++) w[r * nb + j] = tj * y[r] + al * vhat[r];
      if (!next) continue;
      if (u) {
        const j1 = j + 1;
        const wj = w[j1 * nb + j];
        const vj = v[j1 * nb + j];
        for (let r = j1; r < m; r++) col[r] = b[j1 * m + r] - u[r] - v[r * nb + j] * wj - w[r * nb + j] * vj;
      } else nextColumnJS(col, b, m, j + 1, nb, v, w);
    }
    panels.push({ k0, m, nb, v, tau });
    const m2 = m - nb;
    if (m2 <= 0) break;
    b = useOrt ? await syr2kOrt(opts.linalg, b, m, nb, v, w) : syr2kJS(b, m, nb, v, w);
    k0 += nb;
    m = m2;
    opts.onProgress?.(Math.min(1, 1 - (m * m * m) / 3 / work), 'tridiagonalisation');
  }
  e[n - 1] = 0;
  return { n, d, e, panels };
}

// col[r] = B[j, r] − Σ_c (V[r,c] W[j,c] + W[r,c] V[j,c]) for r ≥ j: column j after the panel's earlier reflectors.
function nextColumnJS(col: Float64Array, b: Float64Array, m: number, j: number, nb: number, v: Float64Array, w: Float64Array): void {
  const vj = j * nb;
  for (let r = j; r < m; r++) {
    const rr = r * nb;
    let s = 0;
    for (let c = 0; c < j; c++) s += v[rr + c] * w[vj + c] + w[rr + c] * v[vj + c];
    col[r] = b[j * m + r] - s;
  }
}

// (B − V Wᵀ − W Vᵀ)·x on rows/columns ≥ j+1 in JS (x is zero above j+1; columns ≥ j of V, W are still unused).
function symvCorrectedJS(b: Float64Array, m: number, j: number, nb: number, v: Float64Array, w: Float64Array, x: Float64Array): Float64Array {
  const y = symvLower(b, m, j + 1, x);
  const t1 = new Float64Array(j);
  const t2 = new Float64Array(j);
  for (let r = j + 1; r < m; r++) {
    const rr = r * nb;
    const xr = x[r];
    for (let c = 0; c < j; c++) {
      t1[c] += w[rr + c] * xr;
      t2[c] += v[rr + c] * xr;
    }
  }
  for (let r = j + 1; r < m; r++) {
    const rr = r * nb;
    let s = 0;
    for (let c = 0; c < j; c++) s += v[rr + c] * t1[c] + w[rr + c] * t2[c];
    y[r] -= s;
  }
  return y;
}

// The same product through ORT, plus u = V·W[row,:]ᵀ + W·V[row,:]ᵀ (the next column's correction) in one call.
async function symvOrt(
  linalg: OrtLinalg,
  b: Float64Array,
  m: number,
  nb: number,
  v: Float64Array,
  w: Float64Array,
  x: Float64Array,
  row: number,
  threads: number,
): Promise<[Float64Array, Float64Array]> {
  const [y, u] = await linalg.run(
    'symv:f64',
    () =>
      new GraphBuilder('symv')
        .input('B', 'float64', ['m', 'm'])
        .input('V', 'float64', ['m', 'k'])
        .input('W', 'float64', ['m', 'k'])
        .input('x', 'float64', ['m', 1])
        .input('a', 'float64', ['k', 1])
        .input('c', 'float64', ['k', 1])
        .node('MatMul', ['B', 'x'], ['Bx'])
        .node('Gemm', ['W', 'x'], ['t1'], { transA: 1 })
        .node('Gemm', ['V', 'x'], ['t2'], { transA: 1 })
        .node('MatMul', ['V', 't1'], ['Vt1'])
        .node('MatMul', ['W', 't2'], ['Wt2'])
        .node('Sub', ['Bx', 'Vt1'], ['y1'])
        .node('Sub', ['y1', 'Wt2'], ['y'])
        .node('MatMul', ['V', 'a'], ['Va'])
        .node('MatMul', ['W', 'c'], ['Wc'])
        .node('Add', ['Va', 'Wc'], ['u'])
        .output('y', 'float64', ['m', 1])
        .output('u', 'float64', ['m', 1]),
    {
      B: { type: 'float64', data: b, dims: [m, m] },
      V: { type: 'float64', data: v, dims: [m, nb] },
      W: { type: 'float64', data: w, dims: [m, nb] },
      x: { type: 'float64', data: x, dims: [m, 1] },
      a: { type: 'float64', data: w.slice(row * nb, (row + 1) * nb), dims: [nb, 1] },
      c: { type: 'float64', data: v.slice(row * nb, (row + 1) * nb), dims: [nb, 1] },
    },
    ['y', 'u'],
    threads,
  );
  return [y as Float64Array, u as Float64Array];
}

// y[r] = Σ_{c≥j0} B[r,c]·x[c] for r ≥ j0, reading only the lower triangle (each element used twice).
function symvLower(b: Float64Array, m: number, j0: number, x: Float64Array): Float64Array {
  const y = new Float64Array(m);
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

// Trailing matrix B[nb:, nb:] − V Wᵀ − W Vᵀ in JS (lower triangle, mirrored).
function syr2kJS(b: Float64Array, m: number, nb: number, v: Float64Array, w: Float64Array): Float64Array {
  const m2 = m - nb;
  const out = new Float64Array(m2 * m2);
  for (let i = 0; i < m2; i++) {
    const ri = (i + nb) * nb;
    const src = (i + nb) * m + nb;
    for (let j = 0; j <= i; j++) {
      const rj = (j + nb) * nb;
      let s = 0;
      for (let c = 0; c < nb; c++) s += v[ri + c] * w[rj + c] + w[ri + c] * v[rj + c];
      const x = b[src + j] - s;
      out[i * m2 + j] = x;
      out[j * m2 + i] = x;
    }
  }
  return out;
}

// Same through ORT: Slice(B) − [V W]·[W V]ᵀ in one Gemm.
async function syr2kOrt(linalg: OrtLinalg, b: Float64Array, m: number, nb: number, v: Float64Array, w: Float64Array): Promise<Float64Array> {
  const m2 = m - nb;
  const vw = new Float64Array(m2 * 2 * nb);
  const wv = new Float64Array(m2 * 2 * nb);
  for (let r = 0; r < m2; r++) {
    const src = (r + nb) * nb;
    const o = r * 2 * nb;
    vw.set(v.subarray(src, src + nb), o);
    vw.set(w.subarray(src, src + nb), o + nb);
    wv.set(w.subarray(src, src + nb), o);
    wv.set(v.subarray(src, src + nb), o + nb);
  }
  const [out] = await linalg.run(
    'syr2k:f64',
    () =>
      new GraphBuilder('syr2k')
        .input('B', 'float64', ['m', 'm'])
        .input('VW', 'float64', ['r', 'k'])
        .input('WV', 'float64', ['r', 'k'])
        .input('st', 'int64', [2])
        .input('en', 'int64', [2])
        .node('Slice', ['B', 'st', 'en'], ['Bs'])
        .node('Gemm', ['VW', 'WV', 'Bs'], ['Out'], { transB: 1, alpha: { f: -1 }, beta: { f: 1 } })
        .output('Out', 'float64', ['r', 'r']),
    {
      B: { type: 'float64', data: b, dims: [m, m] },
      VW: { type: 'float64', data: vw, dims: [m2, 2 * nb] },
      WV: { type: 'float64', data: wv, dims: [m2, 2 * nb] },
      st: { type: 'int64', data: BigInt64Array.from([BigInt(nb), BigInt(nb)]), dims: [2] },
      en: { type: 'int64', data: BigInt64Array.from([BigInt(m), BigInt(m)]), dims: [2] },
    },
    ['Out'],
  );
  return out as Float64Array;
}

/** z ← Q·z in place (z is n×cols row-major): groups of panels applied as block reflectors I − V T Vᵀ, last to first. */
export async function applyQ(t: Tridiagonal, z: Float64Array, cols: number, opts: TridiagOptions & { block?: number }): Promise<void> {
  const ortFrom = opts.ortFrom ?? 256;
  const block = opts.block ?? 128;
  const n = t.n;
  let done = 0;
  let p1 = t.panels.length;
  while (p1 > 0) {
    await checkpoint(opts.signal);
    // Panels p0..p1−1 with at most `block` reflectors together.
    let p0 = p1 - 1;
    let kk = t.panels[p0].nb;
    while (p0 > 0 && kk + t.panels[p0 - 1].nb <= block) kk += t.panels[--p0].nb;
    const k0 = t.panels[p0].k0;
    const rows = n - k0 - 1;
    if (rows > 0) {
      const vp = new Float64Array(rows * kk);
      const tau = new Float64Array(kk);
      let co = 0;
      for (let q = p0; q < p1; q++) {
        const pq = t.panels[q];
        tau.set(pq.tau, co);
        for (let r = 1; r < pq.m; r++) {
          const dst = (pq.k0 + r - k0 - 1) * kk + co;
          vp.set(pq.v.subarray(r * pq.nb, (r + 1) * pq.nb), dst);
        }
        co += pq.nb;
      }
      const big = rows >= ortFrom || rows * cols * kk >= 1 << 22;
      const gram = big ? await opts.linalg.gemmTN(vp, rows, kk, vp, kk) : gramJS(vp, rows, kk);
      const tm = larft(gram, kk, tau);
      const zs = z.subarray((k0 + 1) * cols, n * cols);
      if (big) {
        const [out] = await opts.linalg.run(
          'larfb:f64',
          () =>
            new GraphBuilder('larfb')
              .input('V', 'float64', ['r', 'k'])
              .input('T', 'float64', ['k', 'k'])
              .input('Z', 'float64', ['r', 'c'])
              .node('Gemm', ['V', 'Z'], ['X1'], { transA: 1 })
              .node('MatMul', ['T', 'X1'], ['X2'])
              .node('Gemm', ['V', 'X2', 'Z'], ['Out'], { alpha: { f: -1 }, beta: { f: 1 } })
              .output('Out', 'float64', ['r', 'c']),
          {
            V: { type: 'float64', data: vp, dims: [rows, kk] },
            T: { type: 'float64', data: tm, dims: [kk, kk] },
            Z: { type: 'float64', data: zs, dims: [rows, cols] },
          },
          ['Out'],
        );
        zs.set(out as Float64Array);
      } else larfbJS(vp, rows, kk, tm, zs, cols);
      done += rows * kk;
    }
    opts.onProgress?.(Math.min(1, (2 * done) / (n * n)), 'back-transformation');
    p1 = p0;
  }
}

// VᵀV (k×k) in JS.
function gramJS(v: Float64Array, rows: number, k: number): Float64Array {
  const g = new Float64Array(k * k);
  for (let r = 0; r < rows; r++) {
    const rr = r * k;
    for (let i = 0; i < k; i++) {
      const x = v[rr + i];
      if (x === 0) continue;
      for (let c = 0; c < k; c++) g[i * k + c] += x * v[rr + c];
    }
  }
  return g;
}

// Upper-triangular T of the compact WY form H_0⋯H_{k−1} = I − V T Vᵀ (dlarft, forward, columnwise) from g = VᵀV.
function larft(g: Float64Array, nb: number, tau: Float64Array): Float64Array {
  const t = new Float64Array(nb * nb);
  for (let i = 0; i < nb; i++) {
    t[i * nb + i] = tau[i];
    if (tau[i] === 0) continue;
    // T[0:i, i] = −τ_i T[0:i, 0:i] g[0:i, i]
    for (let r = 0; r < i; r++) {
      let s = 0;
      for (let c = r; c < i; c++) s += t[r * nb + c] * g[c * nb + i];
      t[r * nb + i] = -tau[i] * s;
    }
  }
  return t;
}

// zs ← zs − V (T (Vᵀ zs)) in JS.
function larfbJS(v: Float64Array, rows: number, nb: number, t: Float64Array, zs: Float64Array, cols: number): void {
  const x1 = new Float64Array(nb * cols);
  for (let r = 0; r < rows; r++) {
    const zr = r * cols;
    for (let c = 0; c < nb; c++) {
      const a = v[r * nb + c];
      if (a === 0) continue;
      const o = c * cols;
      for (let k = 0; k < cols; k++) x1[o + k] += a * zs[zr + k];
    }
  }
  const x2 = new Float64Array(nb * cols);
  for (let r = 0; r < nb; r++)
    for (let c = r; c < nb; c++) {
      const a = t[r * nb + c];
      if (a === 0) continue;
      for (let k = 0; k < cols; k++) x2[r * cols + k] += a * x1[c * cols + k];
    }
  for (let r = 0; r < rows; r++) {
    const zr = r * cols;
    for (let c = 0; c < nb; c++) {
      const a = v[r * nb + c];
      if (a === 0) continue;
      const o = c * cols;
      for (let k = 0; k < cols; k++) zs[zr + k] -= a * x2[o + k];
    }
  }
}
