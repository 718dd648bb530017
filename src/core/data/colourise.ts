import { IGNORE_ID, type LabelSet } from '../labels';
import type { RasterU8 } from './imageIo';

/** Class ids (255 = not labelled) in the label set's colours; unlabelled pixels are black. */
export function colouriseClassIds(width: number, height: number, ids: Uint8Array, labelSet: LabelSet): RasterU8 {
  const out = new Uint8Array(width * height * 3);
  const colours = labelSet.classes.map((c) => c.color);
  for (let i = 0; i < ids.length; i++) {
    const c = colours[ids[i]!];
    if (c) out.set(c, i * 3);
  }
  return { width, height, channels: 3, data: out };
}

// Anchors of a perceptual dark-to-bright map (magma-like): near = bright, far = dark.
const MAP: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [59, 15, 112],
  [140, 41, 129],
  [222, 73, 104],
  [254, 159, 109],
  [252, 253, 191],
];

function mapColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (MAP.length - 1);
  const i = Math.min(MAP.length - 2, Math.floor(x));
  const f = x - i;
  const a = MAP[i]!;
  const b = MAP[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f].map(Math.round) as [number, number, number];
}

/**
 * Disparity-like values (larger = closer) to colours, normalised per image between the 5th and
 * 95th percentile so one outlier does not flatten the picture. Non-finite or <= 0 values are black.
 */
export function colouriseDisparity(width: number, height: number, disp: Float32Array): RasterU8 {
  const valid = Array.from(disp).filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b);
  const out = new Uint8Array(width * height * 3);
  if (valid.length === 0) return { width, height, channels: 3, data: out };
  const lo = valid[Math.floor(valid.length * 0.05)]!;
  const hi = valid[Math.min(valid.length - 1, Math.floor(valid.length * 0.95))]!;
  const span = hi - lo || 1;
  for (let i = 0; i < disp.length; i++) {
    const v = disp[i]!;
    if (!(Number.isFinite(v) && v > 0)) continue;
    out.set(mapColour((v - lo) / span), i * 3);
  }
  return { width, height, channels: 3, data: out };
}

/** Where a prediction is wrong: red wrong, grey right, black ignored. */
export function errorMap(width: number, height: number, pred: Uint8Array, gt: Uint8Array): RasterU8 {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < gt.length; i++) {
    if (gt[i] === IGNORE_ID) continue;
    out.set(pred[i] === gt[i] ? [90, 90, 90] : [230, 30, 30], i * 3);
  }
  return { width, height, channels: 3, data: out };
}
