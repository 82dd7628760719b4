// Byte sources for readers: a plain file range (positional reads) or a gzip/deflate-compressed range (streamed).
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { UserError, throwIfCancelled } from '../errors';

/** Thrown when a source ends before the bytes asked for; `available` is where it really ends. */
export class ShortReadError extends Error {
  constructor(readonly available: number, readonly wanted: number) {
    super(`data ends at byte ${available}, needed ${wanted}`);
  }
}

export interface ByteSource {
  /** Uncompressed size when known without decompressing everything. */
  readonly size: number | undefined;
  /** Random access to [offset, offset+length). */
  read(offset: number, length: number): Promise<Buffer>;
  /** Sequential chunks that together cover [offset, offset+length) exactly, in order. */
  stream(offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

const CHUNK = 4 << 20;

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** A byte range [start, start+size) of a file, read with positional reads. */
export class FileSource implements ByteSource {
  private closed = false;
  constructor(private readonly fh: FileHandle, private readonly start: number, readonly size: number,
    private readonly ownsHandle: boolean) {}

  static async open(path: string): Promise<FileSource> {
    const fh = await fs.promises.open(path, 'r');
    const { size } = await fh.stat();
    return new FileSource(fh, 0, size, true);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const want = Math.min(length, Math.max(0, this.size - offset));
    const buf = await readAt(this.fh, this.start + offset, want);
    if (buf.length < length) throw new ShortReadError(offset + buf.length, offset + length);
    return buf;
  }

  async *stream(offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const end = offset + length;
    let pos = offset;
    let next = pos < end ? this.read(pos, Math.min(CHUNK, end - pos)) : undefined;
    while (next) {
      const chunk = await next;
      pos += chunk.length;
      next = pos < end ? this.read(pos, Math.min(CHUNK, end - pos)) : undefined;
      next?.catch(() => undefined); // surfaced when awaited; avoids an unhandled rejection if we stop early
      throwIfCancelled(signal);
      yield chunk;
    }
  }

  async close(): Promise<void> {
    if (this.ownsHandle && !this.closed) {
      this.closed = true;
      await this.fh.close();
    }
  }
}

/**
 * A gzip file, or a raw-deflate range of a file (a zip entry). Sequential reads stream through zlib; random
 * reads decompress everything once into a single Buffer, which later sequential reads reuse.
 */
export class InflatedSource implements ByteSource {
  private full: Buffer | undefined;
  private pending: Promise<Buffer> | undefined;

  constructor(private readonly path: string, private readonly kind: 'gzip' | 'deflate-raw',
    private readonly start: number, private readonly compressedLength: number, public size: number | undefined) {}

  async read(offset: number, length: number): Promise<Buffer> {
    const full = this.full ?? (this.full = await (this.pending ??= this.inflateAll()));
    if (offset + length > full.length) throw new ShortReadError(full.length, offset + length);
    return full.subarray(offset, offset + length);
  }

  async *stream(offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
    if (this.full) {
      if (offset + length > this.full.length) throw new ShortReadError(this.full.length, offset + length);
      for (let p = offset; p < offset + length; p += CHUNK) {
        throwIfCancelled(signal);
        yield this.full.subarray(p, Math.min(p + CHUNK, offset + length));
      }
      return;
    }
    const end = offset + length;
    let pos = 0;
    try {
      for await (const chunk of this.inflate(signal, end)) {
        const from = Math.max(offset - pos, 0);
        const to = Math.min(end - pos, chunk.length);
        pos += chunk.length;
        if (to > from) yield chunk.subarray(from, to);
        if (pos >= end) return;
      }
    } catch (e) {
      throw e instanceof ShortReadError ? new ShortReadError(e.available, end) : e;
    }
    if (pos < end) throw new ShortReadError(pos, end);
  }

  private async inflateAll(): Promise<Buffer> {
    if (this.size !== undefined) {
      const buf = Buffer.allocUnsafe(this.size);
      let pos = 0;
      for await (const chunk of this.stream(0, this.size)) { chunk.copy(buf, pos); pos += chunk.length; }
      return buf;
    }
    const parts: Buffer[] = [];
    for await (const chunk of this.inflate()) parts.push(chunk);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /**
   * All decompressed chunks; a truncated stream ends with ShortReadError at the last good byte. Chunks grow with the
   * bytes wanted, up to 1 MiB: one zlib job then inflates in the thread pool while the consumer works on the previous
   * chunk (zlib's default 16 KiB made inflating 2.4× slower; 8 MiB was no faster and held ~30 MiB more).
   */
  private async *inflate(signal?: AbortSignal, wanted = Infinity): AsyncGenerator<Buffer> {
    const chunkSize = Math.min(Math.max(wanted, 64 << 10), 1 << 20);
    const raw = fs.createReadStream(this.path, {
      start: this.start, end: this.start + this.compressedLength - 1, highWaterMark: chunkSize / 2,
    });
    const options = { chunkSize, readableHighWaterMark: chunkSize } as zlib.ZlibOptions;
    const z = this.kind === 'gzip' ? zlib.createGunzip(options) : zlib.createInflateRaw(options);
    raw.on('error', (e) => z.destroy(e));
    raw.pipe(z);
    let produced = 0;
    try {
      for await (const chunk of z as AsyncIterable<Buffer>) {
        throwIfCancelled(signal);
        produced += chunk.length;
        yield chunk;
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'Z_BUF_ERROR') throw new ShortReadError(produced, Infinity);
      if (code === 'Z_DATA_ERROR') {
        throw new UserError(`${this.path}: the compressed data is corrupt after ${produced} decompressed bytes ` +
          `(${(e as Error).message})`);
      }
      throw e;
    } finally {
      raw.destroy();
      z.destroy();
    }
  }

  async close(): Promise<void> {
    this.full = undefined;
    this.pending = undefined;
  }
}

/** The first `n` bytes of a source (fewer when it is shorter), without decompressing the rest. */
export async function readHead(source: ByteSource, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of source.stream(0, Math.min(n, source.size ?? n))) parts.push(Buffer.from(chunk));
  } catch (e) {
    if (!(e instanceof ShortReadError)) throw e;
  }
  return Buffer.concat(parts);
}

/** Opens a file as a plain or gzip source, judged by its magic bytes. */
export async function openMaybeGzip(path: string, expectedSize?: number): Promise<{ source: ByteSource; gzip: boolean }> {
  const file = await FileSource.open(path);
  const magic = await file.read(0, Math.min(2, file.size));
  if (magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    await file.close();
    return { source: new InflatedSource(path, 'gzip', 0, file.size, expectedSize), gzip: true };
  }
  return { source: file, gzip: false };
}
