// safetensors reader: 8-byte header length, JSON header, picks the image tensor (images/x/first 3-4-D) and labels.
import type { Dataset, OpenOptions } from './dataset';
import { FileSource } from './bytesource';
import { checkCount, fileIdentity, shapeText } from './common';
import { decodeLabels, ElementType, LabelType } from './decode';
import { formatShape, isImageShape, isLabelShape, resolveShape } from './layout';
import { TensorDataset } from './tensor-dataset';
import { UserError } from '../errors';

interface TensorEntry { name: string; dtype: string; shape: number[]; begin: number; end: number }

const IMAGE_TYPES: Record<string, ElementType | undefined> = { U8: 'u1', F16: 'f2', F32: 'f4', F64: 'f8' };
const LABEL_TYPES: Record<string, LabelType | undefined> = {
  I8: 'i1', U8: 'u1', I16: 'i2', U16: 'u2', I32: 'i4', U32: 'u4', I64: 'i8', U64: 'u8', F32: 'f4', F64: 'f8',
};
const BYTES: Record<string, number> = { U8: 1, I8: 1, BOOL: 1, F16: 2, BF16: 2, I16: 2, U16: 2, F32: 4, I32: 4, U32: 4, F64: 8, I64: 8, U64: 8 };
const IMAGE_KEYS = ['images', 'x', 'image', 'data'];
const LABEL_KEYS = ['labels', 'y', 'label', 'targets'];

/** True when the bytes look like a safetensors header: small LE length, then '{'. */
export function looksLikeSafetensors(head: Buffer, fileSize: number): boolean {
  if (head.length < 9) return false;
  const n = Number(head.readBigUInt64LE(0));
  return n > 1 && n + 8 <= fileSize && head[8] === 0x7b;
}

async function readHeader(source: FileSource, file: string): Promise<{ tensors: TensorEntry[]; base: number }> {
  const n = Number((await source.read(0, Math.min(8, source.size))).readBigUInt64LE(0));
  if (n + 8 > source.size || n > 100_000_000) {
    throw new UserError(`${file} is not a readable safetensors file: header length ${n} does not fit a ${source.size}-byte file`);
  }
  let json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    json = JSON.parse((await source.read(8, n)).toString('utf8'));
  } catch (e) {
    throw new UserError(`${file}: the safetensors JSON header is invalid (${(e as Error).message})`);
  }
  const tensors = Object.entries(json).filter(([k]) => k !== '__metadata__').map(([name, t]) => ({
    name, dtype: t.dtype, shape: t.shape, begin: t.data_offsets[0], end: t.data_offsets[1],
  }));
  const base = 8 + n;
  for (const t of tensors) {
    const want = t.shape.reduce((a, b) => a * b, 1) * (BYTES[t.dtype] ?? 0);
    if (BYTES[t.dtype] !== undefined && t.end - t.begin !== want) {
      throw new UserError(`${file}: tensor '${t.name}' ${t.dtype} ${formatShape(t.shape)} needs ${want} bytes but its ` +
        `data_offsets span ${t.end - t.begin}`);
    }
    if (base + t.end > source.size) {
      throw new UserError(`${file} ends at byte ${source.size} but its header puts tensor '${t.name}' ` +
        `${t.dtype} ${formatShape(t.shape)} at bytes ${base + t.begin}…${base + t.end}; the file is truncated`);
    }
  }
  return { tensors, base };
}

function pick(tensors: TensorEntry[], keys: string[], ok: (t: TensorEntry) => boolean): TensorEntry | undefined {
  for (const k of keys) {
    const t = tensors.find((x) => x.name === k && ok(x));
    if (t) return t;
  }
  return undefined;
}

export async function openSafetensors(file: string, opts: OpenOptions = {}): Promise<Dataset> {
  const source = await FileSource.open(file);
  try {
    const { tensors, base } = await readHeader(source, file);
    const isImg = (t: TensorEntry) => isImageShape(t.shape);
    const img = pick(tensors, IMAGE_KEYS, isImg) ?? [...tensors].sort((a, b) => a.begin - b.begin).find(isImg);
    if (!img) {
      const listing = tensors.map((t) => `${t.name} ${t.dtype} ${formatShape(t.shape)}`).join(', ') || 'no tensors';
      throw new UserError(`${file} holds no image tensor: expected a 3-D or 4-D tensor named images or x (got ${listing})`);
    }
    const type = IMAGE_TYPES[img.dtype];
    if (!type) throw new UserError(`${file}: image tensor '${img.name}' is ${img.dtype}; supported are U8, F16, F32, F64`);
    const what = `${file}:${img.name}`;
    const shape = resolveShape(img.shape, opts.layout, what);
    checkCount(shape.count, what);
    const stride = (img.end - img.begin) / shape.count;
    const lab = pick(tensors, LABEL_KEYS, () => true);
    let labels: Int32Array | undefined;
    if (lab) {
      const lt = LABEL_TYPES[lab.dtype];
      if (!lt) throw new UserError(`${file}: label tensor '${lab.name}' is ${lab.dtype}, not an integer type`);
      if (!isLabelShape(lab.shape, shape.count)) {
        throw new UserError(`${file}: labels '${lab.name}' should have shape (${shape.count},), got ${formatShape(lab.shape)}`);
      }
      labels = decodeLabels(await source.read(base + lab.begin, lab.end - lab.begin), lt, true, shape.count, `${file}:${lab.name}`);
    }
    const notes = [`images from tensor '${img.name}'` + (lab ? `, labels from '${lab.name}'` : '')];
    const promise = `its header promises ${shape.count} images of ${shapeText(shape.channels, shape.height, shape.width)}`;
    return await TensorDataset.create({
      info: {
        path: file, format: 'safetensors', count: shape.count, hasLabels: labels !== undefined, notes,
        identity: { files: await fileIdentity([file]) },
      },
      segments: [{
        source, count: shape.count, dataOffset: base + img.begin, stride, itemOffset: 0,
        describeShort: (k) => `${file} ends at byte ${k} but ${promise}; the file is truncated`,
      }],
      spec: { channels: shape.channels, height: shape.height, width: shape.width, order: shape.order, elem: { type, littleEndian: true } },
      labels,
    }, opts.scale);
  } catch (e) {
    await source.close();
    throw e;
  }
}
