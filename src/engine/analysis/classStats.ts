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
    const means = new Float64Array(labels.length * d);
    const variance: number[] = [];
    labels.forEach((l, k) => {
      const c = this.sums.get(l)!;
      let meanSq = 0;
      for (let i = 0; i < d; i++) {
        const m = c.sum[i] / c.count;
        meanSq += m * m;
        means[k * d + i] = a * m + b;
      }
      variance.push(a * a * Math.max(c.sumSq / c.count - meanSq, 0));
    });
    return { labels, counts: labels.map((l) => this.sums.get(l)!.count), means, variance };
  }
}

export interface ClassStats {
  labels: number[];
  counts: number[];
  /** K×D, one mean image per label. */
  means: Float64Array;
  /** tr Σ_c per label (1/n_c). */
  variance: number[];
}
