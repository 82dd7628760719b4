// NumPy .npz reader: picks the image array (x/images/arr_0/first 3-4-D) and labels (y/labels) from the zip.
import type { Dataset, OpenOptions } from './dataset';
import type { ByteSource } from './bytesource';
import { fileIdentity } from './common';
import { formatShape, isImageShape } from './layout';
import { NpyHeader, npySegment, readNpyHeader, readNpyLabels } from './npy';
import { TensorDataset } from './tensor-dataset';
import { ZipEntry, ZipFile } from './zip';
import { UserError } from '../errors';

const IMAGE_KEYS = ['x', 'images', 'image', 'imgs', 'arr_0', 'data'];
const LABEL_KEYS = ['y', 'labels', 'label', 'targets'];

interface Member { key: string; entry: ZipEntry; source: ByteSource; header: NpyHeader }

async function readMembers(zip: ZipFile): Promise<Member[]> {
  const members: Member[] = [];
  for (const entry of zip.entries) {
    if (!entry.name.endsWith('.npy')) continue;
    const source = await zip.source(entry);
    const header = await readNpyHeader(source, `${zip.path}:${entry.name}`);
    members.push({ key: entry.name.slice(0, -4), entry, source, header });
  }
  return members;
}

function pickImages(members: Member[], path: string): Member {
  for (const key of IMAGE_KEYS) {
    const m = members.find((x) => x.key === key);
    if (m && isImageShape(m.header.shape)) return m;
  }
  const m = members.find((x) => isImageShape(x.header.shape));
  if (m) return m;
  const listing = members.map((x) => `${x.key} ${formatShape(x.header.shape)}`).join(', ') || 'no arrays';
  throw new UserError(`${path} holds no image array: expected a 3-D or 4-D array named x, images or arr_0 (got ${listing})`);
}

function pickLabels(members: Member[], images: Member): Member | undefined {
  for (const key of LABEL_KEYS) {
    const m = members.find((x) => x.key === key);
    if (m) return m;
  }
  // np.savez(path, x, y) names them arr_0, arr_1
  const arr1 = members.find((x) => x.key === 'arr_1');
  return images.key === 'arr_0' && arr1 && arr1.header.shape.length <= 2 ? arr1 : undefined;
}

export async function openNpz(file: string, opts: OpenOptions = {}): Promise<Dataset> {
  const zip = await ZipFile.open(file);
  try {
    const members = await readMembers(zip);
    const images = pickImages(members, file);
    const what = `${file}:${images.entry.name}`;
    const { segment, spec } = npySegment(images.source, images.header, what, opts);
    const labelsMember = pickLabels(members, images);
    const labels = labelsMember
      ? await readNpyLabels(labelsMember.source, labelsMember.header, segment.count, `${file}:${labelsMember.entry.name}`)
      : undefined;
    if (labelsMember) await labelsMember.source.close();
    const notes = [`images from array '${images.key}'` + (labelsMember ? `, labels from '${labelsMember.key}'` : '') +
      (images.entry.method === 8 ? ' (deflated: random reads decompress the array once)' : '')];
    return await TensorDataset.create({
      info: {
        path: file, format: 'npz', count: segment.count, hasLabels: labels !== undefined, notes,
        identity: { files: await fileIdentity([file]) },
      },
      segments: [segment], spec, labels, onClose: () => zip.close(),
    }, opts.scale);
  } catch (e) {
    await zip.close().catch(() => undefined);
    throw e;
  }
}
