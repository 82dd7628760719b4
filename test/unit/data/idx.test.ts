// IDX reader: the real Fashion-MNIST files (Debian dataset-fashion-mnist) and small hand-made IDX fixtures.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { openDataset } from '../../../src/engine/data/dataset';
import { idxBytes, pixelBytes, tempDir } from './fixtures';

const FMNIST = '/usr/share/datasets/fashion-mnist';
const haveFmnist = fs.existsSync(path.join(FMNIST, 'train-images-idx3-ubyte.gz'));

describe('data/idx: real Fashion-MNIST', function () {
  before(function () { if (!haveFmnist) this.skip(); });
  // Parsed by hand, independently of the reader.
  let raw: Buffer, rawLabels: Buffer;
  before(function () {
    if (!haveFmnist) return;
    raw = zlib.gunzipSync(fs.readFileSync(path.join(FMNIST, 'train-images-idx3-ubyte.gz')));
    rawLabels = zlib.gunzipSync(fs.readFileSync(path.join(FMNIST, 'train-labels-idx1-ubyte.gz')));
  });

  it('the raw file is what we think it is (magic 2051, 60000×28×28)', () => {
    assert.equal(raw.readUInt32BE(0), 2051);
    assert.deepEqual([raw.readUInt32BE(4), raw.readUInt32BE(8), raw.readUInt32BE(12)], [60000, 28, 28]);
    assert.equal(rawLabels.readUInt32BE(0), 2049);
  });

  it('opens the folder: N, shape, labels, class names, identity', async () => {
    const ds = await openDataset(FMNIST);
    try {
      const i = ds.info;
      assert.equal(i.format, 'idx');
      assert.deepEqual([i.count, i.channels, i.height, i.width], [60000, 1, 28, 28]);
      assert.equal(i.sourceDtype, 'uint8');
      assert.equal(i.scale, 'minus1to1');
      assert.deepEqual(i.valueRange, [-1, 1]);
      assert.equal(i.hasLabels, true);
      assert.equal(i.classNames?.[9], 'Ankle boot');
      assert.deepEqual(i.identity.files.map((f) => path.basename(f.path)),
        ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
      assert.equal(i.identity.files[0].size, fs.statSync(path.join(FMNIST, 'train-images-idx3-ubyte.gz')).size);
      const labels = (await ds.labels())!;
      const hist = new Array(10).fill(0);
      for (const l of labels) hist[l]++;
      assert.deepEqual(hist, new Array(10).fill(6000));
      assert.deepEqual(Array.from(labels.subarray(0, 5)), Array.from(rawLabels.subarray(8, 13)));
    } finally { await ds.close(); }
  });

  it('first images match the bytes, with 0→−1 and 255→1 exactly', async () => {
    const ds = await openDataset(path.join(FMNIST, 'train-images-idx3-ubyte.gz'));
    try {
      const b = await ds.read([0, 1, 2]);
      assert.equal(b.data.length, 3 * 784);
      for (let k = 0; k < 3 * 784; k++) assert.equal(b.data[k], Math.fround(raw[16 + k] / 127.5 - 1));
      const at0 = raw.indexOf(0, 16) - 16, at255 = raw.indexOf(255, 16) - 16;
      assert.ok(at255 >= 0 && at255 < 3 * 784, 'a 255 pixel among the first 3 images');
      assert.equal(b.data[at0], -1);
      assert.equal(b.data[at255], 1);
      assert.deepEqual(Array.from(b.labels!), [rawLabels[8], rawLabels[9], rawLabels[10]]);
    } finally { await ds.close(); }
  });

  it('streams all 60000 exactly once with a batch size that does not divide N; raw sums match', async () => {
    const ds = await openDataset(FMNIST, { scale: 'raw' });
    try {
      let next = 0, sum = 0;
      for await (const b of ds.batches(7777)) {
        assert.equal(b.start, next);
        assert.equal(b.data.length, b.count * 784);
        next += b.count;
        for (const v of b.data) sum += v;
      }
      assert.equal(next, 60000);
      let want = 0;
      for (let k = 16; k < raw.length; k++) want += raw[k];
      assert.equal(sum, want);
    } finally { await ds.close(); }
  });

  it('zero1 scale and the test split (10000, 1000 per class)', async () => {
    const ds = await openDataset(path.join(FMNIST, 't10k-images-idx3-ubyte.gz'), { scale: 'zero1' });
    try {
      assert.equal(ds.info.count, 10000);
      assert.deepEqual(ds.info.valueRange, [0, 1]);
      const hist = new Array(10).fill(0);
      for (const l of (await ds.labels())!) hist[l]++;
      assert.deepEqual(hist, new Array(10).fill(1000));
      const last = await ds.read([9999]);
      for (const v of last.data) assert.ok(v >= 0 && v <= 1);
    } finally { await ds.close(); }
  });
});

describe('data/idx: fixtures', () => {
  let dir: string, cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('reads an uncompressed IDX with its labels next to it', async () => {
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxBytes(8, [5, 4, 3], pixelBytes(5, 1, 4, 3)));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxBytes(8, [5], Buffer.from([3, 1, 4, 1, 5])));
    const ds = await openDataset(path.join(dir, 'train-images-idx3-ubyte'), { scale: 'raw' });
    try {
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [5, 1, 4, 3]);
      const b = await ds.read([4]);
      assert.deepEqual(Array.from(b.data), Array.from(pixelBytes(5, 1, 4, 3).subarray(48, 60)));
      assert.deepEqual(Array.from((await ds.labels())!), [3, 1, 4, 1, 5]);
      assert.equal(ds.info.classNames, undefined);
    } finally { await ds.close(); }
  });

  it('a truncated file says where it ends and what the header promises', async () => {
    const full = idxBytes(8, [10, 28, 28], Buffer.alloc(10 * 784));
    const file = path.join(dir, 'train-images-idx3-ubyte');
    fs.writeFileSync(file, full.subarray(0, 5000));
    await assert.rejects(openDataset(file),
      /ends at byte 5000 but its header promises 10 images of 28×28 \(needs 7856 bytes\)/);
  });

  it('a truncated .gz fails with the same kind of message', async () => {
    const gz = zlib.gzipSync(idxBytes(8, [10, 28, 28], Buffer.from(Array.from({ length: 7840 }, (_, k) => (k * 7919) % 251))));
    const file = path.join(dir, 'train-images-idx3-ubyte.gz');
    fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    await assert.rejects(async () => {
      const ds = await openDataset(file);
      try { for await (const b of ds.batches(4)) void b; } finally { await ds.close(); }
    }, /\(decompressed\) ends at byte \d+ but its header promises 10 images of 28×28 \(7856 bytes\)/);
  });

  it('a multi-member gzip (trailer smaller than the data) is not mistaken for a truncated one', async () => {
    const whole = idxBytes(8, [6, 4, 4], pixelBytes(6, 1, 4, 4));
    const file = path.join(dir, 'train-images-idx3-ubyte.gz');
    fs.writeFileSync(file, Buffer.concat([zlib.gzipSync(whole.subarray(0, 50)), zlib.gzipSync(whole.subarray(50))]));
    const ds = await openDataset(file, { scale: 'raw' });
    try {
      assert.deepEqual(Array.from((await ds.read([5])).data), Array.from(pixelBytes(6, 1, 4, 4).subarray(80)));
    } finally { await ds.close(); }
  });

  it('labels of the wrong length are refused', async () => {
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idxBytes(8, [3, 2, 2], Buffer.alloc(12)));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxBytes(8, [4], Buffer.alloc(4)));
    await assert.rejects(openDataset(dir), /has 4 labels but .* has 3 images/);
  });

  it('opening the labels file explains what to open instead', async () => {
    const file = path.join(dir, 'train-labels-idx1-ubyte');
    fs.writeFileSync(file, idxBytes(8, [4], Buffer.alloc(4)));
    await assert.rejects(openDataset(file), /not images; open the images file/);
  });
});
