/**
 * How the review shows numbers: IoU and deltas as text, a run as one line, the confusion
 * matrix as row fractions and heat-map colours. Plain functions (tested in Node).
 */
import type { RunSummary } from '../../../core/api/contract';

/** An IoU (0..100) with one decimal; a dash where the class never occurred. */
export function formatIou(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(1);
}

/** A difference in IoU points with its sign (+1.2, −0.4, ±0.0); a dash where unknown. */
export function formatDelta(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  const r = Math.round(v * 10) / 10;
  if (r === 0) return '±0.0';
  return r > 0 ? `+${r.toFixed(1)}` : `−${Math.abs(r).toFixed(1)}`;
}

/** "#3 seg · transfer · step 1200 · mIoU 61.2 (running)" */
export function runLabel(r: RunSummary): string {
  const parts = [`#${r.id} ${r.kind === 'seg' ? 'segmentation' : r.kind === 'sde' ? 'SDE' : r.kind}`];
  if (r.mode) parts.push(r.mode);
  if (r.checkpointStep !== null) parts.push(`step ${r.checkpointStep}`);
  if (r.miou !== null) parts.push(`mIoU ${r.miou.toFixed(1)}`);
  const label = parts.join(' · ');
  return r.status === 'done' ? label : `${label} (${r.status})`;
}

/** Each row of a confusion matrix as fractions of its ground-truth pixels (a row without pixels stays 0). */
export function rowFractions(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum > 0 ? v / sum : 0));
  });
}

// Dark blue (none) through teal to yellow (all): readable on the dark theme.
const HEAT: readonly (readonly [number, number, number])[] = [
  [24, 27, 33],
  [30, 70, 120],
  [32, 140, 140],
  [150, 200, 80],
  [250, 230, 60],
];

/** A fraction 0..1 as a CSS colour on the heat scale. */
export function heatColour(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (HEAT.length - 1);
  const i = Math.min(HEAT.length - 2, Math.floor(x));
  const f = x - i;
  const a = HEAT[i]!;
  const b = HEAT[i + 1]!;
  const c = [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Text colour that stays readable on heatColour(t). */
export function heatTextColour(t: number): string {
  return t > 0.55 ? '#111' : '#e6e6e6';
}

/** Counts of painted (non-ignore) pixels in a mask. */
export function paintedPixels(mask: Uint8Array, ignore = 255): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== ignore) n++;
  return n;
}
