// The fit panel's plots: the eigenvalue spectrum (λ, √λ, cumulative explained variance) and images per class.
import { Child, dataTable, h } from './dom';
import { PLOT_CONFIG, plotly, themedLayout, tracePalette } from './plot';
import { sig } from './ui';

/** Draws once the element is in the document (Plotly measures its container). */
function drawLater(el: HTMLElement, data: unknown[], layout: Record<string, unknown>): void {
  queueMicrotask(() => void plotly()?.newPlot(el, data, layout, PLOT_CONFIG));
}

/** The smallest k whose cumulative Σλ/trace reaches `level`, or undefined. */
function kFor(cum: number[], level: number): number | undefined {
  const i = cum.findIndex((c) => c >= level);
  return i < 0 ? undefined : i + 1;
}

/** λ_k and √λ_k on a log axis and Σ_{i≤k} λ_i / trace on a secondary 0..1 axis; `tail` is a top-k fit's remainder. */
export function spectrumPlot(eigval: number[], trace: number, tail: number, dim: number): Child[] {
  const k = eigval.map((_, i) => i + 1);
  const pos = (v: number): number | null => (v > 0 && Number.isFinite(v) ? v : null);
  let acc = 0;
  const total = trace > 0 ? trace : eigval.reduce((a, b) => a + Math.max(b, 0), 0) || 1;
  const cum = eigval.map((v) => (acc += Math.max(v, 0)) / total);
  const [blue, orange, green] = tracePalette();
  const reached = [0.5, 0.9, 0.99].flatMap((l) => { const n = kFor(cum, l); return n === undefined ? [] : [`${Math.round(l * 100)}% of the variance: k = ${n}`]; });
  const last = cum[cum.length - 1] ?? 0;
  if (last < 0.99) reached.push(`the ${eigval.length} stored eigenpairs explain ${(100 * last).toFixed(1)}%`);
  const nonPos = eigval.filter((v) => !(v > 0)).length;
  const note = h('p', { class: 'muted', id: 'spectrum-summary' }, [...reached, ...(nonPos ? [`${nonPos} non-positive λ (not on the log axis)`] : []), `D = ${dim.toLocaleString()}`].join(' · '));
  const el = h('div', { id: 'spectrum', class: 'plot wide', style: 'height:400px' });
  if (!plotly()) {
    return [dataTable(['k', 'λ', '√λ', 'Σλ/trace'], eigval.slice(0, 50).map((v, i) => [i + 1, sig(v), sig(Math.sqrt(Math.max(v, 0))), sig(cum[i])]), 'spectrum'), note];
  }
  const data: unknown[] = [
    { type: 'scatter', mode: 'lines', x: k, y: eigval.map(pos), name: 'λ_k (variance)', line: { color: blue, width: 2 }, hovertemplate: 'λ = %{y:.4g}<extra></extra>' },
    { type: 'scatter', mode: 'lines', x: k, y: eigval.map((v) => pos(Math.sqrt(Math.max(v, 0)))), name: '√λ_k (std, data scale)', line: { color: orange, width: 2, dash: 'dash' }, hovertemplate: '√λ = %{y:.4g}<extra></extra>' },
    { type: 'scatter', mode: 'lines', x: k, y: cum, name: 'Σλ/trace (right axis)', yaxis: 'y2', line: { color: green, width: 2 }, hovertemplate: 'explained = %{y:.2%}<extra></extra>' },
  ];
  if (tail > 0) {
    data.push({ type: 'scatter', mode: 'lines', x: [1, eigval.length], y: [tail, tail], name: 'isotropic tail σ²', line: { color: blue, width: 1, dash: 'dot' }, hovertemplate: 'tail σ² = %{y:.4g}<extra></extra>' });
  }
  drawLater(el, data, themedLayout({
    hovermode: 'x unified',
    margin: { l: 10, r: 10, t: 10, b: 40 },
    xaxis: { title: { text: 'k (eigenpair, descending)' }, range: [0, eigval.length + 1] },
    yaxis: { type: 'log', title: { text: 'λ_k, √λ_k (log)' }, exponentformat: 'power', dtick: 1 },
    yaxis2: { overlaying: 'y', side: 'right', range: [0, 1.02], tickmode: 'linear', tick0: 0, dtick: 0.2, title: { text: 'cumulative Σλ/trace' }, tickformat: '.0%', showgrid: false, zeroline: false },
    legend: { orientation: 'h', x: 0, y: 1.12 },
  }));
  return [el, note];
}

/** A small bar plot of meta.classCounts (keys are label ids; names from meta.classNames). */
export function classCountPlot(counts: Record<string, number>, names?: string[]): Child[] {
  const entries = Object.entries(counts).sort((a, b) => Number(a[0]) - Number(b[0]) || a[0].localeCompare(b[0]));
  const label = (k: string): string => names?.[Number(k)] ?? k;
  const el = h('div', { id: 'class-counts', class: 'plot', style: 'height:240px' });
  if (!plotly()) return [dataTable(['class', 'images'], entries.map(([k, v]) => [label(k), v.toLocaleString()]), 'class-counts')];
  const [blue] = tracePalette();
  drawLater(el, [{ type: 'bar', x: entries.map(([k]) => label(k)), y: entries.map(([, v]) => v), marker: { color: blue }, hovertemplate: '%{x}: %{y:,}<extra></extra>' }],
    themedLayout({ margin: { l: 10, r: 10, t: 10, b: 40 }, xaxis: { type: 'category', tickangle: entries.length > 12 ? -45 : 0 }, yaxis: { title: { text: 'images' }, rangemode: 'tozero' }, bargap: 0.25 }));
  return [el];
}
