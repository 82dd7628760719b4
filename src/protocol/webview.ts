// Messages between the host and the model-card webview (one union per direction).
import type { ProbeResult } from './jobs';
import type { ModelCard } from './modelCard';

export interface ShownError {
  message: string;
  hint?: string;
}

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
