/** Text and chart geometry for the training view (pure functions, tested on their own). */
import { defaultOf, SEG_SETTINGS_IN_APP, type JobStateName, type TrainingJobInfo, type TrainingRunInfo } from '../../../core/api/contract';

/** 75 -> "1 min 15 s", 4000 -> "1 h 7 min", null -> "–". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

/** Four significant digits, or a dash. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

export function percent(step: number, total: number): number {
  return total > 0 ? Math.min(100, Math.max(0, (100 * step) / total)) : 0;
}

const KIND_TITLE = { sde: 'SDE pretraining', seg: 'Segmentation', student: 'Selection student' } as const;

/** "Segmentation #5 (scratch, depthmix)" / "SDE pretraining #2". */
export function runTitle(r: Pick<TrainingRunInfo, 'id' | 'kind' | 'mode' | 'config'>): string {
  const mix = typeof r.config['mix'] === 'string' ? r.config['mix'] : null;
  const detail = [r.mode, mix].filter(Boolean).join(', ');
  return `${KIND_TITLE[r.kind]} #${r.id}${detail ? ` (${detail})` : ''}`;
}

/** "tiny net, 32×64, lr 0.01" from a run's recorded settings. */
export function configSummary(config: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof config['net'] === 'string') parts.push(`${config['net']} net`);
  if (typeof config['height'] === 'number' && typeof config['width'] === 'number') parts.push(`${config['height']}×${config['width']}`);
  if (typeof config['lr'] === 'number') parts.push(`lr ${formatNumber(config['lr'] as number, 3)}`);
  if (typeof config['labelledFrames'] === 'number') parts.push(`${config['labelledFrames']} labelled`);
  return parts.join(', ');
}

/** The number that says how good a run is: mIoU for segmentation, abs. rel. depth error for SDE. */
export function headlineMetric(r: Pick<TrainingRunInfo, 'kind' | 'metrics'>): { label: string; value: string } | null {
  const m = r.metrics;
  if (r.kind === 'seg' && m['miou'] !== undefined) return { label: 'mIoU', value: `${m['miou'].toFixed(1)}` };
  if (r.kind === 'sde' && m['absRel'] !== undefined) return { label: 'abs rel', value: formatNumber(m['absRel'], 3) };
  return null;
}

export const JOB_STATE_TEXT: Record<JobStateName, string> = {
  queued: 'queued',
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  done: 'done',
  paused: 'paused',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function jobEnded(j: Pick<TrainingJobInfo, 'state'>): boolean {
  return j.state === 'done' || j.state === 'paused' || j.state === 'failed' || j.state === 'cancelled';
}

export function jobTitle(j: Pick<TrainingJobInfo, 'kind' | 'runId' | 'settings'>): string {
  const run = j.runId !== null ? ` #${j.runId}` : '';
  if (j.kind === 'sde') return `SDE pretraining${run}`;
  if (j.kind === 'seg') {
    const s = j.settings;
    return `Retraining${run} (${String(s['mode'] ?? defaultOf(SEG_SETTINGS_IN_APP, 'mode'))}, ${String(s['mix'] ?? defaultOf(SEG_SETTINGS_IN_APP, 'mix'))})`;
  }
  return `Selection round (${String(j.settings['method'] ?? 'ds_us')}, ${String(j.settings['budget'] ?? '?')} frames)`;
}

// ---------------------------------------------------------------- charts

export interface Point {
  readonly step: number;
  readonly value: number;
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].map((f) => f * mag).find((u) => u >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / unit) * unit; v <= hi + unit * 1e-9; v += unit) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Tick labels with just the decimals their spacing needs (2.975, 2.98, 2.985 rather than 2.98 three times). */
export function tickLabels(ticks: readonly number[]): string[] {
  if (ticks.length < 2) return ticks.map((t) => formatNumber(t));
  const step = Math.abs(ticks[1]! - ticks[0]!);
  const big = Math.max(...ticks.map(Math.abs));
  if (big >= 1e5 || (big > 0 && big < 1e-3)) return ticks.map((t) => (t === 0 ? '0' : t.toExponential(Math.max(0, Math.floor(Math.log10(big)) - Math.floor(Math.log10(step) + 1e-9)))));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return ticks.map((t) => t.toFixed(decimals));
}

/** The value range a chart shows: the data's, padded by 5%, widened where flat. */
export function valueDomain(series: readonly (readonly Point[])[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const p of s) {
      if (p.value < lo) lo = p.value;
      if (p.value > hi) hi = p.value;
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (hi - lo < 1e-12) return [lo - Math.max(1e-6, Math.abs(lo) * 0.1), hi + Math.max(1e-6, Math.abs(hi) * 0.1)];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** An SVG path through the points, in a box of width x height with the given domains. */
export function linePath(points: readonly Point[], xDomain: [number, number], yDomain: [number, number], width: number, height: number): string {
  const [x0, x1] = xDomain;
  const [y0, y1] = yDomain;
  const sx = (x: number): number => (x1 > x0 ? ((x - x0) / (x1 - x0)) * width : 0);
  const sy = (y: number): number => (y1 > y0 ? height - ((y - y0) / (y1 - y0)) * height : height / 2);
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.step).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ');
}
