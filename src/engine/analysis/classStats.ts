// Per-class statistics of a labelled dataset: image counts, mean images and total variances tr Σ_c (science.md §3.3).

/** Accumulates per-label sums (float64) while the fit streams the data. */
export class ClassStatsAccumulator {
  private readonly sums = new Map<number, { count: number; sum: Float64Array; sumSq: number }>();

  constructor(private readonly dim: number) {}

  add(data: Float32Array, labels: Int32Array): void {
    const d = this.dim;
    for (let r = 0; r < labels.length; r++) {
      let c = this.sums.get(labels[r]);
      if (!c) this.sums.set(labels[r], (c = { count: 0, sum: new Float64Array(d), sumSq: 0 }));
      c.count++;
      const off = r * d;
      for (let i = 0; i < d; i++) {
        const v = data[off + i];
        c.sum[i] += v;
        c.sumSq += v * v;
      }
    }
  }

  /** Labels ascending, with counts, means (K×D) and total variances, after mapping values by y = a·x + b. */
  finalize(a = 1, b = 0): ClassStats {
    const labels = [...this.sums.keys()].sort((p, q) => p - q);
    const d = this.dim;
    const sums = new Float64Array(labels.length * d);
    labels.forEach((l, k) => sums.set(this.sums.get(l)!.sum, k * d));
    const pick = (f: (c: { count: number; sumSq: number }) => number) => labels.map((l) => f(this.sums.get(l)!));
    return classStatsFromSums(labels, pick((c) => c.count), sums, pick((c) => c.sumSq), a, b);
  }
}

/**
 * Per-class statistics from per-class sums: counts n_c, Σx (K×D, one row per label) and Σ‖x‖², in units mapped
 * afterwards by y = a·x + b. tr Σ_c = a²·(Σ‖x‖²/n_c − ‖Σx/n_c‖²).
 */
export function classStatsFromSums(labels: number[], counts: number[], sums: Float64Array, sumSq: number[], a = 1, b = 0): ClassStats {
  const d = sums.length / labels.length;
  const means = new Float64Array(labels.length * d);
  const variance = labels.map((_, k) => {
    let meanSq = 0;
    for (let i = 0; i < d; i++) {
      const m = sums[k * d + i] / counts[k];
      meanSq += m * m;
      means[k * d + i] = a * m + b;
    }
    return a * a * Math.max(sumSq[k] / counts[k] - meanSq, 0);
  });
  return { labels, counts, means, variance };
}

export interface ClassStats {
  labels: number[];
  counts: number[];
  /** K×D, one mean image per label. */
  means: Float64Array;
  /** tr Σ_c per label (1/n_c). */
  variance: number[];
}
