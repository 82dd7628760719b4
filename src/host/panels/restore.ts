// Panel restore after a reload: a serializer that re-attaches a panel from one field its webview keeps in its state.
import * as vscode from 'vscode';

/** Restores a panel from `state[key]` (a path), or closes it when the state has none. */
export function restoreFromState(key: string, attach: (panel: vscode.WebviewPanel, value: string) => void | Promise<void>): vscode.WebviewPanelSerializer<Record<string, string | undefined>> {
  return {
    async deserializeWebviewPanel(panel, state) {
      const value = state?.[key];
      if (!value) return panel.dispose();
      await attach(panel, value);
    },
  };
}
