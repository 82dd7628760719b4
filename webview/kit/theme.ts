// Plot colours and fonts taken from the active VS Code theme (CSS variables), so plots follow theme changes.
export function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** A plotly layout base in the theme's colours. */
export function plotLayout(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const fg = themeColor('--vscode-foreground', '#ccc');
  const grid = themeColor('--vscode-panel-border', '#444');
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: fg, family: themeColor('--vscode-font-family', 'sans-serif'), size: 12 },
    xaxis: { gridcolor: grid, zerolinecolor: grid },
    yaxis: { gridcolor: grid, zerolinecolor: grid, automargin: true },
    margin: { l: 10, r: 10, t: 10, b: 40 },
    ...extra,
  };
}
