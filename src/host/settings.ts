// Reads the `diffusionInspector.*` settings the engine runs under.
import * as vscode from 'vscode';
import type { EngineSettings } from '../protocol/jobs';

export function engineSettings(): EngineSettings {
  const c = vscode.workspace.getConfiguration('diffusionInspector');
  return {
    provider: c.get<EngineSettings['provider']>('executionProvider', 'auto'),
    threads: Math.max(0, c.get<number>('threads', 0)),
    maxBatch: Math.max(1, c.get<number>('maxBatch', 64)),
    lapack: c.get<string>('lapack', 'auto').trim() || 'auto',
  };
}
