// Long-format CSV of result rows (one row per protocol × σ × model), columns in the order of the row objects.

/** CSV text with a header from the first row's keys; numbers at full precision, strings quoted when needed. */
export function rowsToCsv<T extends object>(rows: T[]): string {
  if (!rows.length) return '';
  const keys = Object.keys(rows[0]) as (keyof T)[];
  const cell = (v: unknown): string => {
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [keys.join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\n') + '\n';
}
