// Every reader: batches cover all N exactly once for awkward batch sizes and agree with read(indices).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Dataset, openDataset } from '../../../src/engine/data/dataset';
import { pixelBatches } from '../../../src/engine/data/pixels';
import {
  cifarBytes, idxBytes, int64Bytes, npyBytes, pixelBytes, pixelPng, safetensorsBytes, tempDir, zipBytes,
} from './fixtures';

const N = 11;
const labelsOf = (n: number) => Array.from({ length: n }, (_, i) => (i * 5) % 10);

/** Writes one small dataset per format, each holding items 0…N−1 of pixel(). */
function writeAll(dir: string): Record<string, string> {
  const p = (name: string) => path.join(dir, name);
  const npy = npyBytes('|u1', [N, 6, 5, 3], pixelBytes(N, 3, 6, 5, 'NHWC'));
  const y = npyBytes('<i8', [N], int64Bytes(labelsOf(N)));
  fs.mkdirSync(p('idx'));
  fs.writeFileSync(p('idx/train-images-idx3-ubyte.gz'), zlib.gzipSync(idxBytes(8, [N, 6, 5], pixelBytes(N, 1, 6, 5))));
  fs.writeFileSync(p('idx/train-labels-idx1-ubyte'), idxBytes(8, [N], Buffer.from(labelsOf(N))));
  fs.writeFileSync(p('x.npy'), npy);
  fs.writeFileSync(p('stored.npz'), zipBytes([{ name: 'x.npy', data: npy }, { name: 'y.npy', data: y }]));
  fs.writeFileSync(p('deflated.npz'), zipBytes([{ name: 'x.npy', data: npy, deflate: true }, { name: 'y.npy', data: y, deflate: true }]));
  fs.writeFileSync(p('d.safetensors'), safetensorsBytes([
    { name: 'images', dtype: 'U8', shape: [N, 3, 6, 5], data: pixelBytes(N, 3, 6, 5) },
    { name: 'labels', dtype: 'I64', shape: [N], data: int64Bytes(labelsOf(N)) },
  ]));
  fs.mkdirSync(p('cifar'));
  fs.writeFileSync(p('cifar/data_batch_1.bin'), cifarBytes(0, 4));
  fs.writeFileSync(p('cifar/data_batch_2.bin'), cifarBytes(4, N - 4));
  fs.mkdirSync(p('pngs'));
  for (let i = 0; i < N; i++) fs.writeFileSync(p(`pngs/${String(i).padStart(3, '0')}.png`), pixelPng(i, 3, 6, 5));
  fs.writeFileSync(p('pngs.zip'), zipBytes(Array.from({ length: N }, (_, i) => ({
    name: `img${String(i).padStart(3, '0')}.png`, data: pixelPng(i, 3, 6, 5), deflate: i % 2 === 0,
  }))));
  return {
    idx: p('idx'), npy: p('x.npy'), 'npz stored': p('stored.npz'), 'npz deflated': p('deflated.npz'),
    safetensors: p('d.safetensors'), cifar10: p('cifar'), 'png folder': p('pngs'), 'png zip': p('pngs.zip'),
  };
}

async function checkCoverage(ds: Dataset, batchSize: number): Promise<void> {
  const { count } = ds.info;
  const item = ds.info.channels * ds.info.height * ds.info.width;
  const seen = new Array(count).fill(0);
  let next = 0;
  for await (const b of ds.batches(batchSize)) {
    assert.equal(b.start, next, 'batches are contiguous');
    assert.equal(b.count, Math.min(batchSize, count - b.start));
    assert.equal(b.data.length, b.count * item);
    for (let k = 0; k < b.count; k++) seen[b.start + k]++;
    const indices = Array.from({ length: b.count }, (_, k) => b.start + k).reverse();
    const r = await ds.read(indices);
    for (let k = 0; k < b.count; k++) {
      const j = b.count - 1 - k;
      assert.deepEqual(r.data.subarray(k * item, (k + 1) * item), b.data.subarray(j * item, (j + 1) * item));
      if (b.labels) assert.equal(r.labels![k], b.labels[j]);
    }
    next += b.count;
  }
  assert.deepEqual(seen, new Array(count).fill(1), `batch size ${batchSize}: every item exactly once`);
}

describe('data/batching (all formats)', () => {
  let dir: string, cleanup: () => void, files: Record<string, string>;
  before(() => {
    ({ dir, cleanup } = tempDir());
    files = writeAll(dir);
  });
  after(() => cleanup());

  for (const name of ['idx', 'npy', 'npz stored', 'npz deflated', 'safetensors', 'cifar10', 'png folder', 'png zip']) {
    it(`${name}: batch sizes 1, 3, 4, N, N+5 cover all N once and match read()`, async () => {
      const ds = await openDataset(files[name]);
      try {
        assert.equal(ds.info.count, N);
        for (const bs of [1, 3, 4, N, N + 5]) await checkCoverage(ds, bs);
        const labels = await ds.labels();
        if (labels) {
          const all = await ds.read(Array.from({ length: N }, (_, i) => i));
          assert.deepEqual(all.labels, labels);
        }
      } finally { await ds.close(); }
    });
  }

  for (const name of ['idx', 'npy', 'npz deflated', 'safetensors', 'cifar10', 'png zip']) {
    it(`${name}: pixelBatches give the stored uint8 pixels of batches() (raw scale), labels included, for batch sizes 1, 4, N+5`, async () => {
      const ds = await openDataset(files[name]);
      const raw = await openDataset(files[name], { scale: 'raw' });
      try {
        const want: number[] = [];
        const wantLabels: number[] = [];
        for await (const b of raw.batches(3)) { want.push(...b.data); if (b.labels) wantLabels.push(...b.labels); }
        for (const bs of [1, 4, N + 5]) {
          const got: number[] = [];
          const gotLabels: number[] = [];
          for await (const b of pixelBatches(ds, bs)) {
            assert.equal(b.start, got.length / (want.length / N));
            got.push(...b.data); // copied before the next batch may reuse the buffer
            if (b.labels) gotLabels.push(...b.labels);
          }
          assert.deepEqual(got, want, `batch size ${bs}`);
          assert.deepEqual(gotLabels, wantLabels);
        }
      } finally { await ds.close(); await raw.close(); }
    });
  }

  it('same images whatever the container: npy, npz, safetensors, PNG folder and zip agree', async () => {
    const reads = [];
    for (const name of ['npy', 'npz stored', 'npz deflated', 'safetensors', 'png folder', 'png zip']) {
      const ds = await openDataset(files[name]);
      try { reads.push((await ds.read([0, 10, 5])).data); } finally { await ds.close(); }
    }
    for (const r of reads.slice(1)) assert.deepEqual(r, reads[0]);
  });

  it('stops on an aborted signal, rejects bad batch sizes and out-of-range indices', async () => {
    const ds = await openDataset(files.npy);
    try {
      const ac = new AbortController();
      let got = 0;
      await assert.rejects(async () => {
        for await (const b of ds.batches(2, ac.signal)) { got += b.count; ac.abort(); }
      }, { name: 'CancelledError' });
      assert.ok(got < N);
      await assert.rejects(async () => { for await (const b of ds.batches(0)) void b; }, /batch size must be a whole number/);
      await assert.rejects(ds.read([N]), new RegExp(`index ${N} is out of range; the dataset has ${N} items`));
    } finally { await ds.close(); }
  });
});
