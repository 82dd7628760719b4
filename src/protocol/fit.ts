// The dataset-fit job: parameters, the fit.json record, and what the fit panel receives.

export type ValueScaleName = 'minus1to1' | 'zero1' | 'raw';

export interface FitParams {
  /** Dataset file or folder. */
  dataset: string;
  scale?: ValueScaleName;
  layout?: 'NCHW' | 'NHWC' | 'NHW' | 'auto';
  /** Top-k eigenpairs + isotropic remainder instead of the full spectrum. */
  topk?: number;
  /** Covariance divisor N − ddof: 0 (1/N, the GTD convention, default) or 1. */
  ddof?: number;
  /** Where cached fits live (content-addressed folders). */
  cacheDir: string;
  /** Also copy stats.npz + fit.json here (the CLI's --out). */
  out?: string;
  /** Also write stats_authors_layout.npz (the authors' PCA .pt layout; science.md §8). */
  authorsLayout?: boolean;
}

/** fit.json: everything about how a fit was made. */
export interface FitMeta {
  engineVersion: string;
  cacheKey: string;
  createdAt: string;
  dataset: { path: string; format: string; files: number; notes: string[] };
  count: number;
  dim: number;
  shape: [number, number, number];
  scale: ValueScaleName;
  valueRange: [number, number];
  method: 'full' | 'topk';
  /** The eigensolver that ran, in words (e.g. "LAPACK dsyevd (liblapack.so.3)"); absent in fits cached before 0.1.0. */
  solver?: string;
  /** Number of eigenpairs stored. */
  rank: number;
  /** Isotropic remainder variance (top-k fits), else 0. */
  tail: number;
  ddof: number;
  trace: number;
  /** ‖CV − VΛ‖_F/‖C‖_F and ‖VᵀV − I‖_F. */
  residual: number;
  orthogonality: number;
  provider: string;
  timingsSeconds: Record<string, number>;
  classCounts?: Record<string, number>;
  /** tr Σ_c of each class, in the order of classCounts' keys. */
  classVariance?: number[];
  classNames?: string[];
}

export interface FitSummary {
  meta: FitMeta;
  statsDir: string;
  cacheHit: boolean;
  /** All stored eigenvalues, descending. */
  eigval: number[];
  mean: Float32Array;
  /** The top eigenvectors as images (count×D). */
  eigenImages: Float32Array;
  eigenImageCount: number;
  /** One mean image per class (K×D, the order of meta.classCounts), when the dataset has labels. */
  classMeans?: Float32Array;
}

/** A random sample of a dataset shown before a fit (N, shape, value range, images). */
export interface DatasetPreview {
  path: string;
  format: string;
  count: number;
  shape: [number, number, number];
  scale: ValueScaleName;
  valueRange: [number, number];
  hasLabels: boolean;
  classNames?: string[];
  notes: string[];
  indices: number[];
  labels?: number[];
  images: Float32Array;
}
