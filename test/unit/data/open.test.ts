// openDataset: format detection by content, and the "not a dataset I can read" messages.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { openDataset } from '../../../src/engine/data/dataset';
import { UserError } from '../../../src/engine/errors';
import { idxBytes, npyBytes, pixelBytes, pixelPng, safetensorsBytes, tempDir, zipBytes } from './fixtures';

describe('data/open', () => {
  let dir: string, cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const put = (name: string, buf: Buffer | string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, buf);
    return p;
  };

  it('detects formats by content, whatever the file is called', async () => {
    const cases: [string, Buffer, string][] = [
      ['a.data', idxBytes(8, [2, 3, 3], Buffer.alloc(18)), 'idx'],
      ['b.data', zlib.gzipSync(idxBytes(8, [2, 3, 3], Buffer.alloc(18))), 'idx'],
      ['c.data', npyBytes('|u1', [2, 3, 3], Buffer.alloc(18)), 'npy'],
      ['d.data', zipBytes([{ name: 'x.npy', data: npyBytes('|u1', [2, 3, 3], Buffer.alloc(18)) }]), 'npz'],
      ['e.data', zipBytes([{ name: 'a.png', data: pixelPng(0, 1, 3, 3) }, { name: 'b.png', data: pixelPng(1, 1, 3, 3) }]),
        'images-zip'],
      ['f.data', safetensorsBytes([{ name: 'x', dtype: 'U8', shape: [2, 3, 3], data: pixelBytes(2, 1, 3, 3) }]), 'safetensors'],
    ];
    for (const [name, buf, format] of cases) {
      const ds = await openDataset(put(name, buf));
      try {
        assert.equal(ds.info.format, format, name);
        assert.equal(ds.info.count, 2, name);
      } finally { await ds.close(); }
    }
  });

  it('explains what it expected and what it got', async () => {
    const expectList = /is not a dataset I can read: expected MNIST\/Fashion-MNIST IDX .*\.npy or \.npz, \.safetensors/;
    await assert.rejects(openDataset(put('notes.txt', 'hello, world\n')), (e: Error) => {
      assert.ok(e instanceof UserError, 'a user error, shown without a stack');
      assert.match(e.message, expectList);
      assert.match(e.message, /got a text file \(\.txt, 13 bytes\) starting "hello, world\\n"/);
      return true;
    });
    await assert.rejects(openDataset(put('one.png', pixelPng(0, 1, 2, 2))), /a single PNG image; open the folder or zip/);
    await assert.rejects(openDataset(put('w.pkl', Buffer.from([0x80, 4, 0x95, 0, 0]))), /a Python pickle/);
    await assert.rejects(openDataset(put('z.zip', zipBytes([{ name: 'readme.md', data: Buffer.from('hi') }]))),
      /a zip holding readme\.md, but no \.npy arrays or PNG\/JPEG images/);
    await assert.rejects(openDataset(put('g.gz', zlib.gzipSync(Buffer.from('plain text')))), /got a gzip file holding/);
    await assert.rejects(openDataset(path.join(dir, 'missing.npy')), /missing\.npy does not exist/);
    fs.mkdirSync(path.join(dir, 'empty'));
    await assert.rejects(openDataset(path.join(dir, 'empty')), /got an empty folder/);
  });

  it('a folder with IDX files wins over stray images next to them', async () => {
    put('mnist/train-images-idx3-ubyte.gz', zlib.gzipSync(idxBytes(8, [4, 2, 2], Buffer.alloc(16))));
    put('mnist/preview.png', pixelPng(0, 1, 2, 2));
    const ds = await openDataset(path.join(dir, 'mnist'));
    try { assert.equal(ds.info.format, 'idx'); } finally { await ds.close(); }
  });
});
