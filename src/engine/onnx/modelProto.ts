// Decodes the parts of an ONNX ModelProto that a model card needs (signature, opsets, ops, parameters, metadata).
import { WireError, WireField, decodeString, readFields, readPackedVarints, WIRE_LEN } from './wire';

export const ONNX_DTYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

import type { Dim, ValueInfo } from '../../protocol/modelCard';

export type { Dim, ValueInfo };

export interface ExternalRef {
  tensor: string;
  location: string;
  offset?: number;
  length?: number;
}

export interface Initializer {
  name: string;
  dtype: string;
  dims: number[];
  elements: number;
  external?: ExternalRef;
}

export interface DecodedGraph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Initializer[];
  /** op_type (with non-default domain as "domain::op") → count, subgraphs included. */
  ops: Record<string, number>;
  nodeCount: number;
}

export interface DecodedModel {
  irVersion: number;
  producer: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsets: { domain: string; version: number }[];
  metadata: Record<string, string>;
  graph: DecodedGraph;
}

/** Parses ModelProto bytes; throws WireError (with a plain explanation) when the bytes are not a valid model. */
export function decodeModel(buf: Uint8Array): DecodedModel {
  const m: DecodedModel = {
    irVersion: 0, producer: '', producerVersion: '', domain: '', modelVersion: 0, docString: '',
    opsets: [], metadata: {}, graph: emptyGraph(),
  };
  let sawGraph = false;
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1: m.irVersion = f.num; break;
      case 2: m.producer = str(f); break;
      case 3: m.producerVersion = str(f); break;
      case 4: m.domain = str(f); break;
      case 5: m.modelVersion = f.num; break;
      case 6: m.docString = str(f); break;
      case 7: m.graph = decodeGraph(lenBytes(f)); sawGraph = true; break;
      case 8: m.opsets.push(decodeOpset(lenBytes(f))); break;
      case 14: { const [k, v] = decodeStringPair(lenBytes(f)); m.metadata[k] = v; break; }
      default: break;
    }
  }
  if (!sawGraph || m.irVersion === 0) throw new WireError('no graph or IR version found');
  return m;
}

function emptyGraph(): DecodedGraph {
  return { name: '', inputs: [], outputs: [], initializers: [], ops: {}, nodeCount: 0 };
}

function lenBytes(f: WireField): Uint8Array {
  if (f.wire !== WIRE_LEN) throw new WireError(`field ${f.field} should be a message`);
  return f.bytes;
}

function str(f: WireField): string {
  return decodeString(lenBytes(f));
}

function decodeOpset(b: Uint8Array): { domain: string; version: number } {
  const o = { domain: '', version: 0 };
  for (const f of readFields(b)) {
    if (f.field === 1) o.domain = str(f);
    else if (f.field === 2) o.version = f.num;
  }
  return o;
}

function decodeStringPair(b: Uint8Array): [string, string] {
  let k = '';
  let v = '';
  for (const f of readFields(b)) {
    if (f.field === 1) k = str(f);
    else if (f.field === 2) v = str(f);
  }
  return [k, v];
}

function decodeGraph(b: Uint8Array): DecodedGraph {
  const g = emptyGraph();
  const ops = new Map<string, number>();
  const inputs: ValueInfo[] = [];
  for (const f of readFields(b)) {
    switch (f.field) {
      case 1: g.nodeCount += decodeNode(lenBytes(f), ops); break;
      case 2: g.name = str(f); break;
      case 5: g.initializers.push(decodeTensor(lenBytes(f))); break;
      case 11: inputs.push(decodeValueInfo(lenBytes(f))); break;
      case 12: g.outputs.push(decodeValueInfo(lenBytes(f))); break;
      case 15: g.initializers.push(decodeSparseTensorValues(lenBytes(f))); break;
      default: break;
    }
  }
  // Older exporters list initializers among the inputs; those are weights, not model inputs.
  const weights = new Set(g.initializers.map((i) => i.name));
  g.inputs = inputs.filter((i) => !weights.has(i.name));
  g.ops = Object.fromEntries([...ops.entries()].sort((a, c) => c[1] - a[1] || a[0].localeCompare(c[0])));
  return g;
}

