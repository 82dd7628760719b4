// onnxruntime-node, loaded lazily, with execution-provider choice (auto: CUDA -> WebGPU -> CPU) and reporting.
import type * as OrtModule from 'onnxruntime-node';

export type Ort = typeof OrtModule;
export type ProviderSetting = 'auto' | 'cpu' | 'cuda' | 'webgpu';
export type ProviderName = 'cpu' | 'cuda' | 'webgpu';

export interface RuntimeOptions {
  provider?: ProviderSetting;
  /** intra-op threads; 0 = onnxruntime's default (one per physical core). */
  threads?: number;
  /** onnxruntime's CPU memory arena (default on); off for one-shot graphs whose buffers should not stay reserved. */
  memArena?: boolean;
}

export interface OpenedSession {
  session: OrtModule.InferenceSession;
  provider: ProviderName;
  /** Why providers earlier in the preference list were not used (empty when the first choice ran). */
  fallbacks: string[];
}

let ort: Ort | undefined;

/** Loads onnxruntime-node on first use, so activation and model cards never pay for it. */
export function loadOrt(): Ort {
  if (!ort) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ort = require('onnxruntime-node') as Ort;
    } catch (e) {
      throw new Error(
        `onnxruntime-node could not be loaded (${(e as Error).message}). Reinstall the extension, or run "npm ci" in its folder.`,
      );
    }
  }
  return ort;
}

/** Preference order for a provider setting. */
export function providerOrder(setting: ProviderSetting): ProviderName[] {
  switch (setting) {
    case 'auto':
      return ['cuda', 'webgpu', 'cpu'];
    case 'cuda':
      return ['cuda', 'cpu'];
    case 'webgpu':
      return ['webgpu', 'cpu'];
    default:
      return ['cpu'];
  }
}

// Providers that failed once in this process are not retried (a failed CUDA/WebGPU probe can take seconds).
const failedProviders = new Map<ProviderName, string>();

/** Creates a session from a file path or bytes, trying providers in order and reporting which one ran. */
export async function openSession(model: string | Uint8Array, opts: RuntimeOptions = {}): Promise<OpenedSession> {
  const o = loadOrt();
  const fallbacks: string[] = [];
  const order = providerOrder(opts.provider ?? 'auto');
  for (const provider of order) {
    const known = failedProviders.get(provider);
    if (known) {
      fallbacks.push(`${provider}: ${known}`);
      continue;
    }
    if (provider !== 'cpu' && !o.listSupportedBackends().some((b) => b.name === provider)) {
      const why = 'not available in this onnxruntime-node build';
      failedProviders.set(provider, why);
      fallbacks.push(`${provider}: ${why}`);
      continue;
    }
    const sessionOptions: OrtModule.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
      ...(opts.memArena === false ? { enableCpuMemArena: false } : {}),
    };
    try {
      const session =
        typeof model === 'string'
          ? await o.InferenceSession.create(model, sessionOptions)
          : await o.InferenceSession.create(model, sessionOptions);
      return { session, provider, fallbacks };
    } catch (e) {
      const msg = explainProviderFailure(provider, (e as Error).message);
      if (provider === 'cpu') throw e;
      failedProviders.set(provider, msg);
      fallbacks.push(`${provider}: ${msg}`);
    }
  }
  throw new Error('no execution provider could run the model');
}

/** A provider failure in words a user can act on (the raw first line is kept for the log). */
function explainProviderFailure(provider: ProviderName, raw: string): string {
  if (provider === 'cuda' && /providers_(shared|cuda)|shared (object|library)|cudart|cublas|cudnn/i.test(raw)) {
    return 'the CUDA provider libraries are not installed (reinstall onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with CUDA 12 and cuDNN 9)';
  }
  if (provider === 'webgpu' && /adapter|vulkan|dawn/i.test(raw)) return 'no usable WebGPU adapter (needs a GPU driver with Vulkan, Metal or D3D12; software renderers are refused)';
  return firstLine(raw);
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return line.length > 200 ? line.slice(0, 200) + '…' : line;
}
