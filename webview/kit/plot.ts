// Plotly (the global loaded by the HTML shell) with theme-aware layouts, a trace palette and image export.
import { plotLayout, themeColor } from './theme';
import { num } from './ui';

export interface PlotlyFigure {
  data: unknown[];
  layout: Record<string, unknown>;
}
interface PlotlyApi {
  newPlot(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  toImage(fig: HTMLElement | PlotlyFigure, opts: { format: 'png' | 'svg'; width: number; height: number }): Promise<string>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
}
declare const Plotly: PlotlyApi | undefined;

/** The Plotly global, or undefined when the shell did not load it (plots then degrade to tables). */
export function plotly(): PlotlyApi | undefined {
  return typeof Plotly === 'undefined' ? undefined : Plotly;
}

export const PLOT_CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d', 'toImage'],
};

type Axis = Record<string, unknown>;

/** plotLayout() with per-axis settings merged (so axes keep the theme's grid colours). */
export function themedLayout(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = plotLayout();
  const grid = themeColor('--vscode-panel-border', '#444');
  const fg = themeColor('--vscode-foreground', '#ccc');
  const out: Record<string, unknown> = { ...base, hoverlabel: { font: { family: (base.font as { family: string }).family } }, ...extra };
  for (const [k, v] of Object.entries(extra)) {
    if (/^[xy]axis\d*$/.test(k) && v && typeof v === 'object') {
      out[k] = { gridcolor: grid, zerolinecolor: grid, linecolor: grid, tickcolor: grid, automargin: true, title: { font: { color: fg } }, ...(base[k] as Axis | undefined), ...(v as Axis) };
    }
  }
  out.legend = { bgcolor: 'rgba(0,0,0,0)', ...(extra.legend as Axis | undefined) };
  out.modebar = { bgcolor: 'rgba(0,0,0,0)', color: themeColor('--vscode-descriptionForeground', '#999'), activecolor: fg };
  return out;
}

/** Log-axis ticks at 1-2-5 × 10^k, labelled as plain numbers (no crowded minor labels). */
export function logTicks(minExp = -8, maxExp = 6): Axis {
  const vals: number[] = [];
  for (let e = minExp; e <= maxExp; e++) for (const m of [1, 2, 5]) vals.push(Number((m * 10 ** e).toPrecision(1)));
  return { tickmode: 'array', tickvals: vals, ticktext: vals.map((v) => num(v)) };
}

/** Trace colours: the theme's chart colours first, then a few that read on light and dark backgrounds. */
export function tracePalette(): string[] {
  return [
    themeColor('--vscode-charts-blue', '#3794ff'),
    themeColor('--vscode-charts-orange', '#d18616'),
    themeColor('--vscode-charts-green', '#89d185'),
    themeColor('--vscode-charts-red', '#f14c4c'),
    themeColor('--vscode-charts-purple', '#b180d7'),
    themeColor('--vscode-charts-yellow', '#cca700'),
    '#17a2b8', '#e377c2', '#8c8c5a', '#7f7f7f',
  ];
}

export const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash', 'longdashdot', '5px,3px,1px,3px', '10px,2px'];
export const SYMBOLS = ['circle', 'square', 'diamond', 'triangle-up', 'x', 'triangle-down', 'star', 'cross', 'pentagon', 'hexagon'];

/** A PNG/SVG data URL of a plot, with the editor background painted in (exports must read outside VS Code) and a title. */
export async function exportImage(el: HTMLElement, format: 'png' | 'svg', title?: string, width = 1200, height = 700): Promise<string> {
  const p = plotly();
  if (!p) throw new Error('Plotting is not available in this panel.');
  const gd = el as HTMLElement & { data?: unknown[]; layout?: Record<string, unknown> };
  if (!gd.data || !gd.layout) throw new Error('Nothing is plotted yet.');
  const bg = themeColor('--vscode-editor-background', '#1e1e1e');
  const margin = { ...(gd.layout.margin as Record<string, number> | undefined), ...(title ? { t: 50 } : {}) };
  const layout = { ...gd.layout, paper_bgcolor: bg, plot_bgcolor: bg, width, height, margin, ...(title ? { title: { text: title, x: 0.01, xanchor: 'left' } } : {}) };
  return p.toImage({ data: gd.data, layout }, { format, width, height });
}
