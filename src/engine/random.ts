// Seeded random numbers for analyses: reproducible across runs and batch sizes (one stream per seed).

/** Uniform [0, 1) from a 32-bit seed (mulberry32). */
export function rngFromSeed(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with standard normals (Box–Muller, both values used). */
export function fillNormal(rand: () => number, out: Float32Array | Float64Array): void {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
}

/** A seed derived from a base seed and indices (e.g. σ index and probe index), so each probe has its own stream. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** A stream of standard normals from a seed (Box–Muller on the same uniform generator). */
export function normalStream(seed: number): () => number {
  const uniform = rngFromSeed(seed);
  const pair = new Float64Array(2);
  let next = 2;
  return () => {
    if (next === 2) {
      fillNormal(uniform, pair);
      next = 0;
    }
    return pair[next++];
  };
}
