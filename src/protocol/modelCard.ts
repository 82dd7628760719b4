// Model-card data as it crosses process and webview boundaries (plain JSON, no logic).

/** One axis of a tensor shape: a fixed size, a named dynamic axis, or an unnamed dynamic one. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  dtype: string;
  /** undefined when the model gives no shape at all (rank unknown). */
  shape?: Dim[];
}

/** One finding of parameterization detection and where it came from. */
export interface Evidence {
  field: string;
  value: string;
  source: string;
}

export interface ExternalDataFile {
  location: string;
  tensors: number;
  bytesNeeded: number;
  exists: boolean;
  size?: number;
  problem?: string;
}

export interface ParameterizationSummary {
  ok: boolean;
  label?: string;
  imageInput?: string;
  timeInput?: string;
  output?: string;
  prediction?: string;
  schedule?: string;
  sigmaRange?: [number, number];
  batch?: number | 'dynamic';
  evidence: Evidence[];
  warnings: string[];
  error?: string;
}

export interface ModelCard {
  file: string;
  sizeBytes: number;
  sha256: string;
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  parameterCount: number;
  parameterBytesByDtype: Record<string, number>;
  nodeCount: number;
  ops: Record<string, number>;
  metadata: Record<string, string>;
  docString: string;
  externalData: ExternalDataFile[];
  configFile?: string;
  parameterization: ParameterizationSummary;
}
