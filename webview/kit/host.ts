// The webview's side of the host protocol: typed post/receive and persisted state.
import type { HostToWebview, WebviewToHost } from '../../src/protocol/webview';

interface VsCodeApi<S> {
  postMessage(msg: WebviewToHost): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export interface Host<S> {
  post(msg: WebviewToHost): void;
  onMessage(handler: (msg: HostToWebview) => void): void;
  state(): S | undefined;
  setState(s: S): void;
}

/** Connects to the host; call once per page. */
export function connect<S>(): Host<S> {
  const api = acquireVsCodeApi<S>();
  return {
    post: (m) => api.postMessage(m),
    onMessage: (h) => window.addEventListener('message', (e: MessageEvent<HostToWebview>) => h(e.data)),
    state: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}
