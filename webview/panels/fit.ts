// The dataset-statistics panel: a preview of the data, then the Gaussian fit (spectrum, mean, eigen-images, exports).
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { DatasetPreview, FitSummary, ValueScaleName } from '../../src/protocol/fit';
import type { FitViewToHost, HostToFitView } from '../../src/protocol/webview';
import { connectChannel } from '../kit/channel';
import { Child, errorBox, h, keyValueTable } from '../kit/dom';
import { drawImage, divergingLegend, imageCell, imageGrid, maxAbs, Shape } from '../kit/images';
import { spectrumPlot, classCountPlot } from '../kit/fitPlots';
import { baseName, busy, button, expo, num, section, seconds, setDisabled, sig } from '../kit/ui';

const host = connectChannel<HostToFitView, FitViewToHost, { dataset: string }>();
const app = document.getElementById('app')!;
const ZOOMS = [1, 1.5, 2, 3, 4];
let zoom = 0;

host.onMessage((m) => {
  switch (m.type) {
    case 'loading':
      host.setState({ dataset: m.dataset });
      document.body.dataset.state = 'loading';
      app.replaceChildren(h('h1', { id: 'title' }, baseName(m.dataset)), h('p', { class: 'muted path' }, m.dataset), busy('Reading a sample of the dataset…'));
      return;
    case 'error':
      document.body.dataset.state = 'error';
      app.replaceChildren(h('h1', { id: 'title' }, baseName(m.dataset)), h('p', { class: 'muted path' }, m.dataset), errorBox(m.error.message, m.error.hint));
      return;
    case 'preview':
      renderPreview(m.preview);
      document.body.dataset.state = 'ready';
      return;
    case 'fitting':
      document.body.dataset.state = 'fitting';
      setFitting(true);
      slot('fit-message').replaceChildren();
      return;
    case 'fit':
      setFitting(false);
      slot('fit-message').replaceChildren();
      slot('fit-result').replaceChildren(...renderFit(m.summary));
      applyZoom();
      document.body.dataset.state = 'fitted';
      return;
    case 'fitError':
      setFitting(false);
      slot('fit-message').replaceChildren(errorBox(m.error.message, m.error.hint));
      document.body.dataset.state = document.getElementById('fit-facts') ? 'fitted' : 'ready';
      return;
  }
});
host.post({ type: 'ready' });

function slot(id: string): HTMLElement {
  return document.getElementById(id) ?? app;
}

const SCALES: Record<ValueScaleName, string> = { minus1to1: '[−1, 1]', zero1: '[0, 1]', raw: 'raw values (unscaled)' };

function renderPreview(p: DatasetPreview): void {
  const [c, hh, w] = p.shape;
  const names = p.classNames ?? [];
  const labelName = (l: number): string => names[l] ?? String(l);
  const count = p.indices.length || Math.floor(p.images.length / (c * hh * w));
  const cells = Array.from({ length: count }, (_, i) => {
    const label = p.labels?.[i];
    const caption = p.hasLabels && label !== undefined ? labelName(label) : '';
    return imageCell(drawImage(p.images, i, p.shape, { kind: 'range', lo: p.valueRange[0], hi: p.valueRange[1] }), caption, `#${p.indices[i] ?? i}${caption ? ` · ${caption}` : ''}`);
  });
  const classes = p.hasLabels ? (names.length ? `${names.length} classes: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}` : 'yes (integer labels)') : 'none';
  app.replaceChildren(
    h('header', { class: 'head' }, h('h1', { id: 'title' }, baseName(p.path)), h('vscode-badge', {}, p.format)),
    h('p', { class: 'muted path' }, p.path),
    section('Dataset', keyValueTable([
      ['Images (N)', p.count.toLocaleString()],
      ['Shape C×H×W', `${c}×${hh}×${w}  (D = ${(c * hh * w).toLocaleString()}, ${c === 1 ? 'grayscale' : c === 3 ? 'RGB' : `${c} channels`})`],
      ['Format', p.format],
      ['Value range', `${num(p.valueRange[0])} … ${num(p.valueRange[1])}`],
      ['Scale', SCALES[p.scale] ?? p.scale],
      ['Labels', classes],
      ['Notes', p.notes.length ? h('ul', { class: 'notes' }, ...p.notes.map((n) => h('li', {}, n))) : '—'],
    ], 'dataset-facts')),
    section(`Sample (${count} random images)`, [zoomControls(), imageGrid(cells, w, 'preview-grid')]),
    section('Gaussian fit', fitForm(c * hh * w), 'fit-section'),
    h('div', { id: 'fit-result' }),
  );
  applyZoom();
}

