// .npz reader: stored and deflated members, array picking (x/y, arr_0/arr_1, first 3-D), labels, damaged zips.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Batch, openDataset } from '../../../src/engine/data/dataset';
import { expectedItem, float32Bytes, int64Bytes, npyBytes, pixelBytes, tempDir, toMinus1to1, zipBytes } from './fixtures';

const N = 9, H = 5, W = 6;
const images = () => npyBytes('|u1', [N, H, W, 3], pixelBytes(N, 3, H, W, 'NHWC'));
const labels = () => npyBytes('<i8', [N], int64Bytes(Array.from({ length: N }, (_, i) => (i * 3) % 7)));

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('data/npz', () => {
  let dir: string, cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  for (const deflate of [false, true]) {
    it(`${deflate ? 'deflated' : 'stored'}: x (NHWC) and y (int64), batches match read()`, async () => {
      const file = path.join(dir, 'd.npz');
      fs.writeFileSync(file, zipBytes([
        { name: 'y.npy', data: labels(), deflate }, { name: 'x.npy', data: images(), deflate },
      ]));
      const ds = await openDataset(file);
      try {
        assert.equal(ds.info.format, 'npz');
        assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [N, 3, H, W]);
        assert.equal(ds.info.hasLabels, true);
        assert.deepEqual(Array.from((await ds.labels())!), [0, 3, 6, 2, 5, 1, 4, 0, 3]);
        const batches = await collect(ds.batches(4));
        assert.deepEqual(batches.map((b) => [b.start, b.count]), [[0, 4], [4, 4], [8, 1]]);
        for (const b of batches) {
          for (let k = 0; k < b.count; k++) {
            assert.deepEqual(b.data.subarray(k * 90, (k + 1) * 90), expectedItem(b.start + k, 3, H, W, toMinus1to1));
          }
        }
        const r = await ds.read([8, 2, 3]);
        assert.deepEqual(r.data.subarray(0, 90), batches[2].data);
        assert.deepEqual(r.data.subarray(90), batches[0].data.subarray(180, 360));
        assert.deepEqual(Array.from(r.labels!), [3, 6, 2]);
      } finally { await ds.close(); }
    });
  }

  it('np.savez(path, x, y) naming: arr_0 images, arr_1 labels', async () => {
    const file = path.join(dir, 'a.npz');
    fs.writeFileSync(file, zipBytes([{ name: 'arr_0.npy', data: images() }, { name: 'arr_1.npy', data: labels(), deflate: true }]));
    const ds = await openDataset(file);
    try {
      assert.equal(ds.info.hasLabels, true);
      assert.match(ds.info.notes!.join(), /array 'arr_0', labels from 'arr_1'/);
    } finally { await ds.close(); }
  });

  it('otherwise picks the first 3-D/4-D array, skipping others', async () => {
    const file = path.join(dir, 'b.npz');
    fs.writeFileSync(file, zipBytes([
      { name: 'mean.npy', data: npyBytes('<f4', [2], float32Bytes([0.5, 0.25])) },
      { name: 'faces.npy', data: npyBytes('<f4', [2, 2, 2], float32Bytes([0, 0.5, 1, 0.25, 0.75, 1, 0, 0])), deflate: true },
    ]));
    const ds = await openDataset(file, { scale: 'minus1to1' });
    try {
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [2, 1, 2, 2]);
      assert.equal(ds.info.hasLabels, false);
      assert.deepEqual(Array.from((await ds.read([0])).data), [-1, 0, 1, -0.5]);
    } finally { await ds.close(); }
  });

  it('names the arrays it found when none is an image stack', async () => {
    const file = path.join(dir, 'c.npz');
    fs.writeFileSync(file, zipBytes([{ name: 'w.npy', data: npyBytes('<f4', [2, 2], float32Bytes([1, 2, 3, 4])) }]));
    await assert.rejects(openDataset(file), /holds no image array.*got w \(2, 2\)/);
  });

  it('a cut-off npz says the zip is truncated', async () => {
    const file = path.join(dir, 't.npz');
    const whole = zipBytes([{ name: 'x.npy', data: images() }]);
    fs.writeFileSync(file, whole.subarray(0, whole.length - 40));
    await assert.rejects(openDataset(file), /truncated|not a dataset I can read/);
  });

  it('labels of the wrong length are refused', async () => {
    const file = path.join(dir, 'l.npz');
    fs.writeFileSync(file, zipBytes([
      { name: 'x.npy', data: images() }, { name: 'y.npy', data: npyBytes('<i8', [3], int64Bytes([1, 2, 3])) },
    ]));
    await assert.rejects(openDataset(file), /labels should have shape \(9,\), got \(3,\)/);
  });
});
