/** Numbers of a job's progress and metrics as the UI shows them (local and remote jobs alike). */

/** A finite number, or null. */
export const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Finite numbers of a metrics object (arrays and the rest left out). */
export function numbersOf(m: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