function fitForm(dim: number): Child[] {
  const topk = h('vscode-textfield', { id: 'topk', type: 'number', min: '1', max: String(dim), placeholder: 'full spectrum', 'aria-label': 'Top-k eigenpairs' });
  const fit = button('Fit', () => {
    const raw = String((topk as unknown as { value: string }).value ?? '').trim();
    const k = Number(raw);
    if (raw && (!Number.isInteger(k) || k < 1 || k > dim)) {
      slot('fit-message').replaceChildren(errorBox(`Top-k must be a whole number from 1 to ${dim} (got "${raw}").`, 'Leave the field empty to fit the full spectrum.'));
      return;
    }
    slot('fit-message').replaceChildren();
    post(raw ? { type: 'fit', topk: k } : { type: 'fit' });
  }, { id: 'fit-button' });
  const cancel = button('Cancel', () => post({ type: 'cancel' }), { id: 'cancel-button', secondary: true });
  return [
    h('div', { class: 'form-row' },
      h('label', { for: 'topk' }, 'Top-k eigenpairs'), topk, fit,
      h('span', { id: 'fit-progress', class: 'busy-slot', hidden: '' }, busy('Fitting…'), cancel)),
    h('p', { class: 'muted hint' }, `Empty: the full ${dim.toLocaleString()}×${dim.toLocaleString()} covariance spectrum. k: the top k eigenpairs plus an isotropic remainder (for large D).`),
    h('div', { id: 'fit-message' }),
  ];
}

function post(m: FitViewToHost): void {
  host.post(m);
}

function setFitting(on: boolean): void {
  setDisabled(document.getElementById('fit-button'), on);
  setDisabled(document.getElementById('topk'), on);
  document.getElementById('fit-progress')?.toggleAttribute('hidden', !on);
}

function renderFit(s: FitSummary): HTMLElement[] {
  const m = s.meta;
  const [c, hh, w] = m.shape;
  const d = c * hh * w;
  const method = m.method === 'full'
    ? `full spectrum (rank ${m.rank.toLocaleString()})`
    : `top-k: k = ${m.rank.toLocaleString()} eigenpairs + isotropic tail σ² = ${num(m.tail)}`;
  const timings = Object.entries(m.timingsSeconds).map(([k, v]) => `${k} ${seconds(v)}`).join(' · ') || '—';
  const authors = button("Export in authors' layout…", () => post({ type: 'export', layout: 'authors' }), {
    id: 'export-authors', secondary: true, disabled: m.method === 'topk',
    title: m.method === 'topk' ? 'The authors’ PCA layout needs the full spectrum; refit with an empty top-k.' : 'stats_authors_layout.npz (the authors’ PCA .pt layout)',
  });
  const out: HTMLElement[] = [
    section('Fit result', [
      h('div', { class: 'actions toolbar' },
        button('Export stats.npz…', () => post({ type: 'export', layout: 'ours' }), { id: 'export-ours' }),
        authors,
        button('Open cache folder', () => post({ type: 'openFolder' }), { id: 'open-folder', secondary: true })),
      keyValueTable([
        ['Method', method],
        ['Eigensolver', m.solver ?? '—'],
        ['Images (N)', m.count.toLocaleString()],
        ['Dimension (D)', `${m.dim.toLocaleString()} = ${c}×${hh}×${w}`],
        ['Covariance divisor', `N − ddof, ddof = ${m.ddof}`],
        ['Trace (total variance)', sig(m.trace)],
        ['Residual ‖CV − VΛ‖/‖C‖', expo(m.residual)],
        ['Orthogonality ‖VᵀV − I‖', expo(m.orthogonality)],
        ['Timings', timings],
        ['Cache', s.cacheHit ? h('span', { class: 'cache-hit' }, 'reused from cache (no recomputation)') : 'computed now and cached'],
        ['Cache key', h('code', {}, m.cacheKey)],
        ['Engine', `${m.engineVersion} · ${m.provider}`],
        ['Created', m.createdAt],
      ], 'fit-facts'),
    ]),
    section('Eigenvalue spectrum', spectrumPlot(s.eigval, m.trace, m.tail, d)),
    section('Mean and eigen-images', eigenImages(s)),
  ];
  if (m.classCounts && Object.keys(m.classCounts).length) out.push(section('Per-class statistics', [...classCountPlot(m.classCounts, m.classNames), ...classMeans(s)]));
  return out;
}

