// The score-comparison panel: EV of analytical denoisers vs the network, filled in σ by σ, with table and exports.
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { CompareResult, CompareRow, CompareRun } from '../../src/protocol/compare';
import type { CompareViewToHost, HostToCompareView, ShownError } from '../../src/protocol/webview';
import { connectChannel } from '../kit/channel';
import { dataTable, errorBox, h } from '../kit/dom';
import { DEFAULT_METRIC, METRICS, evLayout, evTraces, resultsTable, skippedList, timingTable } from '../kit/compareViews';
import { PLOT_CONFIG, exportImage, plotly } from '../kit/plot';
import { baseName, busy, button, num, section, setDisabled, sig } from '../kit/ui';

type Status = 'waiting' | 'running' | 'done' | 'cancelled' | 'error';

interface View {
  runDir?: string;
  model: string;
  dataset: string;
  rows: CompareRow[];
  run?: CompareRun;
  total: number;
  done: number;
  status: Status;
  metric: string;
  table: boolean;
  /** Set when the run ended early: a cancellation banner or an error box. */
  stop?: { cancelled: boolean; error?: ShownError; interrupted?: boolean };
}

const host = connectChannel<HostToCompareView, CompareViewToHost, { runDir: string }>();
const app = document.getElementById('app')!;
let view: View = fresh('', '', undefined);
let pending = false;

/** A blank view; the metric and table choice carry over from `prev`. */
function fresh(model: string, dataset: string, prev: View | undefined = view): View {
  return { model, dataset, rows: [], total: 0, done: 0, status: 'waiting', metric: prev?.metric ?? DEFAULT_METRIC, table: prev?.table ?? false };
}

host.onMessage((m) => {
  switch (m.type) {
    case 'started':
      view = { ...fresh(baseName(m.model), baseName(m.dataset)), runDir: m.runDir, status: 'running' };
      host.setState({ runDir: m.runDir });
      renderSkeleton();
      break;
    case 'partial':
      if (!document.getElementById('ev-plot')) renderSkeleton();
      view.rows.push(...m.partial.rows);
      adoptRun(m.partial.run);
      view.total = m.partial.total;
      view.done = m.partial.index;
      if (view.status === 'waiting') view.status = 'running';
      break;
    case 'done':
      loadResult(m.result);
      view.status = 'done';
      break;
    case 'stopped':
      if (!document.getElementById('ev-plot')) renderSkeleton();
      if (m.run) adoptRun(m.run);
      view.runDir = m.runDir;
      view.done = m.run?.completedSigmas ?? view.done;
      view.total ||= totalOf(m.run);
      view.status = m.cancelled ? 'cancelled' : 'error';
      view.stop = { cancelled: m.cancelled, error: m.error };
      break;
    case 'restore': {
      loadResult(m.result);
      const st = m.result.run.status;
      view.status = st === 'complete' ? 'done' : st === 'failed' ? 'error' : 'cancelled';
      if (st === 'failed') view.stop = { cancelled: false, error: { message: m.result.run.error ?? 'The comparison failed.', hint: 'The results below are complete for the σ values that finished.' } };
      if (st === 'cancelled' || st === 'running') view.stop = { cancelled: true, interrupted: st === 'running' };
      break;
    }
  }
  schedule();
});
host.post({ type: 'ready' });
schedule();

/** Takes the latest run record (and the names, when 'started' was missed). */
function adoptRun(run: CompareRun): void {
  view.run = run;
  if (!view.model) {
    view.model = baseName(run.model.file);
    view.dataset = baseName(run.dataset.path);
  }
}

function totalOf(run: CompareRun | undefined): number {
  return run ? run.sigmas.length * Math.max(1, run.params.protocols?.length ?? 1) : 0;
}

/** A whole CompareResult ('done' or 'restore'): rows replace what streamed in. */
function loadResult(r: CompareResult): void {
  const keep = view.model ? { model: view.model, dataset: view.dataset } : { model: baseName(r.run.model.file), dataset: baseName(r.run.dataset.path) };
  view = { ...fresh(keep.model, keep.dataset), runDir: r.runDir, rows: [...r.rows], run: r.run, total: totalOf(r.run), done: r.run.completedSigmas };
  host.setState({ runDir: r.runDir });
  if (!document.getElementById('ev-plot')) renderSkeleton();
}

