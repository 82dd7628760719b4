// Tiny DOM helpers: elements built from data (text is always set as text, never parsed as HTML).
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Record<string, string>, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** A two-column table of label → value rows. */
export function keyValueTable(rows: [string, Child][], id?: string): HTMLTableElement {
  return h('table', { class: 'kv', ...(id ? { id } : {}) }, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))));
}

/** A table with a header row. */
export function dataTable(headers: string[], rows: Child[][], id?: string): HTMLTableElement {
  return h(
    'table',
    { class: 'data', ...(id ? { id } : {}) },
    h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

/** The error banner every panel uses: message, optional hint; never a stack trace. */
export function errorBox(message: string, hint?: string): HTMLElement {
  return h('div', { id: 'error', class: 'error', role: 'alert' }, h('p', { class: 'message' }, message), hint ? h('p', { class: 'hint' }, hint) : null);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);
}
