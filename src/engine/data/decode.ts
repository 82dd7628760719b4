// Decodes stored records (uint8/float16/32/64, either endianness, CHW or HWC) into mapped float32 CHW items.
import type { Mapper } from './scale';
import { UserError } from '../errors';

export type ElementType = 'u1' | 'f2' | 'f4' | 'f8';
export interface ElementFormat { type: ElementType; littleEndian: boolean }

export const ELEMENT_BYTES: Record<ElementType, number> = { u1: 1, f2: 2, f4: 4, f8: 8 };

/** Shape and storage order of one item. */
export interface ItemSpec { channels: number; height: number; width: number; order: 'CHW' | 'HWC'; elem: ElementFormat }

export function itemBytes(spec: ItemSpec): number {
  return spec.channels * spec.height * spec.width * ELEMENT_BYTES[spec.elem.type];
}

/** IEEE 754 half → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Reads element k (storage order) of the item starting at byte `base`. */
function elementReader(src: Buffer, elem: ElementFormat): (base: number, k: number) => number {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const le = elem.littleEndian;
  switch (elem.type) {
    case 'u1': return (base, k) => src[base + k];
    case 'f2': return (base, k) => halfToFloat(dv.getUint16(base + 2 * k, le));
    case 'f4': return (base, k) => dv.getFloat32(base + 4 * k, le);
    case 'f8': return (base, k) => dv.getFloat64(base + 8 * k, le);
  }
}

/**
 * Decodes `count` items: item i starts at byte srcOffset + i*stride of src, and lands mapped, channels-first,
 * at out[outOffset + i*C*H*W ...].
 */
export function decodeItems(src: Buffer, srcOffset: number, stride: number, count: number, spec: ItemSpec,
  mapper: Mapper, out: Float32Array, outOffset: number): void {
  const { channels: C, height: H, width: W } = spec;
  const hw = H * W, chw = C * hw;
  if (spec.elem.type === 'u1' && mapper.lut) {
    decodeUint8(src, srcOffset, stride, count, C, hw, spec.order, mapper.lut, out, outOffset);
    return;
  }
  if ((spec.elem.type === 'f4' || spec.elem.type === 'f8') && spec.elem.littleEndian === HOST_LE) {
    decodeNativeFloat(src, srcOffset, stride, count, spec, mapper, out, outOffset);
    return;
  }
  const read = elementReader(src, spec.elem);
  const { div, add } = mapper;
  const lut = mapper.lut;
  const map = lut ? (v: number) => lut[v] : div === 1 && add === 0 ? (v: number) => v : (v: number) => v / div + add;
  for (let i = 0; i < count; i++) {
    const base = srcOffset + i * stride;
    const o = outOffset + i * chw;
    if (spec.order === 'CHW' || C === 1) {
      for (let k = 0; k < chw; k++) out[o + k] = map(read(base, k));
    } else {
      for (let p = 0; p < hw; p++) {
        for (let c = 0; c < C; c++) out[o + c * hw + p] = map(read(base, p * C + c));
      }
    }
  }
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32/64 in host byte order: read through a typed-array view (or an aligned copy) instead of a DataView. */
function decodeNativeFloat(src: Buffer, srcOffset: number, stride: number, count: number, spec: ItemSpec,
  mapper: Mapper, out: Float32Array, outOffset: number): void {
  const { channels: C, height: H, width: W } = spec;
  const hw = H * W, chw = C * hw;
  const size = spec.elem.type === 'f4' ? 4 : 8;
  const buffer = src.buffer as ArrayBuffer; // Node buffers are never SharedArrayBuffer-backed here
  const typed = (b: ArrayBuffer, at: number) => (size === 4 ? new Float32Array(b, at, chw) : new Float64Array(b, at, chw));
  const { div, add } = mapper;
  const identity = div === 1 && add === 0;
  for (let i = 0; i < count; i++) {
    const at = src.byteOffset + srcOffset + i * stride;
    const v = at % size === 0 ? typed(buffer, at) : typed(buffer.slice(at, at + chw * size), 0);
    const o = outOffset + i * chw;
    if (spec.order === 'CHW' || C === 1) {
      if (identity) out.set(v, o);
      else for (let k = 0; k < chw; k++) out[o + k] = v[k] / div + add;
    } else {
      for (let p = 0; p < hw; p++) {
        for (let c = 0; c < C; c++) out[o + c * hw + p] = identity ? v[p * C + c] : v[p * C + c] / div + add;
      }
    }
  }
}

function decodeUint8(src: Buffer, srcOffset: number, stride: number, count: number, C: number, hw: number,
  order: 'CHW' | 'HWC', lut: Float32Array, out: Float32Array, outOffset: number): void {
  const chw = C * hw;
  for (let i = 0; i < count; i++) {
    const base = srcOffset + i * stride;
    const o = outOffset + i * chw;
    if (order === 'CHW' || C === 1) {
      for (let k = 0; k < chw; k++) out[o + k] = lut[src[base + k]];
    } else {
      for (let p = 0; p < hw; p++) {
        const s = base + p * C;
        for (let c = 0; c < C; c++) out[o + c * hw + p] = lut[src[s + c]];
      }
    }
  }
}

/** Copies `count` uint8 items unmapped into out (channels-first), like decodeItems without the float mapping. */
export function copyPixels(src: Buffer, srcOffset: number, stride: number, count: number, spec: ItemSpec,
  out: Uint8Array, outOffset: number): void {
  const { channels: C, height: H, width: W } = spec;
  const hw = H * W, chw = C * hw;
  const planar = spec.order === 'CHW' || C === 1;
  if (planar && stride === chw) {
    out.set(src.subarray(srcOffset, srcOffset + count * chw), outOffset);
    return;
  }
  for (let i = 0; i < count; i++) {
    const base = srcOffset + i * stride;
    const o = outOffset + i * chw;
    if (planar) out.set(src.subarray(base, base + chw), o);
    else for (let p = 0; p < hw; p++) for (let c = 0; c < C; c++) out[o + c * hw + p] = src[base + p * C + c];
  }
}

/** Integer label dtypes found in .npy/.npz/safetensors label arrays. */
export type LabelType = 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f4' | 'f8';
export const LABEL_BYTES: Record<LabelType, number> = { i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f4: 4, f8: 8 };

/** Decodes a 1-D label array; throws when a value is not a small whole number. */
export function decodeLabels(src: Buffer, type: LabelType, littleEndian: boolean, count: number, what: string): Int32Array {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out = new Int32Array(count);
  const le = littleEndian;
  for (let i = 0; i < count; i++) {
    let v: number;
    switch (type) {
      case 'i1': v = dv.getInt8(i); break;
      case 'u1': v = dv.getUint8(i); break;
      case 'i2': v = dv.getInt16(2 * i, le); break;
      case 'u2': v = dv.getUint16(2 * i, le); break;
      case 'i4': v = dv.getInt32(4 * i, le); break;
      case 'u4': v = dv.getUint32(4 * i, le); break;
      case 'i8': v = Number(dv.getBigInt64(8 * i, le)); break;
      case 'u8': v = Number(dv.getBigUint64(8 * i, le)); break;
      case 'f4': v = dv.getFloat32(4 * i, le); break;
      case 'f8': v = dv.getFloat64(8 * i, le); break;
    }
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new UserError(`${what}: label ${i} is ${v}, expected a whole-number class index`);
    }
    out[i] = v;
  }
  return out;
}
