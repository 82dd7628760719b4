// The score-comparison panel's views: EV-vs-σ traces with √λ reference lines, the results table, timings, skipped σ.
import type { CompareRow, CompareRun, SigmaTiming } from '../../src/protocol/compare';
import { dataTable, h } from './dom';
import { DASHES, SYMBOLS, logTicks, themedLayout, tracePalette } from './plot';
import { themeColor } from './theme';
import { num, sig } from './ui';

export interface Metric {
  label: string;
  short: string;
  value(r: CompareRow): number;
  std(r: CompareRow): number;
  log: boolean;
}

export const METRICS: Record<string, Metric> = {
  Dt_EV: { label: 'Denoiser EV (Dt_EV)', short: 'Dt_EV', value: (r) => r.Dt_EV, std: (r) => r.Dt_EV_std, log: false },
  Dt_EV_centered: { label: 'Denoiser EV centered (Dt_EV_centered)', short: 'Dt_EV_centered', value: (r) => r.Dt_EV_centered, std: (r) => r.Dt_EV_centered_std, log: false },
  St_EV: { label: 'Score EV (St_EV)', short: 'St_EV', value: (r) => r.St_EV, std: (r) => r.St_EV_std, log: false },
  Dt_residual: { label: 'Denoiser residual 1−EV (log y)', short: '1 − Dt_EV', value: (r) => r.Dt_residual, std: (r) => r.Dt_EV_std, log: true },
  St_residual: { label: 'Score residual 1−EV (log y)', short: '1 − St_EV', value: (r) => r.St_residual, std: (r) => r.St_EV_std, log: true },
};
export const DEFAULT_METRIC = 'Dt_EV';

/** Trace keys in a stable order: protocols as run, then approximations as declared (names first seen in rows last). */
function traceKeys(rows: CompareRow[], run: CompareRun | undefined): { protocol: string; name: string }[] {
  const protocols = [...new Set([...(run?.params.protocols ?? []), ...rows.map((r) => r.protocol)])];
  const names = [...new Set([...(run?.approximations.map((a) => a.name) ?? []), ...rows.map((r) => r.name)])];
  const present = new Set(rows.map((r) => `${r.protocol}\u0000${r.name}`));
  return protocols.flatMap((protocol) => names.map((name) => ({ protocol, name }))).filter((k) => present.has(`${k.protocol}\u0000${k.name}`));
}

/** Plotly traces: one per (protocol, approximation), distinct colour, dash and marker; then the √λ reference lines. */
export function evTraces(rows: CompareRow[], run: CompareRun | undefined, metric: Metric): unknown[] {
  const palette = tracePalette();
  const keys = traceKeys(rows, run);
  const multi = new Set(keys.map((k) => k.protocol)).size > 1;
  const traces: unknown[] = keys.map((k, i) => {
    const rs = rows.filter((r) => r.protocol === k.protocol && r.name === k.name).sort((a, b) => a.sigma - b.sigma);
    const ys = rs.map((r) => {
      const v = metric.value(r);
      return Number.isFinite(v) && (!metric.log || v > 0) ? v : null;
    });
    const color = palette[i % palette.length];
    const label = multi ? `${k.name} (protocol ${k.protocol})` : k.name;
    return {
      type: 'scatter', mode: 'lines+markers', name: label, x: rs.map((r) => r.sigma), y: ys,
      customdata: rs.map((r) => [sig(metric.std(r), 3), r.n]),
      line: { color, width: 2, dash: DASHES[i % DASHES.length] },
      marker: { color, size: 7, symbol: SYMBOLS[i % SYMBOLS.length] },
      ...(metric.log ? {} : { error_y: { type: 'data', array: rs.map((r) => metric.std(r)), visible: true, color, thickness: 1, width: 3 } }),
      hovertemplate: `σ = %{x:.4g}<br>${escapeHover(label)}<br>${metric.short} = %{y:.4g} ± %{customdata[0]}<br>n = %{customdata[1]}<extra></extra>`,
    };
  });
  if (run) traces.push(...referenceLines(run));
  return traces;
}

function escapeHover(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}

