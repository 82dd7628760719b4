// Exact mean and covariance of uint8 images: Gram matrices by onnxruntime MatMulInteger (int32 sums), merged in float64.
import type * as OrtModule from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph';
import { loadOrt } from '../runtime/ort';
import { checkpoint } from './control';
import type { CovarianceResult } from './covariance';

// 8192 rows keep a chunk at 8192·D bytes (6.4 MB at D = 784); any chunk below 33 025 rows cannot overflow int32.
const CHUNK_ROWS = 8192;

/**
 * A MatMulInteger session and the offset its second operand carries: Y = X − 128 as int8 (uint8 × int8 runs on
 * VNNI dot-product kernels, about 4× faster) or Y = X as uint8 where uint8 × int8 is not exact.
 */
interface GramKernel {
  session: OrtModule.InferenceSession;
  offset: 128 | 0;
}

/** Which kernel: 'auto' (uint8 × int8 when this machine computes it exactly) or 'unsigned' (uint8 × uint8 always). */
export type GramKernelChoice = 'auto' | 'unsigned';

// Graph: G = XᵀY (d×d) and S = L·Y (k×d), L holding one 0/1 row per group (or a single row of ones).
function gramGraph(y: 'int8' | 'uint8'): Uint8Array {
  return new GraphBuilder('gram_u8')
    .input('X', 'uint8', ['n', 'd'])
    .input('Y', y, ['n', 'd'])
    .input('L', 'uint8', ['k', 'n'])
    .node('Transpose', ['X'], ['XT'], { perm: [1, 0] })
    .node('MatMulInteger', ['XT', 'Y'], ['G'])
    .node('MatMulInteger', ['L', 'Y'], ['S'])
    .output('G', 'int32', ['d', 'd'])
    .output('S', 'int32', ['k', 'd'])
    .toBytes();
}

