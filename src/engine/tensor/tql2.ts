// Plain-JS symmetric eigensolver: Householder tridiagonalisation (tred2) + implicit QL (tql2), EISPACK/JAMA on flat arrays.
// Eigenvectors are kept transposed (row j of `w` = vector j), so every inner loop runs over contiguous memory.

const EPS = 2 ** -52;

/**
 * tred2: reduces the symmetric n×n matrix held in `w` (row-major; overwritten) to tridiagonal form and accumulates the
 * orthogonal transform: afterwards row j of `w` is column j of Q, d is the diagonal, e[i] = T(i, i−1) (e[0] = 0).
 */
export function tred2(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  // V(r, c) lives at w[c*n + r].
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        const row = j * n;
        w[i * n + j] = f;
        g = e[j] + w[row + j] * f;
        for (let k = j + 1; k < i; k++) {
          const v = w[row + k];
          g += v * d[k];
          e[k] += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const row = j * n;
        for (let k = j; k < i; k++) w[row + k] -= f * e[k] + g * d[k];
        d[j] = w[row + i - 1];
        w[row + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i];
    w[i * n + i] = 1;
    const h = d[i + 1];
    const ri = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[ri + k] / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[ri + k] * w[row + k];
        for (let k = 0; k <= i; k++) w[row + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) w[ri + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[n * n - 1] = 1;
  e[0] = 0;
}

/**
 * tql2: eigenvalues and eigenvectors of the symmetric tridiagonal matrix (d diagonal, e[i] = T(i, i+1), e[n−1] ignored)
 * by implicit QL. `w` holds the starting basis transposed (identity, or tred2's output); on return d is ascending and
 * row j of `w` is the eigenvector for d[j]. `ld` is w's row stride (default n).
 */
export function tql2(d: Float64Array, e: Float64Array, w: Float64Array, n: number, ld = n): void {
  if (n === 0) return;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('tql2: no convergence');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const a = i * ld;
          const b = a + ld;
          for (let k = 0; k < n; k++) {
            const hk = w[b + k];
            const vk = w[a + k];
            w[b + k] = s * vk + c * hk;
            w[a + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Selection sort, ascending, swapping rows of w.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) if (d[j] < p) (k = j), (p = d[j]);
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      const a = i * ld;
      const b = k * ld;
      for (let t = 0; t < n; t++) {
        const x = w[a + t];
        w[a + t] = w[b + t];
        w[b + t] = x;
      }
    }
  }
}

/** Full eigendecomposition by tred2+tql2 in plain JS: ascending values, row j of the returned `vt` = eigenvector j. */
export function eighTql2Transposed(a: Float64Array, n: number): { values: Float64Array; vt: Float64Array } {
  const w = Float64Array.from(a.subarray(0, n * n));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(w, n, d, e);
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  tql2(d, e, w, n);
  return { values: d, vt: w };
}
