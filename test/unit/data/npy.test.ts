// .npy reader: dtypes, NHWC/NCHW detection and override, endianness, Fortran order and truncation errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDataset } from '../../../src/engine/data/dataset';
import {
  expectedItem, float16Bytes, float32Bytes, float64Bytes, npyBytes, pixel, pixelBytes, tempDir, toMinus1to1,
} from './fixtures';

describe('data/npy', () => {
  let dir: string, cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const write = (name: string, buf: Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, buf);
    return p;
  };

  it('uint8 N×H×W: one channel, EDM scale by default', async () => {
    const file = write('x.npy', npyBytes('|u1', [6, 5, 4], pixelBytes(6, 1, 5, 4)));
    const ds = await openDataset(file);
    try {
      assert.equal(ds.info.format, 'npy');
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [6, 1, 5, 4]);
      assert.equal(ds.info.scale, 'minus1to1');
      assert.equal(ds.info.hasLabels, false);
      assert.equal(await ds.labels(), undefined);
      const b = await ds.read([5, 0]);
      assert.deepEqual(b.data.subarray(0, 20), expectedItem(5, 1, 5, 4, toMinus1to1));
      assert.deepEqual(b.data.subarray(20), expectedItem(0, 1, 5, 4, toMinus1to1));
    } finally { await ds.close(); }
  });

  it('detects NHWC (last dim 3, dim 1 not a channel count) and transposes to CHW', async () => {
    const file = write('x.npy', npyBytes('|u1', [4, 6, 5, 3], pixelBytes(4, 3, 6, 5, 'NHWC')));
    const ds = await openDataset(file, { scale: 'raw' });
    try {
      assert.deepEqual([ds.info.channels, ds.info.height, ds.info.width], [3, 6, 5]);
      const b = await ds.read([2]);
      assert.deepEqual(b.data, expectedItem(2, 3, 6, 5, (v) => v));
    } finally { await ds.close(); }
  });

  it('keeps NCHW when dim 1 is a channel count, and the layout option overrides the guess', async () => {
    const file = write('x.npy', npyBytes('|u1', [2, 3, 4, 4], pixelBytes(2, 3, 4, 4)));
    const auto = await openDataset(file, { scale: 'raw' });
    try {
      assert.deepEqual([auto.info.channels, auto.info.height, auto.info.width], [3, 4, 4]);
      assert.deepEqual((await auto.read([1])).data, expectedItem(1, 3, 4, 4, (v) => v));
    } finally { await auto.close(); }
    const forced = await openDataset(file, { scale: 'raw', layout: 'NHWC' });
    try {
      assert.deepEqual([forced.info.channels, forced.info.height, forced.info.width], [4, 3, 4]);
    } finally { await forced.close(); }
    await assert.rejects(openDataset(file, { layout: 'NHW' }), /layout 'NHW' needs a 3-D array/);
  });

  it('float32 stays raw by default and reports the scanned range', async () => {
    const values = Array.from({ length: 3 * 2 * 2 }, (_, k) => k / 11 - 0.5);
    const file = write('f.npy', npyBytes('<f4', [3, 2, 2], float32Bytes(values)));
    const ds = await openDataset(file);
    try {
      assert.equal(ds.info.sourceDtype, 'float32');
      assert.equal(ds.info.scale, 'raw');
      assert.equal(ds.info.valueRangeSource, 'scanned');
      assert.deepEqual(ds.info.valueRange, [Math.fround(-0.5), Math.fround(11 / 11 - 0.5)]);
      assert.deepEqual(Array.from((await ds.read([1])).data), values.slice(4, 8).map(Math.fround));
    } finally { await ds.close(); }
  });

  it('float data in [0,1] maps to [-1,1] when asked; big-endian and float64 read too', async () => {
    const values = Array.from({ length: 2 * 3 * 3 }, (_, k) => k / 17);
    const be = write('be.npy', npyBytes('>f4', [2, 3, 3], float32Bytes(values, false)));
    const ds = await openDataset(be, { scale: 'minus1to1' });
    try {
      assert.deepEqual(ds.info.valueRange, [-1, 1]);
      const b = await ds.read([0, 1]);
      assert.deepEqual(Array.from(b.data), values.map((v) => Math.fround(Math.fround(v) / 0.5 - 1)));
    } finally { await ds.close(); }
    const f8 = write('f8.npy', npyBytes('<f8', [2, 3, 3], float64Bytes(values)));
    const ds8 = await openDataset(f8, { scale: 'zero1' });
    try {
      assert.equal(ds8.info.sourceDtype, 'float64');
      assert.deepEqual(Array.from((await ds8.read([1])).data), values.slice(9).map(Math.fround));
    } finally { await ds8.close(); }
  });

  it('float16 is widened, with a note', async () => {
    const values = [0, 0.5, 1, -2, 0.25, 3, 1.5, -0.125];
    const file = write('h.npy', npyBytes('<f2', [2, 2, 2], float16Bytes(values)));
    const ds = await openDataset(file);
    try {
      assert.ok(ds.info.notes?.some((n) => /float16/.test(n)));
      assert.deepEqual(Array.from((await ds.read([0, 1])).data), values);
    } finally { await ds.close(); }
  });

  it('refuses float data it cannot place on the asked scale', async () => {
    const file = write('big.npy', npyBytes('<f4', [1, 2, 2], float32Bytes([-5, 0, 300, 1])));
    await assert.rejects(openDataset(file, { scale: 'zero1' }), /values in \[-5, 300\].*scale 'raw'/);
  });

  it('Fortran order, bad dtypes, 2-D arrays and truncation give clear errors', async () => {
    await assert.rejects(openDataset(write('f.npy', npyBytes('|u1', [2, 2, 2], Buffer.alloc(8), true))),
      /Fortran \(column-major\) order.*np\.ascontiguousarray/);
    await assert.rejects(openDataset(write('i.npy', npyBytes('<i4', [2, 2, 2], Buffer.alloc(32)))),
      /image dtype '<i4' is not supported/);
    await assert.rejects(openDataset(write('flat.npy', npyBytes('|u1', [2, 784], Buffer.alloc(1568)))),
      /got shape \(2, 784\); reshape flattened images/);
    const full = npyBytes('|u1', [10, 8, 8], Buffer.alloc(640));
    await assert.rejects(openDataset(write('t.npy', full.subarray(0, 300))),
      /ends at byte 300 but its header promises 10 images of 8×8 \|u1 \(768 bytes\); the file is truncated/);
  });

  it('pixel() fixture sanity: expectedItem agrees with pixel()', () => {
    assert.equal(expectedItem(3, 2, 2, 2, (v) => v)[7], pixel(3, 1, 1, 1));
  });
});
