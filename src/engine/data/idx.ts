// MNIST / Fashion-MNIST IDX reader: images file (gzipped or not), labels file next to it, or a folder holding them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Dataset, OpenOptions } from './dataset';
import { ByteSource, InflatedSource, openMaybeGzip, readHead, ShortReadError } from './bytesource';
import { checkCount, fileIdentity, shapeText } from './common';
import type { ElementFormat } from './decode';
import { ELEMENT_BYTES } from './decode';
import { formatShape, resolveShape } from './layout';
import { TensorDataset } from './tensor-dataset';
import { UserError } from '../errors';

const IDX_TYPES: Record<number, ElementFormat | undefined> = {
  0x08: { type: 'u1', littleEndian: false },
  0x0d: { type: 'f4', littleEndian: false },
  0x0e: { type: 'f8', littleEndian: false },
};
const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
  'Sneaker', 'Bag', 'Ankle boot'];

/** Names like train-images-idx3-ubyte(.gz) or train-images.idx3-ubyte. */
export const IDX_IMAGES_NAME = /images[-.]idx[34]-ubyte(\.gz)?$/i;

interface IdxHeader { type: number; dims: number[]; dataOffset: number }

/** True when the bytes start like an IDX file (two zero bytes, a known type, 1…4 dimensions). */
export function looksLikeIdx(head: Buffer): boolean {
  return head.length >= 8 && head[0] === 0 && head[1] === 0 && head[2] in TYPE_NAMES && head[3] >= 1 && head[3] <= 4;
}

function parseHeader(head: Buffer, file: string): IdxHeader {
  if (!looksLikeIdx(head)) {
    throw new UserError(`${file} is not an IDX file: it should start with 00 00 <type> <ndim>, ` +
      `got ${head.subarray(0, 4).toString('hex')}`);
  }
  const ndim = head[3];
  const dataOffset = 4 + 4 * ndim;
  if (head.length < dataOffset) throw new UserError(`${file} ends inside its IDX header (${head.length} bytes)`);
  const dims = Array.from({ length: ndim }, (_, i) => head.readUInt32BE(4 + 4 * i));
  return { type: head[2], dims, dataOffset };
}

/** The images file in a folder: train before t10k, plain or gzipped. */
export async function findIdxImages(dir: string): Promise<{ file: string; others: string[] } | undefined> {
  const names = (await fs.promises.readdir(dir)).filter((n) => IDX_IMAGES_NAME.test(n)).sort();
  if (names.length === 0) return undefined;
  const rank = (n: string) => (/^train/i.test(n) ? 0 : 1) + (n.endsWith('.gz') ? 0.5 : 0);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return { file: path.join(dir, names[0]), others: names.slice(1) };
}

/** train-images-idx3-ubyte.gz → train-labels-idx1-ubyte(.gz), whichever exists. */
async function findLabelsFile(imagesFile: string): Promise<string | undefined> {
  const dir = path.dirname(imagesFile);
  if (!/images/i.test(path.basename(imagesFile))) return undefined;
  const base = path.basename(imagesFile).replace(/\.gz$/i, '').replace(/images/i, 'labels').replace(/idx[34]/i, 'idx1');
  for (const name of [base, base + '.gz']) {
    const p = path.join(dir, name);
    if (await fs.promises.stat(p).then((s) => s.isFile(), () => false)) return p;
  }
  return undefined;
}

