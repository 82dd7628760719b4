// A typed host channel for any panel: connectChannel<In, Out, State>() over acquireVsCodeApi (call once per page).
interface VsCodeApi<O, S> {
  postMessage(msg: O): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<O, S>(): VsCodeApi<O, S>;

export interface Channel<I, O, S> {
  post(msg: O): void;
  onMessage(handler: (msg: I) => void): void;
  state(): S | undefined;
  setState(s: S): void;
}

/** Connects to the host with the panel's own message unions (HostTo…View in, …ViewToHost out). */
export function connectChannel<I, O, S>(): Channel<I, O, S> {
  const api = acquireVsCodeApi<O, S>();
  return {
    post: (m) => api.postMessage(m),
    onMessage: (h) => window.addEventListener('message', (e: MessageEvent<I>) => h(e.data)),
    state: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}
