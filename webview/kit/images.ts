// Float32 images (C×H×W) drawn to <canvas>: grayscale/RGB from a value range, or signed with a blue–white–red map.
import { h } from './dom';

export type Shape = [number, number, number];

/** How values become colours: a value range mapped to 0..255, or signed values symmetric around 0. */
export type ImageMapping = { kind: 'range'; lo: number; hi: number } | { kind: 'signed' };

// Blue–white–red (ColorBrewer RdBu, reversed): reads on light and dark backgrounds; the only hard-coded colours here.
const DIVERGING_STOPS: [number, number, number][] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];
const DIVERGING_LUT = buildLut(DIVERGING_STOPS);

function buildLut(stops: [number, number, number][]): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(Math.floor(t), stops.length - 2);
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = stops[k]![c]! + f * (stops[k + 1]![c]! - stops[k]![c]!);
  }
  return lut;
}

/** The largest |v| of one image (the symmetric scale of a signed image). */
export function maxAbs(data: Float32Array, offset: number, size: number): number {
  let m = 0;
  for (let i = offset; i < offset + size; i++) {
    const a = Math.abs(data[i]!);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m;
}

/**
 * Draws image `index` of a count×C×H×W buffer. C=1 → gray (or the diverging map when signed); C≥3 → RGB of the first
 * three channels (signed: 0 is mid-gray, ±max|v| are the channel extremes); other C → the first channel.
 */
export function drawImage(data: Float32Array, index: number, shape: Shape, mapping: ImageMapping): HTMLCanvasElement {
  const [c, hgt, w] = shape;
  const plane = hgt * w;
  const offset = index * c * plane;
  const canvas = h('canvas', { width: String(w), height: String(hgt), class: 'img' });
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const img = ctx.createImageData(w, hgt);
  const px = img.data;
  const rgb = c >= 3;
  let scale: number, shift: number;
  if (mapping.kind === 'range') {
    const span = mapping.hi - mapping.lo || 1;
    scale = 255 / span;
    shift = -mapping.lo * scale;
  } else {
    const m = maxAbs(data, offset, c * plane) || 1;
    scale = 127.5 / m;
    shift = 127.5;
  }
  const byte = (v: number): number => (Number.isFinite(v) ? Math.max(0, Math.min(255, v * scale + shift)) : 0);
  for (let p = 0; p < plane; p++) {
    const o = p * 4;
    if (rgb) {
      px[o] = byte(data[offset + p]!);
      px[o + 1] = byte(data[offset + plane + p]!);
      px[o + 2] = byte(data[offset + 2 * plane + p]!);
    } else if (mapping.kind === 'signed') {
      const k = Math.round(byte(data[offset + p]!)) * 3;
      px[o] = DIVERGING_LUT[k]!;
      px[o + 1] = DIVERGING_LUT[k + 1]!;
      px[o + 2] = DIVERGING_LUT[k + 2]!;
    } else {
      const g = byte(data[offset + p]!);
      px[o] = px[o + 1] = px[o + 2] = g;
    }
    px[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** A canvas with a caption underneath (and a tooltip). */
export function imageCell(canvas: HTMLCanvasElement, caption: string, tooltip?: string): HTMLElement {
  const fig = h('figure', { class: 'img-cell', ...(tooltip ? { title: tooltip } : {}) }, canvas);
  if (caption) fig.append(h('figcaption', {}, caption));
  return fig;
}

/** The on-screen size of one image: at least 56 px, about 2× for small images, never smaller than the image. */
export function baseDisplaySize(width: number): number {
  return Math.max(56, Math.min(2 * width, Math.max(width, 128)));
}

/** A wrapping grid of image cells; canvases are sized by CSS (--img-base × --img-zoom, pixelated). */
export function imageGrid(cells: HTMLElement[], width: number, id?: string): HTMLElement {
  return h('div', { class: 'image-grid', style: `--img-base:${baseDisplaySize(width)}px`, ...(id ? { id } : {}) }, ...cells);
}

/** A horizontal blue–white–red legend strip for signed images. */
export function divergingLegend(): HTMLElement {
  const canvas = h('canvas', { width: '128', height: '1', class: 'colorbar' });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(128, 1);
    for (let i = 0; i < 128; i++) {
      const k = Math.round((i / 127) * 255) * 3;
      img.data.set([DIVERGING_LUT[k]!, DIVERGING_LUT[k + 1]!, DIVERGING_LUT[k + 2]!, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }
  return h('span', { class: 'colorbar-legend' }, h('span', {}, '−max|v|'), canvas, h('span', {}, '+max|v|  (per image; 0 = white)'));
}
