// Where the extension keeps cached fits and run folders, and the choices it remembers between runs.
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Cached dataset fits: the `diffusionInspector.cacheDirectory` setting, else the extension's global storage. */
export function cacheDir(context: vscode.ExtensionContext): string {
  const configured = vscode.workspace.getConfiguration('diffusionInspector').get<string>('cacheDirectory', '').trim();
  return configured || path.join(context.globalStorageUri.fsPath, 'cache');
}

/** A new run folder: <workspace>/.diffusion-inspector/runs/<time>-<kind>, or global storage without a workspace. */
export function newRunDir(context: vscode.ExtensionContext, kind: string): string {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const base = ws ? path.join(ws, '.diffusion-inspector', 'runs') : path.join(context.globalStorageUri.fsPath, 'runs');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return path.join(base, `${stamp}-${kind}`);
}

/** Remembered QuickPick answers (per user, across sessions). */
export class Memory {
  constructor(private readonly state: vscode.Memento) {}

  get<T>(key: string, fallback: T): T {
    return this.state.get<T>(`diffusionInspector.${key}`, fallback);
  }

  async set<T>(key: string, value: T): Promise<void> {
    await this.state.update(`diffusionInspector.${key}`, value);
  }

  /** Adds a value to the front of a most-recent list (max 8). */
  async remember(key: string, value: string): Promise<void> {
    const list = this.get<string[]>(key, []).filter((v) => v !== value);
    await this.set(key, [value, ...list].slice(0, 8));
  }
}
