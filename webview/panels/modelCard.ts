// The model-card panel: signature, detected parameterization, ops, parameters, metadata; a one-click test run.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { ProbeResult } from '../../src/protocol/jobs';
import type { Dim, ModelCard, ValueInfo } from '../../src/protocol/modelCard';
import type { HostToWebview } from '../../src/protocol/webview';
import { Child, dataTable, errorBox, formatBytes, formatCount, h, keyValueTable } from '../kit/dom';
import { connect } from '../kit/host';
import { plotLayout } from '../kit/theme';

declare const Plotly: { newPlot(el: HTMLElement, data: unknown[], layout: unknown, config: unknown): Promise<void> } | undefined;

const host = connect<{ file: string }>();
const app = document.getElementById('app')!;
const base = (p: string): string => p.split(/[\\/]/).pop() ?? p;

host.onMessage((m: HostToWebview) => {
  switch (m.type) {
    case 'loading':
      host.setState({ file: m.file });
      document.body.dataset.state = 'loading';
      app.replaceChildren(h('h1', { id: 'title' }, base(m.file)), h('p', { class: 'muted' }, 'Reading the model…'));
      return;
    case 'error':
      document.body.dataset.state = 'error';
      app.replaceChildren(h('h1', { id: 'title' }, base(m.file)), errorBox(m.error.message, m.error.hint), reloadButton());
      return;
    case 'card':
      renderCard(m.card, m.canRun);
      document.body.dataset.state = 'ready';
      return;
    case 'probeRunning':
      probeArea().replaceChildren(h('p', { class: 'muted' }, 'Running the network…'));
      return;
    case 'probe':
      probeArea().replaceChildren(probeResult(m.result));
      return;
    case 'probeError':
      probeArea().replaceChildren(errorBox(m.error.message, m.error.hint));
      return;
  }
});
host.post({ type: 'ready' });

