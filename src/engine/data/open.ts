// openDataset: detects the format of a file or folder from its content and hands it to the matching reader.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Dataset, OpenOptions } from './dataset';
import { readAt } from './bytesource';
import { CIFAR_BATCH_NAME, findCifarBatches, openCifar10 } from './cifar';
import { findIdxImages, looksLikeIdx, openIdx } from './idx';
import { IMAGE_EXT } from './image-list';
import { ImageDataset } from './images';
import { isNpy, openNpy } from './npy';
import { openNpz } from './npz';
import { looksLikeSafetensors, openSafetensors } from './safetensors';
import { looksLikeZip, ZipFile } from './zip';
import { UserError } from '../errors';

const EXPECTED = 'expected MNIST/Fashion-MNIST IDX (train-images-idx3-ubyte[.gz]), NumPy .npy or .npz, .safetensors, ' +
  'a folder or .zip of PNG/JPEG images (EDM dataset_tool layout included), or CIFAR-10 binary batches ' +
  '(data_batch_1.bin, or the cifar-10-batches-bin folder)';

function cannotRead(target: string, got: string): Error {
  return new UserError(`${target} is not a dataset I can read: ${EXPECTED} (got ${got})`);
}

/** Opens a dataset file or folder, detecting its format from its content (not only its name). */
export async function openDataset(target: string, opts: OpenOptions = {}): Promise<Dataset> {
  target = path.resolve(target); // absolute paths in info.path and info.identity, for caching
  const st = await fs.promises.stat(target).catch(() => undefined);
  if (!st) throw new UserError(`${target} does not exist`);
  return st.isDirectory() ? openFolder(target, opts) : openFile(target, st.size, opts);
}

async function openFolder(dir: string, opts: OpenOptions): Promise<Dataset> {
  if (await findIdxImages(dir)) return openIdx(dir, opts);
  if (await findCifarBatches(dir)) return openCifar10(dir, opts);
  const names = await fs.promises.readdir(dir);
  const hasImages = async (): Promise<boolean> => {
    if (names.includes('dataset.json') || names.some((n) => IMAGE_EXT.test(n))) return true;
    const listing = await fs.promises.readdir(dir, { recursive: true });
    return listing.some((n) => IMAGE_EXT.test(n));
  };
  if (await hasImages()) return ImageDataset.open(dir, opts);
  const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? `, … (${names.length} entries)` : '');
  throw cannotRead(dir, names.length ? `a folder holding ${shown}` : 'an empty folder');
}

async function head(file: string, n: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try { return await readAt(fh, 0, n); } finally { await fh.close(); }
}

async function openFile(file: string, size: number, opts: OpenOptions): Promise<Dataset> {
  const h = await head(file, 512);
  if (h.length >= 2 && h[0] === 0x1f && h[1] === 0x8b) {
    const inner = gunzipHead(h.length < 512 ? h : await head(file, 1 << 16));
    if (looksLikeIdx(inner)) return openIdx(file, opts);
    throw cannotRead(file, `a gzip file holding ${describe(inner, file, -1)}` +
      (isTar(inner) ? '; unpack the archive and open the folder' : ''));
  }
  if (looksLikeIdx(h)) return openIdx(file, opts);
  if (isNpy(h)) return openNpy(file, opts);
  if (looksLikeSafetensors(h, size)) return openSafetensors(file, opts);
  if (looksLikeZip(h)) return openZip(file, opts);
  if (CIFAR_BATCH_NAME.test(path.basename(file)) || (/\.bin$/i.test(file) && size > 0 && size % 3073 === 0)) {
    return openCifar10(file, opts);
  }
  throw cannotRead(file, describe(h, file, size));
}

/** A zip of .npy arrays is an .npz; a zip of images is an image dataset. */
async function openZip(file: string, opts: OpenOptions): Promise<Dataset> {
  const zip = await ZipFile.open(file);
  const names = zip.entries.map((e) => e.name);
  await zip.close();
  if (names.some((n) => n.endsWith('.npy'))) return openNpz(file, opts);
  if (names.some((n) => IMAGE_EXT.test(n))) return ImageDataset.open(file, opts);
  const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? `, … (${names.length} entries)` : '');
  throw cannotRead(file, names.length ? `a zip holding ${shown}, but no .npy arrays or PNG/JPEG images` : 'an empty zip');
}

/** The first decompressed bytes of a gzip file's beginning. */
function gunzipHead(buf: Buffer): Buffer {
  try {
    return zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}

function isTar(buf: Buffer): boolean {
  return buf.length >= 262 && buf.toString('latin1', 257, 262) === 'ustar';
}

/** A few words on what a file looks like, for error messages. */
function describe(h: Buffer, file: string, size: number): string {
  const ext = path.extname(file) || 'no extension';
  const sized = size >= 0 ? `, ${size} bytes` : '';
  if (h.length >= 8 && h.readUInt32BE(0) === 0x89504e47) return `a single PNG image; open the folder or zip that holds the images`;
  if (h.length >= 2 && h[0] === 0xff && h[1] === 0xd8) return `a single JPEG image; open the folder or zip that holds the images`;
  if (isTar(h)) return `a tar archive (${ext}${sized}); unpack it and open the folder`;
  if (h.length >= 2 && h[0] === 0x80 && h[1] <= 5) return `a Python pickle (${ext}${sized}); save the arrays with np.save/np.savez instead`;
  if (h.length === 0) return 'an empty file';
  const text = h.subarray(0, 64).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (text) return `a text file (${ext}${sized}) starting ${JSON.stringify(h.toString('latin1', 0, 40))}`;
  return `a ${ext} file${sized} starting with bytes ${h.subarray(0, 8).toString('hex')}`;
}
