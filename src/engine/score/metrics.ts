// Explained-variance metrics of 2412.09726 (science.md §4.1): how much of the network an analytical model explains.

/** Per-probe quantities for one (σ, model) pair, before averaging. */
export interface ProbeMetrics {
  /** Denoiser EV, uncentered: 1 − ‖D_nn − D_m‖²/‖D_nn‖². */
  dtEv: Float64Array;
  /** Reversed: 1 − ‖D_nn − D_m‖²/‖D_m‖². */
  dtEvRev: Float64Array;
  /** Centered: 1 − ‖D_nn − D_m‖²/‖D_nn − μ‖². */
  dtEvCentered: Float64Array;
  /** Score EV with s = (D − x)/σ²: 1 − ‖s_nn − s_m‖²/‖s_nn‖², and reversed. */
  stEv: Float64Array;
  stEvRev: Float64Array;
  /** ‖s_m‖² and ‖D_m‖² of the analytical model (the tables' St_Var, Dt_Var). */
  stVar: Float64Array;
  dtVar: Float64Array;
}

/** Per-probe EVs of an analytical denoiser against the network's, both evaluated at the same noisy x and σ. */
export function probeMetrics(nn: Float32Array, model: Float32Array, x: Float32Array, n: number, sigma: number, mean: Float64Array): ProbeMetrics {
  const d = nn.length / n;
  const m: ProbeMetrics = {
    dtEv: new Float64Array(n), dtEvRev: new Float64Array(n), dtEvCentered: new Float64Array(n),
    stEv: new Float64Array(n), stEvRev: new Float64Array(n), stVar: new Float64Array(n), dtVar: new Float64Array(n),
  };
  const inv = 1 / (sigma * sigma);
  for (let b = 0; b < n; b++) {
    let diff = 0, nnSq = 0, mSq = 0, nnC = 0, snn = 0, sm = 0;
    for (let i = b * d; i < (b + 1) * d; i++) {
      const a = nn[i], c = model[i], xi = x[i];
      diff += (a - c) * (a - c);
      nnSq += a * a;
      mSq += c * c;
      nnC += (a - mean[i - b * d]) ** 2;
      snn += (a - xi) * (a - xi);
      sm += (c - xi) * (c - xi);
    }
    m.dtEv[b] = ev(diff, nnSq);
    m.dtEvRev[b] = ev(diff, mSq);
    m.dtEvCentered[b] = ev(diff, nnC);
    // s_nn − s_m = (D_nn − D_m)/σ², so the score ratios are the denoiser difference over ‖D − x‖².
    m.stEv[b] = ev(diff, snn);
    m.stEvRev[b] = ev(diff, sm);
    m.stVar[b] = sm * inv * inv;
    m.dtVar[b] = mSq;
  }
  return m;
}

// EV(a; b) = 1 − ‖a − b‖²/‖a‖² (so EV(a, 0) = 0, science.md §9.1); undefined for a = 0, reported as 0.
function ev(diff: number, ref: number): number {
  return ref > 0 ? 1 - diff / ref : 0;
}

/** Mean and (population) standard deviation. */
export function meanStd(a: Float64Array): { mean: number; std: number } {
  let s = 0;
  for (const v of a) s += v;
  const mean = a.length ? s / a.length : NaN;
  let v2 = 0;
  for (const v of a) v2 += (v - mean) ** 2;
  return { mean, std: a.length ? Math.sqrt(v2 / a.length) : NaN };
}
