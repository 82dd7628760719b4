// CIFAR-10 binary batches: records of 1 label byte + 3×32×32 uint8 CHW, class names from batches.meta.txt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dataset, OpenOptions } from './dataset';
import { FileSource } from './bytesource';
import { fileIdentity } from './common';
import { Segment, TensorDataset } from './tensor-dataset';
import { UserError } from '../errors';

const RECORD = 1 + 3 * 32 * 32;
export const CIFAR_BATCH_NAME = /^(data_batch_\d+|test_batch)\.bin$/;

/** The batch files a folder (or its cifar-10-batches-bin subfolder) holds: the training batches, else the test batch. */
export async function findCifarBatches(dir: string): Promise<{ dir: string; files: string[]; others: string[] } | undefined> {
  const sub = path.join(dir, 'cifar-10-batches-bin');
  if (await fs.promises.stat(sub).then((s) => s.isDirectory(), () => false)) dir = sub;
  const names = (await fs.promises.readdir(dir)).filter((n) => CIFAR_BATCH_NAME.test(n));
  const train = names.filter((n) => n.startsWith('data_batch_'))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  const files = train.length ? train : names;
  if (files.length === 0) return undefined;
  return { dir, files: files.map((n) => path.join(dir, n)), others: names.filter((n) => !files.includes(n)) };
}

async function readClassNames(dir: string): Promise<{ names?: string[]; file?: string }> {
  const file = path.join(dir, 'batches.meta.txt');
  const text = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  const names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  return { names, file };
}

export async function openCifar10(target: string, opts: OpenOptions = {}): Promise<Dataset> {
  const notes: string[] = [];
  let dir: string, files: string[];
  if ((await fs.promises.stat(target)).isDirectory()) {
    const found = await findCifarBatches(target);
    if (!found) throw new UserError(`${target} holds no CIFAR-10 batches (data_batch_1.bin … or test_batch.bin)`);
    ({ dir, files } = found);
    notes.push(`opened ${files.map((f) => path.basename(f)).join(', ')}` +
      (found.others.length ? `; also present: ${found.others.join(', ')}` : ''));
  } else {
    dir = path.dirname(target);
    files = [target];
  }
  const segments: Segment[] = [];
  try {
    for (const file of files) {
      const source = await FileSource.open(file);
      segments.push({
        source, count: Math.floor(source.size / RECORD), dataOffset: 0, stride: RECORD, itemOffset: 1, labelOffset: 0,
        describeShort: (k) => `${file} ends at byte ${k} but should hold ${Math.floor(source.size / RECORD)} records`,
      });
      if (source.size % RECORD !== 0 || source.size === 0) {
        throw new UserError(`${file} ends at byte ${source.size}, which is not a whole number of ${RECORD}-byte CIFAR-10 ` +
          'records (1 label byte + 3×32×32 pixels); the file is truncated, or it is not CIFAR-10 ' +
          '(CIFAR-100 records are 3074 bytes)');
      }
    }
    const count = segments.reduce((n, s) => n + s.count, 0);
    const meta = await readClassNames(dir);
    return await TensorDataset.create({
      info: {
        path: target, format: 'cifar10', count, hasLabels: true, classNames: meta.names,
        notes: notes.length ? notes : undefined,
        identity: { files: await fileIdentity(meta.file ? [...files, meta.file] : files) },
      },
      segments, spec: { channels: 3, height: 32, width: 32, order: 'CHW', elem: { type: 'u1', littleEndian: true } },
    }, opts.scale);
  } catch (e) {
    for (const s of segments) await s.source.close();
    throw e;
  }
}
