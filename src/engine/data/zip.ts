// Minimal zip reader (stored and deflated entries, zip64): central directory, entry sources and entry reads.
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { ByteSource, FileSource, InflatedSource, readAt } from './bytesource';
import { UserError } from '../errors';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const SIG_EOCD = 0x06054b50, SIG_EOCD64 = 0x06064b50, SIG_LOC64 = 0x07064b50, SIG_CEN = 0x02014b50, SIG_LOC = 0x04034b50;

function u64(buf: Buffer, at: number): number {
  return Number(buf.readBigUInt64LE(at));
}

/** True when the bytes start like a zip file (a local header, or an empty archive). */
export function looksLikeZip(head: Buffer): boolean {
  return head.length >= 4 && (head.readUInt32LE(0) === SIG_LOC || head.readUInt32LE(0) === SIG_EOCD);
}

export class ZipFile {
  private readonly dataStarts = new Map<ZipEntry, number>();

  private constructor(readonly path: string, private readonly fh: FileHandle, readonly size: number,
    readonly entries: ZipEntry[]) {}

  static async open(path: string): Promise<ZipFile> {
    const fh = await fs.promises.open(path, 'r');
    try {
      const { size } = await fh.stat();
      const entries = await readCentralDirectory(fh, size, path);
      return new ZipFile(path, fh, size, entries);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Offset of an entry's data, from its local header (which may carry a different extra field). */
  async dataStart(entry: ZipEntry): Promise<number> {
    const known = this.dataStarts.get(entry);
    if (known !== undefined) return known;
    const head = await readAt(this.fh, entry.localOffset, 30);
    if (head.length < 30 || head.readUInt32LE(0) !== SIG_LOC) {
      throw new UserError(`${this.path}: the local header of ${entry.name} is missing at byte ${entry.localOffset}; the zip is damaged`);
    }
    const start = entry.localOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
    this.dataStarts.set(entry, start);
    return start;
  }

  private checkMethod(entry: ZipEntry): void {
    if (entry.method !== 0 && entry.method !== 8) {
      throw new UserError(`${this.path}: ${entry.name} uses zip compression method ${entry.method}; ` +
        'only stored (0) and deflated (8) entries can be read — re-zip it with plain deflate');
    }
  }

  /** A source over an entry's uncompressed bytes (positional reads when stored, streamed inflate when deflated). */
  async source(entry: ZipEntry): Promise<ByteSource> {
    this.checkMethod(entry);
    const start = await this.dataStart(entry);
    if (start + entry.compressedSize > this.size) {
      throw new UserError(`${this.path} ends at byte ${this.size} but its directory puts ${entry.name} at bytes ` +
        `${start}…${start + entry.compressedSize}; the zip is truncated`);
    }
    return entry.method === 0
      ? new FileSource(this.fh, start, entry.size, false)
      : new InflatedSource(this.path, 'deflate-raw', start, entry.compressedSize, entry.size);
  }

  /** The whole entry, uncompressed (for small entries such as images and dataset.json). */
  async read(entry: ZipEntry): Promise<Buffer> {
    this.checkMethod(entry);
    const start = await this.dataStart(entry);
    const raw = await readAt(this.fh, start, entry.compressedSize);
    if (raw.length < entry.compressedSize) throw new UserError(`${this.path}: ${entry.name} is cut short; the zip is truncated`);
    return entry.method === 0 ? raw : zlib.inflateRawSync(raw);
  }

  /** Up to the first n uncompressed bytes of an entry, inflating only what that needs. */
  async head(entry: ZipEntry, n: number): Promise<Buffer> {
    this.checkMethod(entry);
    const start = await this.dataStart(entry);
    const take = Math.min(entry.compressedSize, entry.method === 0 ? n : n + 1024);
    const raw = await readAt(this.fh, start, take);
    if (entry.method === 0) return raw;
    const out = zlib.inflateRawSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return out.subarray(0, n);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

async function readCentralDirectory(fh: FileHandle, size: number, path: string): Promise<ZipEntry[]> {
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) { eocd = i; break; }
  }
  if (eocd < 0) {
    throw new UserError(`${path} is not a readable zip: no end-of-central-directory record ` +
      '(the file is truncated or not a zip)');
  }
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== SIG_LOC64) throw new UserError(`${path}: zip64 locator missing; the zip is damaged`);
    const rec = await readAt(fh, u64(tail, loc + 8), 56);
    if (rec.length < 56 || rec.readUInt32LE(0) !== SIG_EOCD64) throw new UserError(`${path}: zip64 directory record missing`);
    count = u64(rec, 32); cdSize = u64(rec, 40); cdOffset = u64(rec, 48);
  }
  if (cdOffset + cdSize > size) {
    throw new UserError(`${path} ends at byte ${size} but its central directory should reach byte ${cdOffset + cdSize}; ` +
      'the zip is truncated');
  }
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CEN) throw new UserError(`${path}: central directory entry ${k} is damaged`);
    const nameLen = cd.readUInt16LE(p + 28), extraLen = cd.readUInt16LE(p + 30), commentLen = cd.readUInt16LE(p + 32);
    const flags = cd.readUInt16LE(p + 8);
    const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    const e: ZipEntry = {
      name, method: cd.readUInt16LE(p + 10), compressedSize: cd.readUInt32LE(p + 20), size: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
    };
    applyZip64Extra(e, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Zip64 extra field (id 1): 8-byte values for whichever 32-bit fields are 0xFFFFFFFF, in a fixed order. */
function applyZip64Extra(e: ZipEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length;) {
    const id = extra.readUInt16LE(q), len = extra.readUInt16LE(q + 2);
    if (id === 1) {
      let r = q + 4;
      if (e.size === 0xffffffff) { e.size = u64(extra, r); r += 8; }
      if (e.compressedSize === 0xffffffff) { e.compressedSize = u64(extra, r); r += 8; }
      if (e.localOffset === 0xffffffff) { e.localOffset = u64(extra, r); }
      return;
    }
    q += 4 + len;
  }
}
