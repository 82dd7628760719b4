// Eigen-decomposition of a rank-one modified diagonal matrix D + ρ·z·zᵀ (the merge step of divide and conquer):
// secular-equation roots by a safeguarded rational (two-pole) iteration, eigenvectors by Gu–Eisenstat (orthogonal to ~eps).

const EPS = 2 ** -52;

/** Eigenvalues (ascending) and eigenvectors (row j of `ut` = eigenvector j, K×K) of diag(d) + ρ z zᵀ. */
export interface RankOneEig {
  lambda: Float64Array;
  ut: Float64Array;
}

/**
 * Solves diag(d) + ρ z zᵀ with d strictly ascending, every z_i ≠ 0 and ρ > 0 (i.e. after deflation).
 * The differences d_i − λ_j are formed relative to the nearer pole, which is what makes the vectors accurate.
 */
export function rankOneEig(d: Float64Array, z: Float64Array, rho: number): RankOneEig {
  const k = d.length;
  const lambda = new Float64Array(k);
  const ut = new Float64Array(k * k); // first holds Δ[j][i] = d_i − λ_j, then the vectors
  if (k === 1) {
    lambda[0] = d[0] + rho * z[0] * z[0];
    ut[0] = 1;
    return { lambda, ut };
  }
  const z2 = new Float64Array(k);
  let zz = 0;
  for (let i = 0; i < k; i++) {
    z2[i] = rho * z[i] * z[i];
    zz += z2[i];
  }
  const dd = new Float64Array(k);
  for (let j = 0; j < k; j++) lambda[j] = solveRoot(j, d, z2, zz, dd, ut.subarray(j * k, (j + 1) * k));
  // Gu–Eisenstat: ẑ_i² = −Π_j (d_i − λ_j) / Π_{j≠i} (d_i − d_j); accumulate row by row (contiguous).
  const w = new Float64Array(k);
  for (let i = 0; i < k; i++) w[i] = ut[i * k + i];
  for (let j = 0; j < k; j++) {
    const row = j * k;
    const dj = d[j];
    for (let i = 0; i < k; i++) if (i !== j) w[i] *= ut[row + i] / (d[i] - dj);
  }
  for (let i = 0; i < k; i++) {
    const v = Math.sqrt(Math.max(0, -w[i]));
    w[i] = z[i] < 0 ? -v : v;
  }
  for (let j = 0; j < k; j++) {
    const row = j * k;
    let nrm = 0;
    for (let i = 0; i < k; i++) {
      const v = w[i] / ut[row + i];
      ut[row + i] = v;
      nrm += v * v;
    }
    const s = 1 / Math.sqrt(nrm);
    for (let i = 0; i < k; i++) ut[row + i] *= s;
  }
  return { lambda, ut };
}

// Root j of f(λ) = 1 + Σ z2_i/(d_i − λ), j ∈ [0, k). Writes delta_i = d_i − λ (accurate) and returns λ.
function solveRoot(j: number, d: Float64Array, z2: Float64Array, zz: number, dd: Float64Array, delta: Float64Array): number {
  const k = d.length;
  const last = j === k - 1;
  let org: number;
  let lo: number;
  let hi: number;
  if (!last) {
    const half = (d[j + 1] - d[j]) / 2;
    // f at the midpoint decides which pole is nearer to the root.
    let fm = 1;
    for (let i = 0; i < k; i++) fm += z2[i] / (d[i] - d[j] - half);
    if (fm >= 0) {
      org = j;
      lo = 0;
      hi = half;
    } else {
      org = j + 1;
      lo = -half;
      hi = 0;
    }
  } else {
    org = j;
    lo = 0;
    hi = zz;
  }
  const d0 = d[org];
  for (let i = 0; i < k; i++) dd[i] = d[i] - d0;
  let tau = (lo + hi) / 2;
  for (let iter = 0; iter < 400; iter++) {
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    for (let i = 0; i <= j; i++) {
      const t = 1 / (dd[i] - tau);
      const a = z2[i] * t;
      psi += a;
      dpsi += a * t;
    }
    for (let i = j + 1; i < k; i++) {
      const t = 1 / (dd[i] - tau);
      const a = z2[i] * t;
      phi += a;
      dphi += a * t;
    }
    const f = 1 + psi + phi;
    const err = EPS * (8 * (1 + phi - psi) + Math.abs(tau) * (dpsi + dphi));
    if (Math.abs(f) <= err) break;
    if (f < 0) lo = tau;
    else hi = tau;
    if (hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
    // Rational model c + s/(p − t) + S/(q − t) matching f, ψ' and φ' at the current point.
    const p = dd[j];
    const dp = p - tau;
    const s = dpsi * dp * dp;
    let next: number;
    if (last) {
      const c = f - s / dp;
      next = c > 0 ? p + s / c : NaN;
    } else {
      const q = dd[j + 1];
      const dq = q - tau;
      const S = dphi * dq * dq;
      const c = f - s / dp - S / dq;
      next = quadRoot(c, c * (p + q) + s + S, c * p * q + s * q + S * p, p, q);
    }
    tau = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  for (let i = 0; i < k; i++) delta[i] = dd[i] - tau;
  return d0 + tau;
}

// The root in (p, q) of c·t² − b·t + e = 0 (NaN when none).
function quadRoot(c: number, b: number, e: number, p: number, q: number): number {
  if (c === 0) return e / b;
  const disc = b * b - 4 * c * e;
  if (disc < 0) return NaN;
  const sq = Math.sqrt(disc);
  const big = b >= 0 ? b + sq : b - sq;
  const t1 = big / (2 * c);
  const t2 = big !== 0 ? (2 * e) / big : NaN;
  if (t2 > p && t2 < q) return t2;
  if (t1 > p && t1 < q) return t1;
  return NaN;
}