/** One mean image per class, captioned with the class name, its count and its total variance tr Σ_c. */
function classMeans(s: FitSummary): Child[] {
  const m = s.meta;
  if (!s.classMeans || !m.classCounts) return [];
  const shape = m.shape as Shape;
  const [lo, hi] = m.valueRange;
  const labels = Object.keys(m.classCounts);
  const cells = labels.map((l, k) => {
    const name = m.classNames?.[Number(l)] ?? `class ${l}`;
    const variance = m.classVariance?.[k];
    return imageCell(drawImage(s.classMeans!, k, shape, { kind: 'range', lo, hi }), name,
      `${name}: ${m.classCounts![l].toLocaleString()} images${variance === undefined ? '' : `, tr Σ = ${sig(variance)} (dataset: ${sig(m.trace)})`}`);
  });
  return [h('p', { class: 'muted' }, 'Class means (hover for count and total variance tr Σ_c).'), imageGrid(cells, shape[2], 'class-means')];
}

function eigenImages(s: FitSummary): Child[] {
  const shape = s.meta.shape as Shape;
  const d = shape[0] * shape[1] * shape[2];
  const n = Math.min(s.eigenImageCount, Math.floor(s.eigenImages.length / d));
  const [lo, hi] = s.meta.valueRange;
  const mean = imageCell(drawImage(s.mean, 0, shape, { kind: 'range', lo, hi }), 'mean', `mean image, shown in the data range ${num(lo)} … ${num(hi)}`);
  const cells = Array.from({ length: n }, (_, i) => {
    const lam = s.eigval[i];
    const text = `${i + 1}: λ=${sig(lam, 3)}`;
    return imageCell(drawImage(s.eigenImages, i, shape, { kind: 'signed' }), text, `eigenvector ${i + 1}, λ = ${sig(lam)}, max|v| = ${sig(maxAbs(s.eigenImages, i * d, d))}`);
  });
  return [
    h('div', { class: 'image-toolbar' }, zoomControls(), shape[0] === 1 ? divergingLegend() : h('span', { class: 'muted' }, 'Eigen-images: per channel, 0 is mid-gray, ±max|v| per image.')),
    h('div', { class: 'eigen-row' },
      imageGrid([mean], shape[2], 'mean-image'),
      n ? imageGrid(cells, shape[2], 'eigen-grid') : h('p', { class: 'muted', id: 'eigen-grid' }, 'No eigen-images in this fit.')),
  ];
}

/** −/+ buttons that scale every image grid on the page (a CSS variable on body). */
function zoomControls(): HTMLElement {
  const label = h('span', { class: 'zoom-level' }, '');
  const out = button('−', () => setZoom(zoom - 1), { secondary: true, title: 'Smaller images' });
  const inn = button('+', () => setZoom(zoom + 1), { secondary: true, title: 'Larger images' });
  out.classList.add('zoom-out');
  inn.classList.add('zoom-in');
  return h('span', { class: 'zoom' }, out, label, inn);
}

function setZoom(z: number): void {
  zoom = Math.max(0, Math.min(ZOOMS.length - 1, z));
  applyZoom();
}

function applyZoom(): void {
  document.body.style.setProperty('--img-zoom', String(ZOOMS[zoom]));
  document.querySelectorAll('.zoom-level').forEach((e) => (e.textContent = `${ZOOMS[zoom]}×`));
  document.querySelectorAll('.zoom-out').forEach((e) => setDisabled(e, zoom === 0));
  document.querySelectorAll('.zoom-in').forEach((e) => setDisabled(e, zoom === ZOOMS.length - 1));
}
