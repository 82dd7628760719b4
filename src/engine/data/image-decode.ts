// PNG/JPEG: shape from the first bytes (IHDR / SOF), and full decode to mapped channels-first float32.
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { UserError } from '../errors';

export interface ImageShape {
  kind: 'png' | 'jpeg';
  /** Channels kept: grayscale 1, colour 3 (alpha dropped, palette expanded). */
  channels: number;
  height: number;
  width: number;
  alpha: boolean;
  palette: boolean;
  bitDepth: number;
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Shape of a PNG or JPEG from its first bytes; 'more' when the header lies beyond them, undefined when not an image. */
export function sniffImage(head: Buffer): ImageShape | 'more' | undefined {
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIG)) return sniffPng(head);
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xd8) return sniffJpeg(head);
  return head.length < 8 ? 'more' : undefined;
}

function sniffPng(head: Buffer): ImageShape | 'more' | undefined {
  if (head.length < 26) return 'more';
  if (head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  const width = head.readUInt32BE(16), height = head.readUInt32BE(20), bitDepth = head[24], colorType = head[25];
  const layout: Record<number, [number, boolean]> = { 0: [1, false], 2: [3, false], 3: [3, false], 4: [1, true], 6: [3, true] };
  const l = layout[colorType];
  if (!l) return undefined;
  return { kind: 'png', channels: l[0], alpha: l[1], palette: colorType === 3, height, width, bitDepth };
}

/** Walks JPEG markers to the first SOFn segment. */
function sniffJpeg(head: Buffer): ImageShape | 'more' | undefined {
  let p = 2;
  while (p + 4 <= head.length) {
    if (head[p] !== 0xff) return undefined;
    const marker = head[p + 1];
    if (marker === 0xff) { p++; continue; }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { p += 2; continue; }
    const len = head.readUInt16BE(p + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (p + 10 > head.length) return 'more';
      const height = head.readUInt16BE(p + 5), width = head.readUInt16BE(p + 7), nc = head[p + 9];
      return { kind: 'jpeg', channels: nc === 1 ? 1 : 3, alpha: false, palette: false, height, width, bitDepth: head[p + 4] };
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / scan before any frame header
    p += 2 + len;
  }
  return 'more';
}

/**
 * Decodes a whole PNG/JPEG file and writes it channels-first through `lut` (uint8 → model scale) into
 * out[outOffset…]. The decoded size and channel count must match `shape`.
 */
export function decodeImageInto(buf: Buffer, shape: ImageShape, name: string, lut: Float32Array,
  out: Float32Array, outOffset: number): void {
  let rgba: Uint8Array, step: number, width: number, height: number;
  try {
    if (shape.kind === 'png') {
      const png = PNG.sync.read(buf);
      ({ width, height } = png);
      rgba = png.data; step = 4;
    } else {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false });
      ({ width, height } = img);
      rgba = img.data; step = 3;
    }
  } catch (e) {
    throw new UserError(`${name}: cannot decode this ${shape.kind.toUpperCase()} (${(e as Error).message})`);
  }
  if (width !== shape.width || height !== shape.height) {
    throw new UserError(`${name}: decoded to ${width}×${height} but its header said ${shape.width}×${shape.height}`);
  }
  const hw = width * height;
  for (let c = 0; c < shape.channels; c++) {
    const o = outOffset + c * hw;
    for (let p = 0, s = c; p < hw; p++, s += step) out[o + p] = lut[rgba[s]];
  }
}
