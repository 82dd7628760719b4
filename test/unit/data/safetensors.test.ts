// safetensors reader: tensor picking, U8/F32/F16 images, integer labels, truncation and header errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDataset } from '../../../src/engine/data/dataset';
import {
  expectedItem, float16Bytes, float32Bytes, int64Bytes, pixelBytes, safetensorsBytes, tempDir, toMinus1to1,
} from './fixtures';

describe('data/safetensors', () => {
  let dir: string, cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const write = (buf: Buffer) => {
    const p = path.join(dir, 'd.safetensors');
    fs.writeFileSync(p, buf);
    return p;
  };

  it('U8 NHWC "images" with I64 "labels"', async () => {
    const file = write(safetensorsBytes([
      { name: 'labels', dtype: 'I64', shape: [5], data: int64Bytes([4, 3, 2, 1, 0]) },
      { name: 'images', dtype: 'U8', shape: [5, 6, 7, 3], data: pixelBytes(5, 3, 6, 7, 'NHWC') },
    ]));
    const ds = await openDataset(file);
    try {
      assert.equal(ds.info.format, 'safetensors');
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [5, 3, 6, 7]);
      assert.deepEqual(Array.from((await ds.labels())!), [4, 3, 2, 1, 0]);
      const b = await ds.read([3]);
      assert.deepEqual(b.data, expectedItem(3, 3, 6, 7, toMinus1to1));
      assert.deepEqual(Array.from(b.labels!), [1]);
    } finally { await ds.close(); }
  });

  it('F32 NCHW "x" and F16 tensors; other tensors are ignored', async () => {
    const vals = Array.from({ length: 2 * 3 * 2 * 2 }, (_, k) => k / 23);
    const file = write(safetensorsBytes([
      { name: 'step', dtype: 'I64', shape: [], data: int64Bytes([7]) },
      { name: 'x', dtype: 'F32', shape: [2, 3, 2, 2], data: float32Bytes(vals) },
    ]));
    const ds = await openDataset(file);
    try {
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [2, 3, 2, 2]);
      assert.equal(ds.info.hasLabels, false);
      assert.equal(ds.info.sourceDtype, 'float32');
      assert.deepEqual(Array.from((await ds.read([1])).data), vals.slice(12).map(Math.fround));
    } finally { await ds.close(); }
    const half = write(safetensorsBytes([{ name: 'imgs', dtype: 'F16', shape: [1, 2, 2], data: float16Bytes([0.5, -1, 0.25, 1]) }]));
    const h = await openDataset(half, { scale: 'zero1' });
    try {
      assert.deepEqual(Array.from((await h.read([0])).data), [0.75, 0, 0.625, 1]);
    } finally { await h.close(); }
  });

  it('a truncated file names the tensor and where the file ends', async () => {
    const whole = safetensorsBytes([{ name: 'images', dtype: 'U8', shape: [4, 8, 8], data: Buffer.alloc(256) }]);
    const file = write(whole.subarray(0, whole.length - 100));
    await assert.rejects(openDataset(file), new RegExp(`ends at byte ${whole.length - 100} but its header puts tensor 'images'`));
  });

  it('inconsistent offsets and unsupported dtypes are explained', async () => {
    const bad = safetensorsBytes([{ name: 'images', dtype: 'U8', shape: [4, 8, 8], data: Buffer.alloc(200) }]);
    await assert.rejects(openDataset(write(bad)), /needs 256 bytes but its data_offsets span 200/);
    const bf = safetensorsBytes([{ name: 'images', dtype: 'BF16', shape: [1, 2, 2], data: Buffer.alloc(8) }]);
    await assert.rejects(openDataset(write(bf)), /is BF16; supported are U8, F16, F32, F64/);
  });
});
