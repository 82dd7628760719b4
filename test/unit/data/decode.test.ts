// Record decoding: unaligned and big-endian floats, HWC→CHW, strided records, float16, label dtypes.
import * as assert from 'node:assert/strict';
import { decodeItems, decodeLabels, halfToFloat, ItemSpec } from '../../../src/engine/data/decode';
import { floatMapper, IDENTITY, uint8Mapper } from '../../../src/engine/data/scale';

describe('data/decode', () => {
  const values = [0.5, -1.25, 3, 7.75, -0.5, 2, 1, 0.25, 9, -3, 4.5, 6]; // 2 items of 2×3 (HWC with C=2 → 2×1×3)

  for (const offset of [0, 1, 3]) {
    it(`float32 little-endian at byte offset ${offset} (aligned and unaligned)`, () => {
      const buf = Buffer.alloc(offset + 48);
      values.forEach((v, k) => buf.writeFloatLE(v, offset + 4 * k));
      const spec: ItemSpec = { channels: 1, height: 2, width: 3, order: 'CHW', elem: { type: 'f4', littleEndian: true } };
      const out = new Float32Array(12);
      decodeItems(buf, offset, 24, 2, spec, IDENTITY, out, 0);
      assert.deepEqual(Array.from(out), values);
    });
  }

  it('float64 big-endian, HWC → CHW, with an affine map', () => {
    const buf = Buffer.alloc(96);
    values.forEach((v, k) => buf.writeDoubleBE(v, 8 * k));
    const spec: ItemSpec = { channels: 2, height: 1, width: 3, order: 'HWC', elem: { type: 'f8', littleEndian: false } };
    const out = new Float32Array(12);
    decodeItems(buf, 0, 48, 2, spec, { div: 2, add: 1 }, out, 0);
    // item 0 HWC [p0c0 p0c1 p1c0 p1c1 p2c0 p2c1] = [0.5 -1.25 3 7.75 -0.5 2] → CHW [0.5 3 -0.5 | -1.25 7.75 2]
    assert.deepEqual(Array.from(out.subarray(0, 6)), [0.5, 3, -0.5, -1.25, 7.75, 2].map((v) => v / 2 + 1));
    assert.deepEqual(Array.from(out.subarray(6)), [1, 9, 4.5, 0.25, -3, 6].map((v) => v / 2 + 1));
  });

  it('uint8 records with a stride and an item offset (CIFAR-like), exact EDM mapping', () => {
    const buf = Buffer.from([7, 0, 255, 128, 9, 1, 2, 3]); // two records: label byte + 3 pixels
    const spec: ItemSpec = { channels: 1, height: 1, width: 3, order: 'CHW', elem: { type: 'u1', littleEndian: true } };
    const out = new Float32Array(6);
    decodeItems(buf, 1, 4, 2, spec, uint8Mapper('minus1to1').mapper, out, 0);
    assert.deepEqual(Array.from(out), [-1, 1, Math.fround(128 / 127.5 - 1), Math.fround(1 / 127.5 - 1),
      Math.fround(2 / 127.5 - 1), Math.fround(3 / 127.5 - 1)]);
    assert.deepEqual(Array.from(uint8Mapper('zero1').mapper.lut!.subarray(254)), [Math.fround(254 / 255), 1]);
  });

  it('float16 special values', () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
    assert.equal(halfToFloat(0x7bff), 65504);
  });

  it('labels: int64 and uint16 decode; fractional labels are refused', () => {
    const b = Buffer.alloc(16);
    b.writeBigInt64LE(9n, 0); b.writeBigInt64LE(-1n, 8);
    assert.deepEqual(Array.from(decodeLabels(b, 'i8', true, 2, 't')), [9, -1]);
    assert.deepEqual(Array.from(decodeLabels(Buffer.from([0, 3, 1, 0]), 'u2', false, 2, 't')), [3, 256]);
    const f = Buffer.alloc(4);
    f.writeFloatLE(1.5);
    assert.throws(() => decodeLabels(f, 'f4', true, 1, 'y.npy'), /y\.npy: label 0 is 1\.5/);
  });

  it('float mapping picks the source interval from the observed range', () => {
    assert.deepEqual(floatMapper('minus1to1', [0, 200], 'p').mapper, { div: 127.5, add: -1 });
    assert.deepEqual(floatMapper('zero1', [-0.9, 0.8], 'p').mapper, { div: 2, add: 0.5 });
    assert.deepEqual(floatMapper('raw', [-7, 9], 'p').range, [-7, 9]);
  });
});