function renderCard(card: ModelCard, canRun: boolean): void {
  const p = card.parameterization;
  const problems = card.externalData.filter((f) => f.problem).map((f) => f.problem!);
  if (!p.ok && p.error) problems.push(p.error);
  const parts: Child[] = [
    h('header', { class: 'head' },
      h('h1', { id: 'title' }, base(card.file)),
      h('div', { class: 'actions' }, button('Copy as JSON', () => host.post({ type: 'copyJson' })), reloadButton())),
    h('p', { class: 'muted path' }, card.file),
    problems.length ? errorBox(problems.join(' '), 'The model card below is still complete; fix the problem to run the model.') : null,
    section('Parameterization', parameterization(card, canRun)),
    section('Inputs and outputs', signature(card)),
    section('Model', keyValueTable([
      ['Parameters', `${formatCount(card.parameterCount)} (${card.parameterCount.toLocaleString()})`],
      ['Weights by dtype', Object.entries(card.parameterBytesByDtype).map(([k, v]) => `${k}: ${formatCount(v)}`).join(', ') || '—'],
      ['Nodes', String(card.nodeCount)],
      ['Opsets', card.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')],
      ['IR version', String(card.irVersion)],
      ['Producer', card.producer || '—'],
      ['File size', formatBytes(card.sizeBytes)],
      ['SHA-256', h('code', {}, card.sha256)],
    ], 'model-facts')),
    card.externalData.length ? section('External data', dataTable(['file', 'tensors', 'needed', 'on disk', 'status'],
      card.externalData.map((f) => [f.location, f.tensors, formatBytes(f.bytesNeeded), f.size === undefined ? '—' : formatBytes(f.size), f.problem ? h('span', { class: 'bad' }, f.problem) : 'ok']), 'external-data')) : null,
    section('Operators', opHistogram(card.ops)),
    section('Metadata', Object.keys(card.metadata).length || card.docString
      ? keyValueTable([...Object.entries(card.metadata).map(([k, v]): [string, Child] => [k, v]), ...(card.docString ? [['doc string', card.docString] as [string, Child]] : [])], 'metadata')
      : h('p', { class: 'muted' }, 'No metadata_props in this model.')),
  ];
  app.replaceChildren(...parts.filter((x): x is HTMLElement => x instanceof HTMLElement));
}

function parameterization(card: ModelCard, canRun: boolean): HTMLElement {
  const p = card.parameterization;
  if (!p.ok) return h('div', { id: 'parameterization', class: 'bad' }, 'Not mapped to D(x, σ): see the problem above.');
  const range = p.sigmaRange!;
  return h('div', {},
    h('p', { id: 'parameterization', class: 'label' }, p.label ?? ''),
    keyValueTable([
      ['Image input', p.imageInput!],
      ['Noise input', p.timeInput!],
      ['Output', `${p.output} (${p.prediction})`],
      ['σ range', `${fmt(range[0])} … ${fmt(range[1])}`],
      ['Batch axis', String(p.batch)],
      ['Config', card.configFile ? h('a', { href: '#', id: 'open-config' }, base(card.configFile)) : 'none found (detected from the model alone)'],
    ]),
    h('h3', {}, 'How it was detected'),
    dataTable(['what', 'value', 'from'], p.evidence.map((e) => [e.field, e.value, e.source]), 'evidence'),
    p.warnings.length ? h('ul', { class: 'warnings' }, ...p.warnings.map((w) => h('li', {}, w))) : null,
    probeControls(canRun),
  );
}

function probeControls(canRun: boolean): HTMLElement {
  const sigma = h('vscode-textfield', { id: 'probe-sigma', value: '1', size: '6', 'aria-label': 'σ' });
  const run = button('Run D(x, σ) once', () => host.post({ type: 'probe', sigma: Number((sigma as unknown as { value: string }).value) }));
  if (!canRun) run.setAttribute('disabled', '');
  queueMicrotask(() => document.getElementById('open-config')?.addEventListener('click', (e) => {
    e.preventDefault();
    host.post({ type: 'openConfig' });
  }));
  return h('div', { class: 'probe' },
    h('div', { class: 'row' }, h('label', { for: 'probe-sigma' }, 'σ '), sigma, run),
    h('div', { id: 'probe-result' }, canRun ? '' : h('p', { class: 'muted' }, 'Running models needs a trusted workspace.')));
}

function probeResult(r: ProbeResult): HTMLElement {
  return keyValueTable([
    ['Execution provider', h('vscode-badge', {}, r.provider)],
    ...(r.fallbacks.length ? [['Skipped', r.fallbacks.join('; ')] as [string, Child]] : []),
    ['σ used', r.sigmaUsed === r.sigmaRequested ? fmt(r.sigmaUsed) : `${fmt(r.sigmaUsed)} (nearest timestep to ${fmt(r.sigmaRequested)})`],
    ['Batch × image', `${r.batch} × ${r.imageShape.join('×')}`],
    ['mean D²', fmt(r.outputMeanSquare)],
    ['Time', `${r.milliseconds.toFixed(1)} ms`],
  ], 'probe-table');
}

function signature(card: ModelCard): HTMLElement {
  const row = (kind: string, v: ValueInfo): Child[] => [kind, h('code', {}, v.name), v.dtype, shapeCell(v.shape)];
  return dataTable(['', 'name', 'dtype', 'shape'], [...card.inputs.map((v) => row('input', v)), ...card.outputs.map((v) => row('output', v))], 'signature');
}

function shapeCell(shape: Dim[] | undefined): HTMLElement {
  if (!shape) return h('span', { class: 'muted' }, 'unknown');
  const dims = shape.map((d, i) => {
    const el = typeof d === 'number' ? h('span', {}, String(d)) : h('span', { class: 'dynamic', title: 'dynamic axis' }, d ?? '?');
    return i ? [', ', el] : [el];
  }).flat();
  return h('span', { class: 'shape' }, '[', ...dims, ']');
}

function opHistogram(ops: Record<string, number>): HTMLElement {
  const entries = Object.entries(ops);
  const box = h('div', { id: 'ops' });
  if (typeof Plotly !== 'undefined' && entries.length) {
    const plot = h('div', { class: 'plot', style: `height:${Math.min(40 + entries.length * 22, 600)}px` });
    box.append(plot);
    const rev = [...entries].reverse();
    void Plotly.newPlot(plot, [{ type: 'bar', orientation: 'h', x: rev.map((e) => e[1]), y: rev.map((e) => e[0]), hovertemplate: '%{y}: %{x}<extra></extra>' }],
      plotLayout({ margin: { l: 10, r: 10, t: 10, b: 30 } }), { displaylogo: false, responsive: true });
  }
  box.append(dataTable(['op', 'count'], entries.map(([k, v]) => [k, v]), 'ops-table'));
  return box;
}

function section(title: string, body: Child): HTMLElement {
  return h('section', {}, h('h2', {}, title), body);
}

function button(label: string, onClick: () => void): HTMLElement {
  const b = h('vscode-button', {}, label);
  b.addEventListener('click', onClick);
  return b;
}

function reloadButton(): HTMLElement {
  const b = button('Reload', () => host.post({ type: 'reload' }));
  b.setAttribute('secondary', '');
  return b;
}

function probeArea(): HTMLElement {
  return document.getElementById('probe-result') ?? app;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : '∞';
}