/** Coalesces bursts of messages into one redraw. */
function schedule(): void {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    pending = false;
    update();
  }, 0);
}

function renderSkeleton(): void {
  const metric = h('vscode-single-select', { id: 'metric', 'aria-label': 'Metric' },
    ...Object.entries(METRICS).map(([k, m]) => h('vscode-option', { value: k, ...(k === view.metric ? { selected: '' } : {}) }, m.label)));
  metric.addEventListener('change', () => {
    view.metric = (metric as unknown as { value: string }).value || DEFAULT_METRIC;
    update();
  });
  const toggle = h('vscode-checkbox', { id: 'table-toggle', toggle: '', label: 'Show as table' });
  if (view.table) toggle.setAttribute('checked', '');
  toggle.addEventListener('change', () => {
    view.table = (toggle as unknown as { checked: boolean }).checked;
    update();
  });
  const img = (format: 'png' | 'svg') => async (): Promise<void> => {
    const msg = document.getElementById('export-message');
    try {
      host.post({ type: 'saveImage', format, dataUrl: await exportImage(document.getElementById('ev-plot')!, format, exportTitle()) });
      msg?.replaceChildren();
    } catch (e) {
      msg?.replaceChildren(h('span', { class: 'bad' }, e instanceof Error ? e.message : String(e)));
    }
  };
  app.replaceChildren(
    h('header', { class: 'head' },
      h('div', {}, h('h1', { id: 'title' }, 'Score comparison'), h('p', { id: 'subtitle', class: 'subtitle' }, view.model || '—', h('span', { class: 'muted' }, ' vs '), view.dataset || '—')),
      h('div', { class: 'actions' },
        button('Cancel', () => host.post({ type: 'cancel' }), { id: 'cancel-button', secondary: true }),
        button('Open run folder', () => host.post({ type: 'openRunFolder' }), { id: 'open-run-folder', secondary: true }))),
    h('div', { id: 'progress', class: 'progress-line', role: 'status' }),
    h('div', { id: 'status-slot' }),
    h('div', { class: 'toolbar' },
      h('label', { for: 'metric' }, 'Metric'), metric, toggle,
      h('span', { class: 'spacer' }),
      h('span', { id: 'export-message' }),
      button('PNG', () => void img('png')(), { id: 'export-png', secondary: true, title: 'Save the plot as PNG (1200×700)' }),
      button('SVG', () => void img('svg')(), { id: 'export-svg', secondary: true, title: 'Save the plot as SVG' }),
      button('CSV', () => host.post({ type: 'exportCsv' }), { id: 'export-csv', secondary: true, title: 'Save results.csv' })),
    h('div', { id: 'ev-plot', class: 'plot wide', style: 'height:460px' }),
    h('div', { id: 'table-area', hidden: '' }),
    h('div', { id: 'skipped-slot' }),
    section('Time per σ', h('div', { id: 'timing-slot' })),
    section('Analytical models', h('div', { id: 'models-slot' })),
  );
}

function exportTitle(): string {
  const metric = METRICS[view.metric] ?? METRICS[DEFAULT_METRIC]!;
  return `${view.model} vs ${view.dataset}: ${metric.label.replace(' (log y)', '')}`;
}

