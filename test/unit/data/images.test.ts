// Image folders and zips: PNG gray/RGB/RGBA/palette/16-bit, JPEG, EDM dataset.json labels, shape-mismatch errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { openDataset } from '../../../src/engine/data/dataset';
import { expectedItem, pixelPng, pngBytes, tempDir, toMinus1to1, zipBytes } from './fixtures';

const edmName = (i: number) => `${String(Math.floor(i / 1000)).padStart(5, '0')}/img${String(i).padStart(8, '0')}.png`;

describe('data/images', () => {
  let dir: string, cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const put = (rel: string, buf: Buffer | string) => {
    const p = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, buf);
    return p;
  };

  it('a folder of grayscale PNGs, in sorted name order, stays one channel', async () => {
    // written out of order: b, a, c → read as a(1), b(0), c(2)
    put('b.png', pixelPng(0, 1, 5, 7)); put('a.png', pixelPng(1, 1, 5, 7)); put('sub/c.png', pixelPng(2, 1, 5, 7));
    put('notes.txt', 'not an image');
    const ds = await openDataset(dir);
    try {
      assert.equal(ds.info.format, 'images-folder');
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [3, 1, 5, 7]);
      assert.equal(ds.info.hasLabels, false);
      assert.deepEqual(ds.info.identity.files.map((f) => path.relative(dir, f.path)), ['a.png', 'b.png', path.join('sub', 'c.png')]);
      const b = await ds.read([0, 1, 2]);
      assert.deepEqual(b.data.subarray(0, 35), expectedItem(1, 1, 5, 7, toMinus1to1));
      assert.deepEqual(b.data.subarray(35, 70), expectedItem(0, 1, 5, 7, toMinus1to1));
      assert.deepEqual(b.data.subarray(70), expectedItem(2, 1, 5, 7, toMinus1to1));
    } finally { await ds.close(); }
  });

  for (const deflate of [false, true]) {
    it(`an EDM dataset_tool zip (${deflate ? 'deflated' : 'stored'}) with dataset.json labels`, async () => {
      const n = 5;
      const entries = Array.from({ length: n }, (_, i) => ({ name: edmName(i), data: pixelPng(i, 3, 4, 4), deflate }));
      const json = { labels: Array.from({ length: n }, (_, i) => [edmName(i), (i * 7) % 10]) };
      const file = put('cifar10-4x4.zip', zipBytes([...entries.reverse(), { name: 'dataset.json', data: Buffer.from(JSON.stringify(json)) }]));
      const ds = await openDataset(file, { scale: 'zero1' });
      try {
        assert.equal(ds.info.format, 'images-zip');
        assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [n, 3, 4, 4]);
        assert.equal(ds.info.hasLabels, true);
        assert.deepEqual(Array.from((await ds.labels())!), [0, 7, 4, 1, 8]);
        assert.deepEqual(ds.info.identity.files.map((f) => f.path), [file]);
        let seen = 0;
        for await (const b of ds.batches(2)) {
          for (let k = 0; k < b.count; k++) {
            assert.deepEqual(b.data.subarray(k * 48, (k + 1) * 48), expectedItem(b.start + k, 3, 4, 4, (v) => v / 255));
            assert.equal(b.labels![k], ((b.start + k) * 7) % 10);
          }
          seen += b.count;
        }
        assert.equal(seen, n);
      } finally { await ds.close(); }
    });
  }

  it('dataset.json with null labels means no labels; a missing entry is an error', async () => {
    put('00000/img00000000.png', pixelPng(0, 1, 2, 2)); put('00000/img00000001.png', pixelPng(1, 1, 2, 2));
    put('dataset.json', JSON.stringify({ labels: null }));
    const ds = await openDataset(dir);
    try { assert.equal(ds.info.hasLabels, false); } finally { await ds.close(); }
    put('dataset.json', JSON.stringify({ labels: [['00000/img00000000.png', 1]] }));
    await assert.rejects(openDataset(dir), /dataset\.json has no label for 00000\/img00000001\.png/);
  });

  it('images of different sizes or channels: the error names the first offenders and the expected shape', async () => {
    put('a.png', pixelPng(0, 3, 8, 8)); put('b.png', pixelPng(1, 3, 8, 8));
    put('c.png', pixelPng(2, 3, 16, 8)); put('d.png', pixelPng(3, 1, 8, 8));
    await assert.rejects(openDataset(dir), (e: Error) => {
      assert.match(e.message, /images differ in size or channels/);
      assert.match(e.message, /Expected 3×8×8 \(C×H×W, like a\.png\)/);
      assert.match(e.message, /c\.png is 3×16×8, d\.png is 8×8/);
      assert.match(e.message, /2 of 4 images differ/);
      return true;
    });
  });

  it('RGBA drops alpha (noted); palette PNGs expand to RGB; 16-bit gray is reduced to 8 bits', async () => {
    const rgba = pngBytes(2, 1, 6, [10, 20, 30, 0, 40, 50, 60, 255]);
    const pal = pngBytes(2, 1, 3, [1, 0], { palette: [[1, 2, 3], [200, 100, 50]] });
    put('rgba/x.png', rgba); put('pal/x.png', pal);
    const a = await openDataset(path.join(dir, 'rgba'), { scale: 'raw' });
    try {
      assert.equal(a.info.channels, 3);
      assert.match(a.info.notes!.join(), /alpha channel dropped/);
      assert.deepEqual(Array.from((await a.read([0])).data), [10, 40, 20, 50, 30, 60]);
    } finally { await a.close(); }
    const p = await openDataset(path.join(dir, 'pal'), { scale: 'raw' });
    try {
      assert.equal(p.info.channels, 3);
      assert.deepEqual(Array.from((await p.read([0])).data), [200, 1, 100, 2, 50, 3]);
    } finally { await p.close(); }
    put('g16/x.png', pngBytes(2, 1, 0, [0, 65535], { bitDepth: 16 }));
    const g = await openDataset(path.join(dir, 'g16'));
    try {
      assert.equal(g.info.channels, 1);
      assert.deepEqual(Array.from((await g.read([0])).data), [-1, 1]);
    } finally { await g.close(); }
  });

  it('JPEG folders decode (flat colours survive compression closely)', async () => {
    const colours = [[200, 30, 90], [20, 220, 120]];
    colours.forEach(([r, g, b], i) => {
      const data = Buffer.alloc(16 * 16 * 4);
      for (let p = 0; p < 256; p++) data.set([r, g, b, 255], p * 4);
      put(`img${i}.jpg`, jpeg.encode({ data, width: 16, height: 16 }, 95).data);
    });
    const ds = await openDataset(dir, { scale: 'raw' });
    try {
      assert.deepEqual([ds.info.count, ds.info.channels, ds.info.height, ds.info.width], [2, 3, 16, 16]);
      const b = await ds.read([1]);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(b.data[c * 256 + 37] - colours[1][c]) <= 3, `channel ${c}`);
    } finally { await ds.close(); }
  });

  it('a layout option is refused for images, and a corrupt PNG is named', async () => {
    put('a.png', pixelPng(0, 1, 2, 2));
    await assert.rejects(openDataset(dir, { layout: 'NHWC' }), /layout option applies to array files/);
    put('b.png', Buffer.from('not really a png, just text pretending'));
    await assert.rejects(openDataset(dir), /b\.png is not a PNG or JPEG I can read/);
  });
});