/** Counts one node (and the nodes of its subgraphs) into `ops`; returns how many nodes were counted. */
function decodeNode(b: Uint8Array, ops: Map<string, number>): number {
  let op = '';
  let domain = '';
  let count = 1;
  for (const f of readFields(b)) {
    if (f.field === 4) op = str(f);
    else if (f.field === 7) domain = str(f);
    else if (f.field === 5) count += countAttributeSubgraphs(lenBytes(f), ops);
  }
  const key = domain && domain !== 'ai.onnx' ? `${domain}::${op}` : op;
  ops.set(key, (ops.get(key) ?? 0) + 1);
  return count;
}

function countAttributeSubgraphs(b: Uint8Array, ops: Map<string, number>): number {
  let n = 0;
  for (const f of readFields(b)) {
    // AttributeProto.g = 6, graphs = 11 (If/Loop/Scan bodies)
    if (f.field === 6 || f.field === 11) {
      const sub = decodeGraph(lenBytes(f));
      for (const [k, v] of Object.entries(sub.ops)) ops.set(k, (ops.get(k) ?? 0) + v);
      n += sub.nodeCount;
    }
  }
  return n;
}

function decodeTensor(b: Uint8Array): Initializer {
  const t: Initializer = { name: '', dtype: 'float32', dims: [], elements: 1 };
  const external: Record<string, string> = {};
  let dataLocationExternal = false;
  for (const f of readFields(b)) {
    switch (f.field) {
      case 1: t.dims.push(...readPackedVarints(f)); break;
      case 2: t.dtype = ONNX_DTYPES[f.num] ?? `type#${f.num}`; break;
      case 8: t.name = str(f); break;
      case 13: { const [k, v] = decodeStringPair(lenBytes(f)); external[k] = v; break; }
      case 14: dataLocationExternal = f.num === 1; break;
      default: break;
    }
  }
  t.elements = t.dims.reduce((a, d) => a * d, 1);
  if (dataLocationExternal || external.location !== undefined) {
    t.external = {
      tensor: t.name,
      location: external.location ?? '',
      ...(external.offset !== undefined ? { offset: Number(external.offset) } : {}),
      ...(external.length !== undefined ? { length: Number(external.length) } : {}),
    };
  }
  return t;
}

function decodeSparseTensorValues(b: Uint8Array): Initializer {
  let values: Initializer | undefined;
  let dims: number[] = [];
  for (const f of readFields(b)) {
    if (f.field === 1) values = decodeTensor(lenBytes(f));
    else if (f.field === 3) dims.push(...readPackedVarints(f));
  }
  const t = values ?? { name: '', dtype: 'float32', dims: [], elements: 0 };
  dims = dims.length ? dims : t.dims;
  return { ...t, dims };
}

function decodeValueInfo(b: Uint8Array): ValueInfo {
  const v: ValueInfo = { name: '', dtype: 'unknown' };
  for (const f of readFields(b)) {
    if (f.field === 1) v.name = str(f);
    else if (f.field === 2) decodeType(lenBytes(f), v);
  }
  return v;
}

function decodeType(b: Uint8Array, v: ValueInfo): void {
  for (const f of readFields(b)) {
    if (f.field !== 1) continue; // tensor_type only; sequences/maps are not denoiser inputs
    for (const t of readFields(lenBytes(f))) {
      if (t.field === 1) v.dtype = ONNX_DTYPES[t.num] ?? `type#${t.num}`;
      else if (t.field === 2) v.shape = decodeShape(lenBytes(t));
    }
  }
}

function decodeShape(b: Uint8Array): Dim[] {
  const dims: Dim[] = [];
  for (const f of readFields(b)) {
    if (f.field !== 1) continue;
    let d: Dim = null;
    for (const x of readFields(lenBytes(f))) {
      if (x.field === 1) d = x.num;
      else if (x.field === 2) d = str(x);
    }
    dims.push(d);
  }
  return dims;
}
