// Writes NumPy .npy/.npz files (little-endian, C order; npz = stored zip) so numpy.load reads our results directly.
import * as zlib from 'node:zlib';

export type NpyArray = { data: Float64Array | Float32Array | Int32Array | Uint8Array; shape: number[] };

const DESCR = new Map<Function, string>([
  [Float64Array, '<f8'],
  [Float32Array, '<f4'],
  [Int32Array, '<i4'],
  [Uint8Array, '|u1'],
]);

/** One .npy file (format 1.0, header padded to 64 bytes as numpy does). */
export function encodeNpy(a: NpyArray): Buffer {
  const descr = DESCR.get(a.data.constructor);
  if (!descr) throw new Error('encodeNpy: unsupported array type');
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (count !== a.data.length) throw new Error(`encodeNpy: shape ${a.shape} does not match ${a.data.length} values`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)]);
}

/** A .npz archive (uncompressed zip, like numpy.savez) of named arrays; up to 4 GiB in all (no ZIP64). */
export function encodeNpz(arrays: Record<string, NpyArray>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, arr] of Object.entries(arrays)) {
    const body = encodeNpy(arr);
    const fname = Buffer.from(`${name}.npy`, 'utf8');
    const crc = zlib.crc32(body);
    if (offset + body.length >= 0xffffffff) throw new Error('encodeNpz: archives over 4 GiB are not supported');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(fname.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(fname.length, 28);
    central.writeUInt16LE(0, 30);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fname, body);
    centrals.push(central, fname);
    offset += local.length + fname.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(arrays).length, 8);
  end.writeUInt16LE(Object.keys(arrays).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
