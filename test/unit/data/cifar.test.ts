// CIFAR-10 binary batches: several batch files in order, embedded labels, class names, truncated records.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDataset } from '../../../src/engine/data/dataset';
import { cifarBytes, expectedItem, tempDir, toMinus1to1 } from './fixtures';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

describe('data/cifar10', () => {
  let dir: string, bin: string, cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    bin = path.join(dir, 'cifar-10-batches-bin');
    fs.mkdirSync(bin);
    // data_batch_10 sorts before data_batch_2 as text: the reader must order them by number.
    fs.writeFileSync(path.join(bin, 'data_batch_1.bin'), cifarBytes(0, 7));
    fs.writeFileSync(path.join(bin, 'data_batch_2.bin'), cifarBytes(7, 5));
    fs.writeFileSync(path.join(bin, 'data_batch_10.bin'), cifarBytes(12, 2));
    fs.writeFileSync(path.join(bin, 'test_batch.bin'), cifarBytes(100, 3));
    fs.writeFileSync(path.join(bin, 'batches.meta.txt'), CLASSES.join('\n') + '\n\n');
  });
  afterEach(() => cleanup());

  it('opens the parent folder: training batches in numeric order, labels and class names', async () => {
    const ds = await openDataset(dir);
    try {
      assert.equal(ds.info.format, 'cifar10');
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [14, 3, 32, 32]);
      assert.deepEqual(ds.info.classNames, CLASSES);
      assert.match(ds.info.notes!.join(), /also present: test_batch\.bin/);
      assert.deepEqual(Array.from((await ds.labels())!), Array.from({ length: 14 }, (_, i) => i % 10));
      assert.equal(ds.info.identity.files.length, 4);
      const b = await ds.read([13, 6, 7]);
      assert.deepEqual(b.data.subarray(0, 3072), expectedItem(13, 3, 32, 32, toMinus1to1));
      assert.deepEqual(b.data.subarray(3072, 6144), expectedItem(6, 3, 32, 32, toMinus1to1));
      assert.deepEqual(b.data.subarray(6144), expectedItem(7, 3, 32, 32, toMinus1to1));
      assert.deepEqual(Array.from(b.labels!), [3, 6, 7]);
    } finally { await ds.close(); }
  });

  it('batches cross file boundaries and carry the labels', async () => {
    const ds = await openDataset(bin);
    try {
      const starts: number[] = [], labels: number[] = [];
      for await (const b of ds.batches(4)) {
        starts.push(b.start);
        labels.push(...b.labels!);
        for (let k = 0; k < b.count; k++) {
          assert.deepEqual(b.data.subarray(k * 3072, (k + 1) * 3072), expectedItem(b.start + k, 3, 32, 32, toMinus1to1));
        }
      }
      assert.deepEqual(starts, [0, 4, 8, 12]);
      assert.deepEqual(labels, Array.from({ length: 14 }, (_, i) => i % 10));
    } finally { await ds.close(); }
  });

  it('a single batch file opens alone', async () => {
    const ds = await openDataset(path.join(bin, 'test_batch.bin'), { scale: 'raw' });
    try {
      assert.equal(ds.info.count, 3);
      assert.deepEqual((await ds.read([2])).data, expectedItem(102, 3, 32, 32, (v) => v));
      assert.deepEqual(ds.info.classNames, CLASSES);
    } finally { await ds.close(); }
  });

  it('a truncated batch file is reported with its size and the record size', async () => {
    fs.writeFileSync(path.join(bin, 'data_batch_2.bin'), cifarBytes(7, 5).subarray(0, 10000));
    await assert.rejects(openDataset(dir),
      /data_batch_2\.bin ends at byte 10000, which is not a whole number of 3073-byte CIFAR-10 records/);
  });
});