// CPU only, no arena (one shape, buffers freed after each call) and no spinning: onnxruntime's pool threads would
// otherwise spin after every call and take the cores from the JS merging and the decompression between calls.
function openKernel(y: 'int8' | 'uint8'): Promise<OrtModule.InferenceSession> {
  return loadOrt().InferenceSession.create(gramGraph(y), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    enableCpuMemArena: false,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

/**
 * uint8 × int8 kernels built on vpmaddubsw (x86 without VNNI) saturate pairs of products at int16; 255·(−128)·2 does,
 * so a probe of those extremes tells whether this machine's kernel is exact.
 */
async function signedIsExact(session: OrtModule.InferenceSession): Promise<boolean> {
  const ort = loadOrt();
  const n = 64, d = 48;
  const out = await session.run({
    X: new ort.Tensor('uint8', new Uint8Array(n * d).fill(255), [n, d]),
    Y: new ort.Tensor('int8', new Int8Array(n * d).fill(-128), [n, d]),
    L: new ort.Tensor('uint8', new Uint8Array(n).fill(1), [1, n]),
  });
  return (out.G.data as Int32Array).every((v) => v === n * 255 * -128) && (out.S.data as Int32Array).every((v) => v === -128 * n);
}

let signedExact: Promise<boolean> | undefined; // probed once per process

/** A fresh session of the chosen kernel (released by its accumulator at finalize, so it holds no memory after). */
async function openGramKernel(choice: GramKernelChoice): Promise<GramKernel> {
  if (choice === 'auto' && (await signedExact) !== false) {
    const signed = await openKernel('int8');
    signedExact ??= signedIsExact(signed).catch(() => false);
    if (await signedExact) return { session: signed, offset: 128 };
    await signed.release();
  }
  return { session: await openKernel('uint8'), offset: 0 };
}

/** Options of the accumulator. */
export interface IntegerGramOptions {
  signal?: AbortSignal;
  kernel?: GramKernelChoice;
}

/** Per-label raw statistics, labels ascending: row counts, pixel sums (labels×D) and sums of squared pixels, all exact. */
export interface LabelSums {
  labels: number[];
  counts: number[];
  sums: Float64Array;
  sumSq: number[];
}

interface Group {
  count: number;
  sumY: Float64Array; // Σ_rows Y = Σ x − offset per row
  sumSq: number;
}

/**
 * Accumulates Σx and Σxxᵀ of integer pixels 0…255 exactly (integers below 2⁵³), then forms the covariance as
 * (N·S − s sᵀ)/(N(N − ddof)), which is exact before the final division while N²·255² < 2⁵³ (N ≲ 370 000).
 * With labels, the same MatMulInteger call also sums each label's rows (a 0/1 row per label present in a chunk).
 */
export class IntegerGramAccumulator {
  private readonly xy: Float64Array; // Σ XᵀY over chunks
  private readonly groups = new Map<number, Group>(); // by label (a single entry 0 without labels)
  private x: Uint8Array | undefined; // rows gathered from batches smaller than a chunk
  private readonly y: Uint8Array; // X − 128 as int8 bytes for the signed kernel
  private readonly rowLabel: Int32Array;
  private labelled: boolean | undefined;
  private readonly signal?: AbortSignal;
  private readonly kernelChoice: GramKernelChoice;
  private kernel: Promise<GramKernel> | undefined; // opened at the first chunk, released at finalize
  private offset = 0;
  private fill = 0;

  constructor(
    readonly dim: number,
    opts: IntegerGramOptions = {},
  ) {
    this.xy = new Float64Array(dim * dim);
    this.y = new Uint8Array(CHUNK_ROWS * dim);
    this.rowLabel = new Int32Array(CHUNK_ROWS);
    this.signal = opts.signal;
    this.kernelChoice = opts.kernel ?? 'auto';
  }

  /** Rows per MatMulInteger call: batches of this size are never split. */
  static get chunkRows(): number {
    return CHUNK_ROWS;
  }

  /** Adds `n` images of pixels 0…255 (row-major n×dim); with labels for every batch or for none. */
  async add(pixels: Uint8Array, n = pixels.length / this.dim, labels?: Int32Array): Promise<void> {
    const d = this.dim;
    if (!Number.isInteger(n) || n * d > pixels.length) throw new Error(`integer Gram: ${pixels.length} values are not ${n}×${d}`);
    if (labels && labels.length < n) throw new Error(`integer Gram: ${labels.length} labels for ${n} images`);
    if ((this.labelled ??= !!labels) !== !!labels) throw new Error('integer Gram: labels must come with every batch or with none');
    for (let r = 0; r < n; ) {
      if (this.fill === 0 && n - r >= CHUNK_ROWS) {
        // whole chunks straight from the caller's array
        await this.run(pixels.subarray(r * d, (r + CHUNK_ROWS) * d), CHUNK_ROWS, labels?.subarray(r, r + CHUNK_ROWS));
        r += CHUNK_ROWS;
        continue;
      }
      const take = Math.min(n - r, CHUNK_ROWS - this.fill);
      this.x ??= new Uint8Array(CHUNK_ROWS * d);
      this.x.set(pixels.subarray(r * d, (r + take) * d), this.fill * d);
      if (labels) this.rowLabel.set(labels.subarray(r, r + take), this.fill);
      this.fill += take;
      r += take;
      if (this.fill === CHUNK_ROWS) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (!this.fill || !this.x) return;
    await this.run(this.x, this.fill, this.rowLabel);
    this.fill = 0;
  }

  /** One MatMulInteger call over the first n rows of x. */
  private async run(pixels: Uint8Array, n: number, labels: Int32Array | undefined): Promise<void> {
    const d = this.dim;
    const { session, offset } = await (this.kernel ??= openGramKernel(this.kernelChoice));
    this.offset = offset;
    const ort = loadOrt();
    const x = pixels.subarray(0, n * d);
    // one 0/1 row of L per label present in this chunk (slot k = k-th label met)
    const present: number[] = [];
    const slotOf = new Int32Array(n);
    if (this.labelled && labels) {
      const slot = new Map<number, number>();
      for (let r = 0; r < n; r++) {
        let k = slot.get(labels[r]);
        if (k === undefined) slot.set(labels[r], (k = present.push(labels[r]) - 1));
        slotOf[r] = k;
      }
    } else present.push(0);
    const l = new Uint8Array(present.length * n);
    for (let r = 0; r < n; r++) l[slotOf[r] * n + r] = 1;
    let y: OrtModule.Tensor;
    if (offset) {
      flipSignBits(x, this.y);
      y = new ort.Tensor('int8', new Int8Array(this.y.buffer, 0, n * d), [n, d]);
    } else y = new ort.Tensor('uint8', x, [n, d]);
    const out = await session.run({ X: new ort.Tensor('uint8', x, [n, d]), Y: y, L: new ort.Tensor('uint8', l, [present.length, n]) });
    const g = out.G.data as Int32Array;
    addInto(this.xy, g);
    const s = out.S.data as Int32Array;
    const groups = present.map((label, k) => {
      let group = this.groups.get(label);
      if (!group) this.groups.set(label, (group = { count: 0, sumY: new Float64Array(d), sumSq: 0 }));
      for (let i = 0; i < d; i++) group.sumY[i] += s[k * d + i];
      return group;
    });
    const counts = new Int32Array(present.length);
    const sumSq = new Float64Array(present.length);
    const norms = this.labelled ? rowSquaredNorms(x, n, d) : undefined;
    for (let r = 0; r < n; r++) {
      counts[slotOf[r]]++;
      if (norms) sumSq[slotOf[r]] += norms[r];
    }
    groups.forEach((group, k) => {
      group.count += counts[k];
      group.sumSq += sumSq[k];
    });
    await checkpoint(this.signal);
  }

  /** Per-label counts, pixel sums and sums of squares, labels ascending (labelled batches only). */
  async labelSums(): Promise<LabelSums> {
    await this.flush();
    if (!this.labelled) throw new Error('integer Gram: the batches came without labels');
    const d = this.dim;
    const labels = [...this.groups.keys()].sort((a, b) => a - b);
    const sums = new Float64Array(labels.length * d);
    labels.forEach((label, k) => sums.set(this.pixelSums(this.groups.get(label)!), k * d));
    return { labels, counts: labels.map((l) => this.groups.get(l)!.count), sums, sumSq: labels.map((l) => this.groups.get(l)!.sumSq) };
  }

  // Σ_rows x of a group: Σ Y plus the offset taken off every pixel.
  private pixelSums(group: Group): Float64Array {
    return group.sumY.map((v) => v + this.offset * group.count);
  }

  /** Mean and covariance (divisor N − ddof) in the raw pixel units; the onnxruntime session is released (reopened if more rows come). */
  async finalize(opts: { ddof?: number } = {}): Promise<CovarianceResult> {
    await this.flush();
    const kernel = this.kernel;
    this.kernel = undefined;
    if (kernel) await (await kernel).session.release();
    const d = this.dim;
    const ddof = opts.ddof ?? 0;
    let n = 0;
    const sums = new Float64Array(d);
    for (const group of this.groups.values()) {
      n += group.count;
      const s = this.pixelSums(group);
      for (let i = 0; i < d; i++) sums[i] += s[i];
    }
    if (n - ddof <= 0) throw new Error(`covariance of ${n} image(s) with ddof ${ddof} is undefined`);
    const mean = Float64Array.from(sums, (s) => s / n);
    const cov = new Float64Array(d * d);
    const denom = n * (n - ddof);
    let trace = 0;
    for (let i = 0; i < d; i++) {
      const base = this.offset * sums[i]; // Σ x_i x_j = (XᵀY)_ij + offset·Σ x_i, since Y = X − offset
      for (let j = 0; j < d; j++) cov[i * d + j] = (n * (this.xy[i * d + j] + base) - sums[i] * sums[j]) / denom;
      trace += cov[i * d + i];
    }
    return { mean, cov, count: n, ddof, trace };
  }
}

/** out = x − 128 as int8 bytes (the sign bit flipped), four bytes at a time. */
function flipSignBits(x: Uint8Array, out: Uint8Array): void {
  let i = 0;
  if (x.byteOffset % 4 === 0 && out.byteOffset % 4 === 0) {
    const a = new Uint32Array(x.buffer, x.byteOffset, x.length >> 2);
    const b = new Uint32Array(out.buffer, out.byteOffset, x.length >> 2);
    for (; i < a.length; i++) b[i] = a[i] ^ 0x80808080;
    i *= 4;
  }
  for (; i < x.length; i++) out[i] = x[i] ^ 0x80;
}

let pairTable: Int32Array | undefined;
/** a² + b² for the two bytes a, b of every 16-bit value. */
function pairSquares(): Int32Array {
  return (pairTable ??= Int32Array.from({ length: 65536 }, (_, v) => (v & 255) ** 2 + (v >> 8) ** 2));
}

/** Σ x² of each of the n rows of x (int32 sums, below 2³¹ for d < 33 000), two pixels per table look-up. */
function rowSquaredNorms(x: Uint8Array, n: number, d: number): Int32Array {
  const out = new Int32Array(n);
  if (d % 2 === 0 && x.byteOffset % 2 === 0) {
    const sq = pairSquares();
    const h = d / 2;
    const x16 = new Uint16Array(x.buffer, x.byteOffset, n * h);
    for (let r = 0; r < n; r++) {
      let s0 = 0, s1 = 0, i = r * h;
      const end = i + h;
      for (; i + 1 < end; i += 2) {
        s0 = (s0 + sq[x16[i]]) | 0;
        s1 = (s1 + sq[x16[i + 1]]) | 0;
      }
      if (i < end) s0 = (s0 + sq[x16[i]]) | 0;
      out[r] = s0 + s1;
    }
  } else {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let i = r * d; i < (r + 1) * d; i++) s = (s + x[i] * x[i]) | 0;
      out[r] = s;
    }
  }
  return out;
}

/** acc += v, elementwise (a small function of its own: its loop runs faster than inlined in the async caller). */
function addInto(acc: Float64Array, v: Int32Array): void {
  for (let i = 0; i < v.length; i++) acc[i] += v[i];
}
