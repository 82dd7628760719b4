// Small UI pieces shared by the analysis panels: buttons, sections, progress, number formatting.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { Child, h } from './dom';

export interface ButtonOptions {
  id?: string;
  secondary?: boolean;
  icon?: string;
  title?: string;
  disabled?: boolean;
}

/** A vscode-button wired with addEventListener (no inline handlers under the CSP). */
export function button(label: string, onClick: () => void, o: ButtonOptions = {}): HTMLElement {
  const b = h('vscode-button', {
    ...(o.id ? { id: o.id } : {}),
    ...(o.icon ? { icon: o.icon } : {}),
    ...(o.title ? { title: o.title } : {}),
  }, label);
  if (o.secondary) b.setAttribute('secondary', '');
  if (o.disabled) b.setAttribute('disabled', '');
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

export function setDisabled(el: Element | null, disabled: boolean): void {
  if (el) el.toggleAttribute('disabled', disabled);
}

export function section(title: string, body: Child | Child[], id?: string): HTMLElement {
  return h('section', id ? { id } : {}, h('h2', {}, title), ...(Array.isArray(body) ? body : [body]));
}

/** An inline "working…" line: a small progress ring and a text. */
export function busy(text: string, id?: string): HTMLElement {
  return h('span', { class: 'busy', ...(id ? { id } : {}) }, h('vscode-progress-ring', { 'aria-label': text }), h('span', {}, text));
}

/** The file name of a path (either separator). */
export function baseName(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? p;
}

/** Four significant digits, or '—' for non-numbers. */
export function sig(x: number | undefined, digits = 4): string {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-4 || a >= 1e6 ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

/** Up to four significant digits without trailing zeros (σ values, ranges): 0.01, 1.5, 80, 3.2e-7. */
export function num(x: number | undefined, digits = 4): string {
  if (x === undefined || !Number.isFinite(x) || x === 0) return sig(x, digits);
  const a = Math.abs(x);
  return a < 1e-4 || a >= 1e6 ? Number(x.toPrecision(digits)).toExponential() : String(Number(x.toPrecision(digits)));
}

/** Exponent notation (residuals, orthogonality). */
export function expo(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toExponential(digits) : String(x);
}

export function seconds(s: number): string {
  return s < 0.01 ? `${(s * 1000).toFixed(1)} ms` : s < 60 ? `${s.toPrecision(3)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
