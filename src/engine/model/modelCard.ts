// The model card: what an ONNX file is and how it maps to D(x, σ), read from the file alone (nothing is executed).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { ExternalDataFile, ModelCard, ParameterizationSummary } from '../../protocol/modelCard';
import { DecodedModel, decodeModel } from '../onnx/modelProto';
import { WireError } from '../onnx/wire';
import { configFromMetadata, findConfig, mergeConfigs } from './config';
import { MappingError, Parameterization, detectParameterization } from './detect';
import { sigmaRange } from './schedule';

export class NotOnnxError extends UserError {}

/** Reads and decodes a model file, with plain errors for missing, non-ONNX and truncated files. */
export function readModelFile(file: string): { bytes: Buffer; model: DecodedModel } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message}`);
  }
  return { bytes, model: decodeBytes(file, bytes) };
}

function decodeBytes(file: string, bytes: Buffer): DecodedModel {
  const name = path.basename(file);
  if (bytes.length === 0) throw new NotOnnxError(`${name} is empty, not an ONNX model.`, 'Export the model again (torch.onnx.export).');
  try {
    return decodeModel(bytes);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    const looksText = bytes.subarray(0, 64).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
    // A valid ONNX file starts with field 1 (ir_version, varint): byte 0x08.
    if (bytes[0] === 0x08 && !looksText) {
      throw new NotOnnxError(
        `${name} looks like a truncated or damaged ONNX model (${bytes.length} bytes; ${e.message}).`,
        'Copy or download the file again, or re-export it.',
      );
    }
    throw new NotOnnxError(
      `${name} is not an ONNX model${looksText ? ' (it is a text file)' : ''}.`,
      'Choose a file exported with torch.onnx.export or another ONNX exporter.',
    );
  }
}

/** A model card together with the full parameterization (undefined when the inputs cannot be mapped). */
export interface InspectedModel {
  card: ModelCard;
  param?: Parameterization;
}

/** Builds the model card; parameterization problems are reported in the card, file problems are thrown. */
export function inspectModel(file: string, configPath?: string): InspectedModel {
  const abs = path.resolve(file);
  const { bytes, model } = readModelFile(abs);
  const g = model.graph;
  const byDtype: Record<string, number> = {};
  let params = 0;
  for (const init of g.initializers) {
    params += init.elements;
    byDtype[init.dtype] = (byDtype[init.dtype] ?? 0) + init.elements;
  }
  const { file: cfgFile, config } = findConfig(abs, configPath);
  let param: Parameterization | undefined;
  let mappingError: string | undefined;
  try {
    param = detectParameterization(g, mergeConfigs(configFromMetadata(model.metadata), config));
  } catch (e) {
    if (!(e instanceof MappingError)) throw e;
    mappingError = e.message;
  }
  const card: ModelCard = {
    file: abs,
    sizeBytes: bytes.length,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    irVersion: model.irVersion,
    producer: [model.producer, model.producerVersion].filter(Boolean).join(' '),
    opsets: model.opsets,
    inputs: g.inputs,
    outputs: g.outputs,
    parameterCount: params,
    parameterBytesByDtype: byDtype,
    nodeCount: g.nodeCount,
    ops: g.ops,
    metadata: model.metadata,
    docString: model.docString,
    externalData: checkExternalData(abs, model),
    ...(cfgFile ? { configFile: cfgFile } : {}),
    parameterization: param ? summarize(param) : { ok: false, evidence: [], warnings: [], error: mappingError },
  };
  return { card, ...(param ? { param } : {}) };
}

/** The model card alone (what the panel and `diffusion-inspector info` show). */
export function buildModelCard(file: string, configPath?: string): ModelCard {
  return inspectModel(file, configPath).card;
}

function summarize(p: Parameterization): ParameterizationSummary {
  const r = sigmaRange(p.schedule);
  return {
    ok: true,
    label: p.label,
    imageInput: p.imageInput,
    timeInput: p.timeInput,
    output: p.output,
    prediction: p.prediction,
    schedule: p.schedule.kind,
    sigmaRange: [r.min, r.max],
    batch: p.batch ?? 'dynamic',
    evidence: p.evidence,
    warnings: p.warnings,
  };
}

/** External-data files the model needs: present, inside the model's folder, and large enough. */
export function checkExternalData(modelFile: string, model: DecodedModel): ExternalDataFile[] {
  const dir = path.dirname(modelFile);
  const files = new Map<string, ExternalDataFile>();
  for (const init of model.graph.initializers) {
    const ext = init.external;
    if (!ext) continue;
    const f = files.get(ext.location) ?? { location: ext.location, tensors: 0, bytesNeeded: 0, exists: false };
    f.tensors++;
    f.bytesNeeded = Math.max(f.bytesNeeded, (ext.offset ?? 0) + (ext.length ?? 0));
    files.set(ext.location, f);
  }
  for (const f of files.values()) {
    const target = path.resolve(dir, f.location);
    const rel = path.relative(dir, target);
    if (!f.location || path.isAbsolute(f.location) || rel.startsWith('..') || path.isAbsolute(rel)) {
      f.problem = `external data "${f.location}" points outside the model's folder; onnxruntime refuses that. Move the file next to the model and re-save the model with a plain file name as location.`;
      continue;
    }
    try {
      const st = fs.statSync(target);
      f.exists = true;
      f.size = st.size;
      if (st.size < f.bytesNeeded) f.problem = `external data "${f.location}" has ${st.size} bytes but the model reads up to byte ${f.bytesNeeded}: it is truncated. Copy it again.`;
    } catch {
      f.problem = `external data "${f.location}" (${f.tensors} tensor${f.tensors > 1 ? 's' : ''}) is missing: copy it next to ${path.basename(modelFile)}.`;
    }
  }
  return [...files.values()];
}

/** The first blocking problem of a card (for the CLI's exit code and the panel's banner), if any. */
export function cardProblem(card: ModelCard): string | undefined {
  const ext = card.externalData.find((f) => f.problem);
  if (ext) return ext.problem;
  if (!card.parameterization.ok) return card.parameterization.error;
  return undefined;
}
