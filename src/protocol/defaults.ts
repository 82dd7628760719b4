// Defaults shared by the UI and the engine (plain data).

/** The 16 noise levels of the authors' Protocol A tables (science.md §4.2). */
export const DEFAULT_SIGMAS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.75, 1, 1.5, 2, 5, 10, 20, 30, 40, 80];

export const DEFAULT_SIGMAS_TEXT = DEFAULT_SIGMAS.join(', ');

/** "0.1, 1, 10" → [0.1, 1, 10]; undefined unless every entry is a positive number. */
export function parseSigmaList(text: string): number[] | undefined {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  const values = parts.map(Number);
  return values.length && values.every((v) => Number.isFinite(v) && v > 0) ? values : undefined;
}
