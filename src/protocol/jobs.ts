// The job protocol between the extension host and the compute process (types only; one union per direction).
import type { CompareParams, ComparePartial, CompareResult } from './compare';
import type { DatasetPreview, FitParams, FitSummary } from './fit';
import type { ModelCard } from './modelCard';

/** Engine settings a job runs under (from `diffusionInspector.*` settings, or CLI flags). */
export interface EngineSettings {
  /** onnxruntime execution provider: auto tries CUDA, then WebGPU, then CPU. */
  provider: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  /** onnxruntime intra-op threads; 0 = one per physical core. */
  threads: number;
  /** Largest batch per network run. */
  maxBatch: number;
  /** LAPACK for full eigendecompositions: 'auto' (the system's, when one loads), 'off', or a library path. */
  lapack: string;
}

/** Every job kind with its parameters, its final result and (where it streams) its partial results. */
export interface JobMap {
  /** Read an ONNX file and describe it (nothing is executed). */
  modelCard: { params: { file: string; config?: string }; result: ModelCard; partial: never };
  /** Run D(x, σ) of a model once on a deterministic probe, to prove the model runs (reports the provider used). */
  probeDenoiser: {
    params: { file: string; config?: string; sigma: number; imageShape?: [number, number, number]; batch: number };
    result: ProbeResult;
    partial: never;
  };
  /** Open a dataset and sample images from it (before a fit). */
  datasetPreview: {
    params: { dataset: string; scale?: FitParams['scale']; layout?: FitParams['layout']; count?: number; seed?: number };
    result: DatasetPreview;
    partial: never;
  };
  /** Mean, covariance and eigendecomposition of a dataset (cached). */
  fit: { params: FitParams; result: FitSummary; partial: never };
  /** Write cached statistics in another layout (the authors' PCA .pt layout as .npz). */
  exportStats: { params: { statsDir: string; target: string; layout: 'authors' }; result: { file: string }; partial: never };
  /** Explained variance of analytical denoisers vs the network across σ; streams one σ at a time. */
  compare: { params: CompareParams; result: CompareResult; partial: ComparePartial };
}

export interface ProbeResult {
  provider: string;
  fallbacks: string[];
  sigmaRequested: number;
  sigmaUsed: number;
  imageShape: [number, number, number];
  batch: number;
  /** Mean squared value of D(x, σ) over the probe, and the time one run took. */
  outputMeanSquare: number;
  milliseconds: number;
}

export type JobKind = keyof JobMap;

export interface JobError {
  message: string;
  hint?: string;
  /** true for problems with the user's input (show plainly); false for bugs (stack goes to the log). */
  user: boolean;
  stack?: string;
}

export type HostToCompute =
  | { type: 'start'; id: number; kind: JobKind; params: unknown; settings: EngineSettings }
  | { type: 'cancel'; id: number };

export type ComputeToHost =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; id: number; fraction?: number; message: string }
  | { type: 'partial'; id: number; data: unknown }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: JobError }
  | { type: 'cancelled'; id: number };
