// Protocol-buffers wire format: the few primitives needed to read and write ONNX files without a schema compiler.
// Reading never copies `bytes` fields (they are views into the file buffer), so huge initializers cost nothing.

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class WireError extends Error {}

/** One field as read from the wire: number, wire type and either a numeric value or a byte view. */
export interface WireField {
  field: number;
  wire: number;
  /** varint / fixed values (as a JS number; exact up to 2^53). */
  num: number;
  /** LEN payload (a view, not a copy). */
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Iterates over the fields of one message; throws WireError on a truncated or malformed buffer. */
export function* readFields(buf: Uint8Array): Generator<WireField> {
  let pos = 0;
  const end = buf.length;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new WireError('message ends inside a varint');
      const b = buf[pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new WireError('varint longer than 10 bytes');
  };
  while (pos < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) throw new WireError('field number 0');
    switch (wire) {
      case WIRE_VARINT:
        yield { field, wire, num: varint(), bytes: EMPTY };
        break;
      case WIRE_I64: {
        if (pos + 8 > end) throw new WireError('message ends inside a fixed64');
        const dv = new DataView(buf.buffer, buf.byteOffset + pos, 8);
        pos += 8;
        yield { field, wire, num: dv.getFloat64(0, true), bytes: buf.subarray(pos - 8, pos) };
        break;
      }
      case WIRE_LEN: {
        const len = varint();
        if (pos + len > end) throw new WireError(`field ${field} claims ${len} bytes but only ${end - pos} remain`);
        yield { field, wire, num: len, bytes: buf.subarray(pos, pos + len) };
        pos += len;
        break;
      }
      case WIRE_I32: {
        if (pos + 4 > end) throw new WireError('message ends inside a fixed32');
        const dv = new DataView(buf.buffer, buf.byteOffset + pos, 4);
        pos += 4;
        yield { field, wire, num: dv.getFloat32(0, true), bytes: buf.subarray(pos - 4, pos) };
        break;
      }
      default:
        throw new WireError(`unknown wire type ${wire} (field ${field})`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export const decodeString = (b: Uint8Array): string => utf8.decode(b);

/** Signed int64 from a varint value (two's complement above 2^63). */
export function toSigned(n: number): number {
  return n >= 2 ** 63 ? n - 2 ** 64 : n;
}

/** Packed repeated varints (or a single unpacked one). */
export function readPackedVarints(f: WireField): number[] {
  if (f.wire === WIRE_VARINT) return [toSigned(f.num)];
  const out: number[] = [];
  for (const g of readFields(prefixVarintStream(f.bytes))) out.push(toSigned(g.num));
  return out;
}

// A packed varint payload has no keys; wrap each value with a fake key (field 1, varint) so readFields can parse it.
function prefixVarintStream(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    out.push(0x08);
    do {
      out.push(b[i]);
    } while (b[i++] & 0x80 && i < b.length);
  }
  return Uint8Array.from(out);
}

/** Minimal protobuf writer: messages are built bottom-up as byte arrays. */
export class WireWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  private static varintBytes(n: number): Uint8Array {
    if (n < 0) n += 2 ** 64; // int64 two's complement
    const out: number[] = [];
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      out.push(b);
    } while (n > 0);
    return Uint8Array.from(out);
  }

  varint(field: number, value: number): this {
    this.push(WireWriter.varintBytes(field * 8 + WIRE_VARINT));
    return this.push(WireWriter.varintBytes(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.push(WireWriter.varintBytes(field * 8 + WIRE_LEN));
    this.push(WireWriter.varintBytes(value.length));
    return this.push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, w: WireWriter): this {
    return this.bytes(field, w.finish());
  }

  float32(field: number, value: number): this {
    this.push(WireWriter.varintBytes(field * 8 + WIRE_I32));
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.push(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}
