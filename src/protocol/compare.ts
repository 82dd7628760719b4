// The score-comparison job (2412.09726 §4; science.md §4): parameters, per-σ rows, the run record.

export type Protocol = 'A' | 'B';

export interface CompareParams {
  model: string;
  config?: string;
  dataset: string;
  scale?: 'minus1to1' | 'zero1' | 'raw';
  layout?: 'NCHW' | 'NHWC' | 'NHW' | 'auto';
  /** Noise levels (data scale); default the 16 of science.md §4.2, clipped to the model's range. */
  sigmas?: number[];
  /** Probe points per σ (default 512). */
  probes?: number;
  seed?: number;
  /** A: x = x_i + σz (training images); B: x = σz (pure noise). Default ['A']. */
  protocols?: Protocol[];
  /** Analytical models: gaussian, gaussian:<rank>, delta, gmm:<K>[:<rank>], class, mean, meanstd. */
  approx?: string[];
  /** Top-k Gaussian fit instead of the full spectrum (large D). */
  topk?: number;
  /** Use these statistics (ours or the authors' PCA layout, .npz) as the dataset Gaussian instead of fitting. */
  statsFile?: string;
  /** Pixel scale of statsFile (default: [0,1] for the authors' layout, [−1,1] for ours). */
  statsScale?: 'zero1' | 'minus1to1';
  cacheDir: string;
  /** The run folder (run.json + results.csv). */
  out: string;
}

/** One (protocol, σ, model) row of results.csv; column names follow the authors' tables (science.md §8). */
export interface CompareRow {
  protocol: Protocol;
  sigma: number;
  sigma_requested: number;
  name: string;
  St_EV: number; St_EV_std: number; St_EV_rev: number; St_EV_rev_std: number;
  Dt_EV: number; Dt_EV_std: number; Dt_EV_rev: number; Dt_EV_rev_std: number;
  St_Var: number; St_Var_std: number; Dt_Var: number; Dt_Var_std: number;
  St_residual: number; St_rev_residual: number; Dt_residual: number; Dt_rev_residual: number;
  Dt_EV_centered: number; Dt_EV_centered_std: number;
  n: number;
}

/** What one finished σ streams to the panel (with the run record so far, for labels and reference lines). */
export interface ComparePartial {
  index: number;
  total: number;
  rows: CompareRow[];
  timing: SigmaTiming;
  run: CompareRun;
}

export interface SigmaTiming {
  protocol: Protocol;
  sigma: number;
  networkSeconds: number;
  /** Analytical seconds per model name. */
  analyticalSeconds: Record<string, number>;
}

/** run.json: everything needed to re-run and to trust a comparison. */
export interface CompareRun {
  status: 'running' | 'complete' | 'cancelled' | 'failed';
  engineVersion: string;
  createdAt: string;
  finishedAt?: string;
  params: Omit<CompareParams, 'cacheDir' | 'out'>;
  model: { file: string; sha256: string; parameterization: string; config?: string };
  dataset: { path: string; count: number; shape: [number, number, number]; fitKey: string };
  provider: string;
  sigmas: { requested: number; used: number }[];
  skippedSigmas: { sigma: number; reason: string }[];
  approximations: { name: string; spec: string; detail: string }[];
  /** √λ_k of the dataset Gaussian (top 10) and √(mean λ): reference lines for plots. */
  sqrtEigval: number[];
  sqrtMeanEigval: number;
  timings: SigmaTiming[];
  completedSigmas: number;
  error?: string;
}

export interface CompareResult {
  runDir: string;
  run: CompareRun;
  rows: CompareRow[];
}