function update(): void {
  document.body.dataset.state = view.status === 'waiting' ? 'loading' : view.status;
  if (!document.getElementById('ev-plot')) {
    if (view.status === 'waiting') app.replaceChildren(busy('Waiting for the comparison to start…'));
    return;
  }
  const metric = METRICS[view.metric] ?? METRICS[DEFAULT_METRIC]!;
  const subtitle = document.getElementById('subtitle');
  if (subtitle && view.model) subtitle.replaceChildren(view.model, h('span', { class: 'muted' }, ' vs '), view.dataset);
  progress();
  statusSlot();
  const running = view.status === 'running' || view.status === 'waiting';
  document.getElementById('cancel-button')?.toggleAttribute('hidden', !running);
  setDisabled(document.getElementById('open-run-folder'), !view.runDir);
  setDisabled(document.getElementById('export-png'), !view.rows.length || !plotly());
  setDisabled(document.getElementById('export-svg'), !view.rows.length || !plotly());
  setDisabled(document.getElementById('export-csv'), !view.runDir || !view.rows.length);

  const plotEl = document.getElementById('ev-plot')!;
  const tableArea = document.getElementById('table-area')!;
  const asTable = view.table || !plotly();
  const wasHidden = plotEl.hidden;
  plotEl.hidden = asTable;
  tableArea.hidden = !asTable;
  if (asTable) tableArea.replaceChildren(view.rows.length ? resultsTable(view.rows) : h('p', { class: 'muted', id: 'results-table' }, 'No rows yet.'));
  else tableArea.replaceChildren();
  const p = plotly();
  if (p) {
    void p.react(plotEl, evTraces(view.rows, view.run, metric), evLayout(metric), PLOT_CONFIG).then(() => {
      if (wasHidden && !asTable) p.Plots.resize(plotEl);
    });
  }
  document.getElementById('skipped-slot')?.replaceChildren(skippedList(view.run));
  document.getElementById('timing-slot')?.replaceChildren(timingTable(view.run?.timings ?? [], view.run?.approximations.map((a) => a.name) ?? []));
  document.getElementById('models-slot')?.replaceChildren(modelsTable(view.run));
}

function progress(): void {
  const el = document.getElementById('progress')!;
  const n = view.total || totalOf(view.run);
  const models = view.run?.approximations.length ?? new Set(view.rows.map((r) => r.name)).size;
  const protocols = view.run?.params.protocols?.length ?? 1;
  const last = view.run?.timings[view.run.timings.length - 1];
  switch (view.status) {
    case 'waiting':
    case 'running':
      el.replaceChildren(busy(`σ ${view.done}/${n || '?'}`), last ? h('span', { class: 'muted' }, ` · last σ = ${num(last.sigma)} (network ${sig(last.networkSeconds, 3)} s)`) : '');
      break;
    case 'done': {
      const sigmas = view.run?.sigmas.length ?? n;
      el.replaceChildren(h('span', { class: 'ok' }, '✓ '), `complete — ${sigmas} σ × ${models} models${protocols > 1 ? ` × ${protocols} protocols` : ''}`);
      break;
    }
    case 'cancelled':
      el.replaceChildren(`${view.stop?.interrupted ? 'interrupted' : 'cancelled'} — ${view.done} of ${n} noise levels`);
      break;
    case 'error':
      el.replaceChildren(`stopped by an error — ${view.done} of ${n} noise levels finished; their results are shown below`);
      break;
  }
}

function statusSlot(): void {
  const slot = document.getElementById('status-slot')!;
  const s = view.stop;
  if (!s) return slot.replaceChildren();
  const n = view.total || totalOf(view.run);
  if (s.cancelled) {
    const how = s.interrupted ? 'interrupted (the window was reloaded while it ran)' : 'cancelled';
    const status = s.interrupted ? (view.run?.status ?? 'running') : 'cancelled';
    slot.replaceChildren(h('div', { id: 'partial-banner', class: 'banner warning', role: 'status' },
      h('strong', {}, `Partial run: ${how} after ${view.done} of ${n} noise levels.`),
      ` Results shown are complete for those σ; run.json says status: ${status}.`));
  } else {
    slot.replaceChildren(errorBox(s.error?.message ?? 'The comparison failed.', s.error?.hint));
  }
}

function modelsTable(run: CompareRun | undefined): HTMLElement {
  if (!run?.approximations.length) return h('p', { class: 'muted' }, 'Building the analytical models…');
  const facts = [
    `${run.params.probes ?? 512} probes per σ`, `seed ${run.params.seed ?? 0}`, `protocol ${(run.params.protocols ?? ['A']).join(' + ')}`,
    run.model.parameterization, run.provider, `engine ${run.engineVersion}`,
  ].filter(Boolean).join(' · ');
  return h('div', {},
    dataTable(['name', 'spec', 'detail'], run.approximations.map((a) => [a.name, h('code', {}, a.spec), a.detail]), 'approximations'),
    h('p', { class: 'muted' }, facts));
}