/** Vertical dotted lines at √λ_1..√λ_10 (light) and √(mean λ) (stronger), on a hidden 0..1 overlay axis. */
function referenceLines(run: CompareRun): unknown[] {
  const ys = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  const lines = (xs: number[], labels: string[]): { x: (number | null)[]; y: (number | null)[]; text: (string | null)[] } => {
    const out = { x: [] as (number | null)[], y: [] as (number | null)[], text: [] as (string | null)[] };
    xs.forEach((x, i) => {
      if (!(x > 0)) return;
      for (const y of ys) {
        out.x.push(x);
        out.y.push(y);
        out.text.push(labels[i]!);
      }
      out.x.push(null); out.y.push(null); out.text.push(null);
    });
    return out;
  };
  const fg = themeColor('--vscode-descriptionForeground', '#999');
  const top = run.sqrtEigval.slice(0, 10);
  const a = lines(top, top.map((v, i) => `√λ_${i + 1} = ${num(v)}`));
  const b = lines([run.sqrtMeanEigval], [`√(mean λ) = ${num(run.sqrtMeanEigval)}`]);
  const common = { type: 'scatter', mode: 'lines', yaxis: 'y2', hovertemplate: '%{text} (data scale)<extra></extra>', legendgroup: 'ref' };
  return [
    ...(a.x.length ? [{ ...common, ...a, name: '√λ_k (data scale), k ≤ 10', line: { color: fg, width: 1, dash: 'dot' }, opacity: 0.45 }] : []),
    ...(b.x.length ? [{ ...common, ...b, name: '√(mean λ) (data scale)', line: { color: fg, width: 2, dash: 'dot' }, opacity: 0.9 }] : []),
  ];
}

export function evLayout(metric: Metric): Record<string, unknown> {
  return themedLayout({
    hovermode: 'closest',
    margin: { l: 10, r: 10, t: 10, b: 50 },
    xaxis: { type: 'log', title: { text: 'σ (data scale, log)' }, ...logTicks(-6, 4) },
    yaxis: { type: metric.log ? 'log' : 'linear', title: { text: metric.label.replace(' (log y)', '') }, ...(metric.log ? logTicks(-10, 2) : {}) },
    yaxis2: { overlaying: 'y', range: [0, 1], visible: false, fixedrange: true },
    legend: { orientation: 'h', x: 0, y: -0.18, yanchor: 'top' },
    uirevision: 'keep',
  });
}

/** All rows: protocol, σ, σ requested, name, Dt_EV±std, Dt_EV_centered, St_EV±std, n (4 significant digits). */
export function resultsTable(rows: CompareRow[]): HTMLTableElement {
  const pm = (v: number, s: number): string => `${sig(v)} ± ${sig(s, 2)}`;
  const sorted = [...rows].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.sigma - b.sigma);
  const t = dataTable(['protocol', 'σ', 'σ requested', 'name', 'Dt_EV ± std', 'Dt_EV_centered', 'St_EV ± std', 'n'],
    sorted.map((r) => [r.protocol, num(r.sigma), num(r.sigma_requested), r.name, pm(r.Dt_EV, r.Dt_EV_std), sig(r.Dt_EV_centered), pm(r.St_EV, r.St_EV_std), r.n]), 'results-table');
  t.classList.add('numeric');
  return t;
}

/** Seconds per σ: the network vs each analytical model, with a total row. */
export function timingTable(timings: SigmaTiming[], names: string[]): HTMLElement {
  if (!timings.length) return h('p', { id: 'timing', class: 'muted' }, 'No σ finished yet.');
  const cols = [...new Set([...names, ...timings.flatMap((t) => Object.keys(t.analyticalSeconds))])];
  const multi = new Set(timings.map((t) => t.protocol)).size > 1;
  const s = (x: number | undefined): string => (x === undefined ? '—' : x < 0.001 ? '<0.001' : x.toPrecision(3));
  const rows = timings.map((t) => [...(multi ? [t.protocol] : []), num(t.sigma), s(t.networkSeconds), ...cols.map((c) => s(t.analyticalSeconds[c]))]);
  const sum = (f: (t: SigmaTiming) => number | undefined): number => timings.reduce((a, t) => a + (f(t) ?? 0), 0);
  rows.push([...(multi ? [''] : []), 'total', s(sum((t) => t.networkSeconds)), ...cols.map((c) => s(sum((t) => t.analyticalSeconds[c])))]);
  const t = dataTable([...(multi ? ['protocol'] : []), 'σ', 'network (s)', ...cols.map((c) => `${c} (s)`)], rows, 'timing');
  t.classList.add('numeric', 'compact', 'with-total');
  return t;
}

/** σ values the model could not take, with the reason. */
export function skippedList(run: CompareRun | undefined): HTMLElement {
  const skipped = run?.skippedSigmas ?? [];
  if (!skipped.length) return h('div', { id: 'skipped', hidden: '' });
  return h('div', { id: 'skipped', class: 'skipped' },
    h('p', {}, `Skipped ${skipped.length} σ value${skipped.length === 1 ? '' : 's'} outside the model's noise range:`),
    h('ul', {}, ...skipped.map((s) => h('li', {}, h('strong', {}, `σ = ${num(s.sigma)}`), `: ${s.reason}`))));
}
