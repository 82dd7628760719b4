// Test fixture writers (temp dirs, .npy, zip, safetensors, PNG, IDX, CIFAR), written from TS so tests need no Python.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** A fresh temp dir and its remover. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'di-data-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Known pixel content: item i, channel c, row y, column x → a byte. */
export function pixel(i: number, c: number, y: number, x: number): number {
  return (i * 31 + c * 17 + y * 7 + x * 3) % 256;
}

/** N×C×H×W bytes of pixel(), in NCHW or NHWC storage order. */
export function pixelBytes(n: number, c: number, h: number, w: number, order: 'NCHW' | 'NHWC' = 'NCHW'): Buffer {
  const out = Buffer.alloc(n * c * h * w);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (order === 'NCHW') {
      for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[k++] = pixel(i, ch, y, x);
    } else {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[k++] = pixel(i, ch, y, x);
    }
  }
  return out;
}

/** The expected channels-first float values of item i under a map. */
export function expectedItem(i: number, c: number, h: number, w: number, map: (v: number) => number): Float32Array {
  const out = new Float32Array(c * h * w);
  let k = 0;
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[k++] = map(pixel(i, ch, y, x));
  return out;
}

export const toMinus1to1 = (v: number) => v / 127.5 - 1;

/** A .npy file: magic, version 1.0, header dict padded to 64 bytes, data. */
export function npyBytes(descr: string, shape: number[], data: Buffer, fortran = false): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

export function float32Bytes(values: ArrayLike<number>, littleEndian = true): Buffer {
  const b = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    if (littleEndian) b.writeFloatLE(values[i], 4 * i); else b.writeFloatBE(values[i], 4 * i);
  }
  return b;
}

export function float64Bytes(values: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) b.writeDoubleLE(values[i], 8 * i);
  return b;
}

export function int64Bytes(values: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) b.writeBigInt64LE(BigInt(values[i]), 8 * i);
  return b;
}

/** IEEE half bits of a number that is exactly representable (test values only). */
export function float16Bytes(values: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(values.length * 2);
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0], sign = (x >>> 16) & 0x8000, exp = ((x >>> 23) & 0xff) - 127 + 15, mant = (x >>> 13) & 0x3ff;
    b.writeUInt16LE(values[i] === 0 ? sign : sign | (exp << 10) | mant, 2 * i);
  }
  return b;
}

/** A zip archive with stored or deflated entries. */
export function zipBytes(entries: { name: string; data: Buffer; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [], centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflate ? zlib.deflateRawSync(e.data) : e.data;
    const crc = zlib.crc32(e.data);
    const loc = Buffer.alloc(30);
    loc.writeUInt32LE(0x04034b50, 0); loc.writeUInt16LE(20, 4); loc.writeUInt16LE(0x800, 6);
    loc.writeUInt16LE(e.deflate ? 8 : 0, 8); loc.writeUInt32LE(crc, 14);
    loc.writeUInt32LE(body.length, 18); loc.writeUInt32LE(e.data.length, 22); loc.writeUInt16LE(name.length, 26);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0); cen.writeUInt16LE(20, 4); cen.writeUInt16LE(20, 6); cen.writeUInt16LE(0x800, 8);
    cen.writeUInt16LE(e.deflate ? 8 : 0, 10); cen.writeUInt32LE(crc, 16); cen.writeUInt32LE(body.length, 20);
    cen.writeUInt32LE(e.data.length, 24); cen.writeUInt16LE(name.length, 28); cen.writeUInt32LE(offset, 42);
    locals.push(loc, name, body);
    centrals.push(cen, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A safetensors file from named tensors (data already little-endian bytes). */
export function safetensorsBytes(tensors: { name: string; dtype: string; shape: number[]; data: Buffer }[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'test' } };
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.length] };
    off += t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), ...tensors.map((t) => t.data)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A PNG written by hand (filter 0 on every row): colorType 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA;
 * `samples` holds the row-major samples (palette indices for type 3), bitDepth 8 or 16.
 */
export function pngBytes(width: number, height: number, colorType: number, samples: ArrayLike<number>,
  opts: { bitDepth?: number; palette?: number[][] } = {}): Buffer {
  const depth = opts.bitDepth ?? 8;
  const perPixel = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType]!;
  const bytesPer = depth / 8;
  const rowLen = 1 + width * perPixel * bytesPer;
  const raw = Buffer.alloc(height * rowLen);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < width * perPixel; k++) {
      const v = samples[y * width * perPixel + k];
      if (depth === 16) raw.writeUInt16BE(v, y * rowLen + 1 + 2 * k); else raw[y * rowLen + 1 + k] = v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = depth; ihdr[9] = colorType;
  const chunks = [pngChunk('IHDR', ihdr)];
  if (colorType === 3) chunks.push(pngChunk('PLTE', Buffer.from(opts.palette!.flat())));
  chunks.push(pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/** A PNG of item i of pixel(): gray (c=1) or RGB (c=3), samples interleaved. */
export function pixelPng(i: number, c: 1 | 3, h: number, w: number): Buffer {
  const samples: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) samples.push(pixel(i, ch, y, x));
  return pngBytes(w, h, c === 1 ? 0 : 2, samples);
}

/** An IDX file: 00 00 type ndim, big-endian dims, data. */
export function idxBytes(type: number, dims: number[], data: Buffer): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type; head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, data]);
}

/** CIFAR-10 records for items [first, first+n) of pixel() with labels (first+k) % 10. */
export function cifarBytes(first: number, n: number): Buffer {
  const out = Buffer.alloc(n * 3073);
  for (let k = 0; k < n; k++) {
    out[k * 3073] = (first + k) % 10;
    pixelBytes(1, 3, 32, 32).copy(out, k * 3073 + 1); // item 0's content…
    for (let j = 0; j < 3072; j++) out[k * 3073 + 1 + j] = (out[k * 3073 + 1 + j] + (first + k) * 31) % 256; // …shifted to item first+k
  }
  return out;
}