async function readLabels(file: string, count: number, imagesFile: string): Promise<Int32Array> {
  let buf = await fs.promises.readFile(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const h = parseHeader(buf, file);
  if (h.type !== 0x08 || h.dims.length !== 1) {
    throw new UserError(`${file} is not an IDX labels file: expected 1-D uint8, got ${h.dims.length}-D ${TYPE_NAMES[h.type]}`);
  }
  if (h.dims[0] !== count) {
    throw new UserError(`${file} has ${h.dims[0]} labels but ${imagesFile} has ${count} images; they do not belong together`);
  }
  if (buf.length < h.dataOffset + count) {
    throw new UserError(`${file} ends at byte ${buf.length} but its header promises ${count} labels (${h.dataOffset + count} bytes)`);
  }
  return Int32Array.from(buf.subarray(h.dataOffset, h.dataOffset + count));
}

/**
 * Checks a gzip file's trailer (uncompressed size mod 2^32) against what the header promises; on a mismatch,
 * decompresses once (without keeping the data) to tell a truncated file from a multi-member gzip.
 */
async function checkGzipLength(source: ByteSource, file: string, needed: number, promise: string): Promise<void> {
  if (needed >= 2 ** 32) return;
  const fh = await fs.promises.open(file, 'r');
  let isize: number;
  try {
    const { size } = await fh.stat();
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, Math.max(0, size - 4));
    isize = tail.readUInt32LE(0);
  } finally {
    await fh.close();
  }
  if (isize >= needed) return;
  try {
    for await (const chunk of source.stream(0, needed)) void chunk;
  } catch (e) {
    if (!(e instanceof ShortReadError)) throw e;
    throw new UserError(`${file} (decompressed) ends at byte ${e.available} but ${promise} (${needed} bytes); ` +
      'the file is truncated — download it again');
  }
}

export async function openIdx(target: string, opts: OpenOptions = {}): Promise<Dataset> {
  const notes: string[] = [];
  let file = target;
  if ((await fs.promises.stat(target)).isDirectory()) {
    const found = await findIdxImages(target);
    if (!found) throw new UserError(`${target} holds no IDX images file (like train-images-idx3-ubyte.gz)`);
    file = found.file;
    if (found.others.length) notes.push(`opened ${path.basename(file)}; also present: ${found.others.join(', ')}`);
  }
  const { source, gzip } = await openMaybeGzip(file);
  try {
    return await openIdxSource(target, file, source, gzip, notes, opts);
  } catch (e) {
    await source.close();
    throw e;
  }
}

async function openIdxSource(target: string, file: string, source: ByteSource, gzip: boolean, notes: string[],
  opts: OpenOptions): Promise<Dataset> {
  const h = parseHeader(await readHead(source, 4 + 4 * 4), file);
  const elem = IDX_TYPES[h.type];
  if (!elem) {
    throw new UserError(`${file}: IDX element type ${TYPE_NAMES[h.type]} is not supported for images (uint8, float32, float64 are)`);
  }
  if (h.dims.length < 3) {
    throw new UserError(`${file} holds a ${h.dims.length}-D IDX array ${formatShape(h.dims)}, not images; ` +
      'open the images file (…-images-idx3-ubyte), not the labels file');
  }
  const shape = resolveShape(h.dims, opts.layout, file);
  checkCount(shape.count, file);
  const stride = shape.channels * shape.height * shape.width * ELEMENT_BYTES[elem.type];
  const needed = h.dataOffset + shape.count * stride;
  const promise = `its header promises ${shape.count} images of ${shapeText(shape.channels, shape.height, shape.width)}`;
  if (gzip) {
    (source as InflatedSource).size = needed;
    await checkGzipLength(source, file, needed, promise);
  } else if ((source.size ?? 0) < needed) {
    throw new UserError(`${file} ends at byte ${source.size} but ${promise} (needs ${needed} bytes); the file is truncated`);
  }
  const labelsFile = await findLabelsFile(file);
  const labels = labelsFile ? await readLabels(labelsFile, shape.count, file) : undefined;
  const fashion = /fashion/i.test(path.resolve(file));
  if (labels && fashion) notes.push('class names are Fashion-MNIST\'s (judged from the path)');
  return TensorDataset.create({
    info: {
      path: target, format: 'idx', count: shape.count, hasLabels: labels !== undefined,
      classNames: labels && fashion ? FASHION_MNIST_CLASSES : undefined,
      notes: notes.length ? notes : undefined,
      identity: { files: await fileIdentity(labelsFile ? [file, labelsFile] : [file]) },
    },
    segments: [{
      source, count: shape.count, dataOffset: h.dataOffset, stride, itemOffset: 0,
      describeShort: (k) => `${file}${gzip ? ' (decompressed)' : ''} ends at byte ${k} but ${promise} ` +
        `(${needed} bytes); the file is truncated`,
    }],
    spec: { ...shape, elem },
    labels,
  }, opts.scale);
}
