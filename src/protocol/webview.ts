// Messages between the host and the webview panels (one union per direction; every message has a literal `type`).
import type { CompareResult, ComparePartial, CompareRun } from './compare';
import type { DatasetPreview, FitSummary } from './fit';
import type { ProbeResult } from './jobs';
import type { ModelCard } from './modelCard';

export interface ShownError {
  message: string;
  hint?: string;
}

/** Model-card panel. */
export type HostToWebview =
  | { type: 'loading'; file: string }
  | { type: 'card'; card: ModelCard; canRun: boolean }
  | { type: 'error'; file: string; error: ShownError }
  | { type: 'probeRunning' }
  | { type: 'probe'; result: ProbeResult }
  | { type: 'probeError'; error: ShownError };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'probe'; sigma: number }
  | { type: 'copyJson' }
  | { type: 'openConfig' }
  | { type: 'reload' };

/** Dataset-fit panel. */
export type HostToFitView =
  | { type: 'loading'; dataset: string }
  | { type: 'preview'; preview: DatasetPreview }
  | { type: 'fitting' }
  | { type: 'fit'; summary: FitSummary }
  | { type: 'error'; dataset: string; error: ShownError }
  | { type: 'fitError'; error: ShownError };

export type FitViewToHost =
  | { type: 'ready' }
  | { type: 'fit'; topk?: number }
  | { type: 'cancel' }
  | { type: 'export'; layout: 'ours' | 'authors' }
  | { type: 'openFolder' };

/** Score-comparison panel: fills in σ by σ. */
export type HostToCompareView =
  | { type: 'started'; runDir: string; model: string; dataset: string }
  | { type: 'partial'; partial: ComparePartial }
  | { type: 'done'; result: CompareResult }
  | { type: 'stopped'; run?: CompareRun; runDir: string; error: ShownError; cancelled: boolean }
  | { type: 'restore'; result: CompareResult };

export type CompareViewToHost =
  | { type: 'ready' }
  | { type: 'cancel' }
  | { type: 'openRunFolder' }
  | { type: 'exportCsv' }
  | { type: 'saveImage'; format: 'png' | 'svg'; dataUrl: string };
