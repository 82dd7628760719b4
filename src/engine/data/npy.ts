// NumPy .npy reader: header parsing, image arrays (uint8/float16/32/64) read through offsets, label arrays.
import type { Dataset, OpenOptions } from './dataset';
import { ByteSource, FileSource, readHead } from './bytesource';
import { checkCount, fileIdentity, shapeText } from './common';
import { decodeLabels, ElementFormat, LABEL_BYTES, LabelType } from './decode';
import { formatShape, isLabelShape, resolveShape } from './layout';
import { Segment, TensorDataset } from './tensor-dataset';
import { UserError } from '../errors';

export interface NpyHeader {
  descr: string;
  /** Element kind and byte size, e.g. 'f4', 'u1', 'i8'. */
  kind: string;
  littleEndian: boolean;
  shape: number[];
  dataOffset: number;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export function isNpy(head: Buffer): boolean {
  return head.length >= 6 && head.subarray(0, 6).equals(MAGIC);
}

/** Parses the header dict {'descr': '<f4', 'fortran_order': False, 'shape': (N, H, W), }. */
export function parseNpyHeader(buf: Buffer, what: string): NpyHeader {
  if (!isNpy(buf)) {
    throw new UserError(`${what} is not a .npy array: it should start with \\x93NUMPY, got ${buf.subarray(0, 6).toString('hex')}`);
  }
  const major = buf[6];
  const lenBytes = major === 1 ? 2 : 4;
  if (buf.length < 8 + lenBytes) throw new UserError(`${what} ends inside its .npy header`);
  const headerLen = lenBytes === 2 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const dataOffset = 8 + lenBytes + headerLen;
  if (buf.length < dataOffset) throw new UserError(`${what} ends inside its .npy header (needs ${dataOffset} bytes)`);
  const text = buf.toString(major >= 3 ? 'utf8' : 'latin1', 8 + lenBytes, dataOffset);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shapeText === undefined) {
    throw new UserError(`${what}: cannot read the .npy header ${JSON.stringify(text.trim())} ` +
      '(structured/record dtypes are not supported; save a plain numeric array)');
  }
  if (fortran === 'True') {
    throw new UserError(`${what} is stored in Fortran (column-major) order, which I do not read; ` +
      'save it in C order, e.g. np.save(path, np.ascontiguousarray(x))');
  }
  const shape = shapeText.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s !== '').map(Number);
  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  if (!m || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new UserError(`${what}: unsupported .npy dtype '${descr}' or shape (${shapeText})`);
  }
  return { descr, kind: m[2] + m[3], littleEndian: m[1] !== '>', shape, dataOffset };
}

/** Reads the header of a .npy held in a source (a file, or a zip entry). */
export async function readNpyHeader(source: ByteSource, what: string): Promise<NpyHeader> {
  const first = await readHead(source, 12);
  if (!isNpy(first)) parseNpyHeader(first, what); // throws the "not a .npy" message
  const lenBytes = first[6] === 1 ? 2 : 4;
  const headerLen = lenBytes === 2 ? first.readUInt16LE(8) : first.readUInt32LE(8);
  return parseNpyHeader(await readHead(source, 8 + lenBytes + headerLen), what);
}

function imageElement(h: NpyHeader, what: string): ElementFormat {
  const kinds: Record<string, ElementFormat['type'] | undefined> = { u1: 'u1', f2: 'f2', f4: 'f4', f8: 'f8' };
  const type = kinds[h.kind];
  if (!type) {
    throw new UserError(`${what}: image dtype '${h.descr}' is not supported; use uint8, float16, float32 or float64 ` +
      '(e.g. x.astype(np.float32))');
  }
  return { type, littleEndian: h.littleEndian };
}

/** The parts of a TensorDataset for an image array held in `source` (sizes checked against the header). */
export function npySegment(source: ByteSource, h: NpyHeader, what: string, opts: OpenOptions) {
  const elem = imageElement(h, what);
  const shape = resolveShape(h.shape, opts.layout, what);
  checkCount(shape.count, what);
  const stride = shape.channels * shape.height * shape.width * Number(h.kind.slice(1));
  const needed = h.dataOffset + shape.count * stride;
  const promise = `its header promises ${shape.count} images of ${shapeText(shape.channels, shape.height, shape.width)} ` +
    `${h.descr} (${needed} bytes)`;
  if (source.size !== undefined && source.size < needed) {
    throw new UserError(`${what} ends at byte ${source.size} but ${promise}; the file is truncated`);
  }
  const segment: Segment = {
    source, count: shape.count, dataOffset: h.dataOffset, stride, itemOffset: 0,
    describeShort: (k) => `${what} ends at byte ${k} but ${promise}; the file is truncated`,
  };
  return { segment, spec: { channels: shape.channels, height: shape.height, width: shape.width, order: shape.order, elem } };
}

/** Reads a (N,) or (N,1) integer label array in full. */
export async function readNpyLabels(source: ByteSource, h: NpyHeader, count: number, what: string): Promise<Int32Array> {
  if (!isLabelShape(h.shape, count)) {
    throw new UserError(`${what}: labels should have shape (${count},), got ${formatShape(h.shape)}`);
  }
  if (!(h.kind in LABEL_BYTES)) throw new UserError(`${what}: label dtype '${h.descr}' is not an integer type`);
  const type = h.kind as LabelType;
  const buf = await source.read(h.dataOffset, count * LABEL_BYTES[type]);
  return decodeLabels(buf, type, h.littleEndian, count, what);
}

export async function openNpy(file: string, opts: OpenOptions = {}): Promise<Dataset> {
  const source = await FileSource.open(file);
  try {
    const h = await readNpyHeader(source, file);
    const { segment, spec } = npySegment(source, h, file, opts);
    return await TensorDataset.create({
      info: { path: file, format: 'npy', count: segment.count, hasLabels: false, identity: { files: await fileIdentity([file]) } },
      segments: [segment], spec,
    }, opts.scale);
  } catch (e) {
    await source.close();
    throw e;
  }
}
