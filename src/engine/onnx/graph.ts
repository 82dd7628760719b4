// Builder for small in-memory ONNX graphs (ModelProto bytes: ir_version 8, opset 17) on top of WireWriter.
import { WireWriter } from './wire';

/** Element types the builder can declare (ONNX TensorProto.DataType codes). */
export type ElemType = 'float32' | 'float64' | 'int64' | 'uint8' | 'int8' | 'int32';
/** A tensor dimension: a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;
/** Attribute values: integers → INT, {f} → FLOAT, integer arrays → INTS. */
export type AttrValue = number | { f: number } | number[];

const ELEM_CODE: Record<ElemType, number> = { float32: 1, float64: 11, int64: 7, uint8: 2, int8: 3, int32: 6 };

// Signed int64 varint (two's complement), which WireWriter cannot encode for negative values.
function varintBytes(n: number): number[] {
  let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

// One varint field (key + value) as raw bytes.
function varintField(field: number, value: number): number[] {
  return [...varintBytes(field * 8), ...varintBytes(value)];
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function valueInfo(name: string, type: ElemType, shape: Dim[]): WireWriter {
  const shapeW = new WireWriter();
  for (const d of shape) {
    const dim = new WireWriter();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shapeW.message(1, dim);
  }
  const tensorType = new WireWriter().varint(1, ELEM_CODE[type]).message(2, shapeW);
  const typeProto = new WireWriter().message(1, tensorType);
  return new WireWriter().string(1, name).message(2, typeProto);
}

function attribute(name: string, value: AttrValue): Uint8Array {
  const head = new WireWriter().string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use {f: x} for a float`);
    return concat([head.varint(20, 2).finish(), varintField(3, value)]);
  }
  if (Array.isArray(value)) {
    const ints = value.flatMap((v) => varintField(8, v));
    return concat([head.varint(20, 7).finish(), ints]);
  }
  return head.float32(2, value.f).varint(20, 1).finish();
}

function tensorBytes(data: Float32Array | Float64Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

interface NodeRec {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
}

/** Collects nodes, inputs, outputs and initializers, then serialises them as an ONNX ModelProto. */
export class GraphBuilder {
  private inputs: WireWriter[] = [];
  private outputs: WireWriter[] = [];
  private inits: Uint8Array[] = [];
  private nodes: NodeRec[] = [];

  constructor(private readonly name = 'graph') {}

  /** Declares a graph input; string dims are dynamic (dim_param). */
  input(name: string, type: ElemType, shape: Dim[]): this {
    this.inputs.push(valueInfo(name, type, shape));
    return this;
  }

  /** Declares a graph output. */
  output(name: string, type: ElemType, shape: Dim[]): this {
    this.outputs.push(valueInfo(name, type, shape));
    return this;
  }

  /** Adds a constant tensor (raw little-endian data). Plain number arrays are stored as `type`. */
  initializer(name: string, type: ElemType, dims: number[], data: Float32Array | Float64Array | BigInt64Array | number[]): this {
    let typed: Float32Array | Float64Array | BigInt64Array;
    if (Array.isArray(data)) {
      typed =
        type === 'float32' ? Float32Array.from(data) : type === 'float64' ? Float64Array.from(data) : BigInt64Array.from(data.map((v) => BigInt(v)));
    } else typed = data;
    const count = dims.reduce((a, b) => a * b, 1);
    if (typed.length !== count) throw new Error(`initializer ${name}: ${typed.length} values for dims [${dims}]`);
    const w = new WireWriter();
    for (const d of dims) w.varint(1, d);
    w.varint(2, ELEM_CODE[type]).string(8, name).bytes(9, tensorBytes(typed));
    this.inits.push(w.finish());
    return this;
  }

  /** Adds one operator node (default domain). */
  node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): this {
    this.nodes.push({ op, inputs, outputs, attrs, name: name ?? `${op}_${this.nodes.length}` });
    return this;
  }

  /** Serialises the model: ModelProto{ir_version, opset_import{'' , opset}, graph}. */
  toBytes(opts: { irVersion?: number; opset?: number } = {}): Uint8Array {
    const g = new WireWriter();
    for (const n of this.nodes) {
      const nw = new WireWriter();
      for (const i of n.inputs) nw.string(1, i);
      for (const o of n.outputs) nw.string(2, o);
      nw.string(3, n.name).string(4, n.op);
      for (const [k, v] of Object.entries(n.attrs)) nw.bytes(5, attribute(k, v));
      g.message(1, nw);
    }
    g.string(2, this.name);
    for (const t of this.inits) g.bytes(5, t);
    for (const i of this.inputs) g.message(11, i);
    for (const o of this.outputs) g.message(12, o);
    const opset = new WireWriter().string(1, '').varint(2, opts.opset ?? 17);
    return new WireWriter()
      .varint(1, opts.irVersion ?? 8)
      .message(8, opset)
      .message(7, g)
      .finish();
  }
}
