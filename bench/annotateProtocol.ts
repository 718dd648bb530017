/**
 * The scripted annotator of the annotation benchmark (bench/annotate.ts, issue 18), like the
 * number-of-clicks protocol of interactive segmentation: on a frame with ground truth it makes
 * one stroke at a time into the largest wrongly labelled region of the current mask, until the
 * mask reaches 90% and 95% pixel accuracy (or a cap of strokes), and counts the strokes.
 *
 * The stroke model is the same for every tool: a scribble of the brush along the region's
 * skeleton (its longest path through the part of the region the brush fits in), of a fixed
 * radius, shrunk where the region is thinner than the brush (as an annotator would with [ ]),
 * or one click at the region's innermost pixel for a fill. The tools are the app's own
 * MaskDocument operations (src/renderer/src/annotator), on superpixels from the core's SLIC.
 */
import { computeSuperpixels } from '../src/core/assist/superpixels';
import { MaskDocument, type Point } from '../src/renderer/src/annotator/maskDocument';
import { SuperpixelMap } from '../src/renderer/src/annotator/superpixelMap';
import { type AssistOptions, type ExtraFeatures, LiveAssist, acceptProposal } from '../src/renderer/src/annotator/assist';

export const IGNORE = 255;

/** The tools compared, by their key in the results. */
export const TOOLS = ['brush', 'brush_fill', 'superpixel', 'assist_colour', 'assist_sde', 'assist_seg', 'assist_sde_seg'] as const;
export type ToolName = (typeof TOOLS)[number];
/** The assist tools that need features from a network, and which: SDE, a segmentation run's class probabilities, both. */
export const NETWORK_ASSISTS = { assist_sde: ['sde'], assist_seg: ['seg'], assist_sde_seg: ['sde', 'seg'] } as const satisfies Partial<Record<ToolName, readonly ('sde' | 'seg')[]>>;

export interface Frame {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  /** Ground-truth class per pixel, 255 = ignore (not counted). */
  readonly gt: Uint8Array;
}

/** Share of the counted (non-ignore) pixels whose mask value equals the ground truth, 0..1. */
export function pixelAccuracy(mask: Uint8Array, gt: Uint8Array): number {
  let counted = 0;
  let right = 0;
  for (let i = 0; i < gt.length; i++) {
    if (gt[i] === IGNORE) continue;
    counted++;
    if (mask[i] === gt[i]) right++;
  }
  return counted === 0 ? 1 : right / counted;
}

export interface Region {
  /** Pixel indices, in the order found. */
  readonly pixels: Int32Array;
  /** The ground-truth class of the region. */
  readonly cls: number;
}

/**
 * The largest 4-connected region of wrongly labelled pixels that share one ground-truth class
 * (a stroke paints one class), or null when every counted pixel is right.
 */
export function largestWrongRegion(mask: Uint8Array, gt: Uint8Array, width: number, height: number): Region | null {
  const n = width * height;
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let best: Region | null = null;
  for (let s = 0; s < n; s++) {
    if (seen[s] || gt[s] === IGNORE || mask[s] === gt[s]) continue;
    const cls = gt[s];
    seen[s] = 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    while (head < tail) {
      const p = queue[head++];
      const x = p % width;
      const next = [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, p - width, p + width];
      for (const q of next) {
        if (q < 0 || q >= n || seen[q] || gt[q] !== cls || mask[q] === cls) continue;
        seen[q] = 1;
        queue[tail++] = q;
      }
    }
    if (!best || tail > best.pixels.length) best = { pixels: queue.slice(0, tail), cls };
  }
  return best;
}

export interface Stroke {
  /** The scribble, in image coordinates (pixel centres). */
  readonly points: Point[];
  /** The brush radius used (the fixed one, or less in a thinner region). */
  readonly radius: number;
  /** The region's innermost pixel: where a fill clicks. */
  readonly click: { x: number; y: number };
}

/**
 * The scribble into a region: the path runs along the skeleton of the pixels where the brush
 * disc fits, through every branch of its largest piece (or, where that is longer, along the
 * longest path through those pixels), a point every radius pixels. The
 * radius is `radius`, or a half, a quarter, 1 or 0.5 of a pixel where that paints more of a
 * thin or ragged region (scored by skeleton length x brush width).
 */
export function strokeInto(region: Region, width: number, height: number, radius: number): Stroke {
  const n = width * height;
  const inside = new Uint8Array(n);
  for (const p of region.pixels) inside[p] = 1;
  // Chessboard distance to the nearest pixel outside the region (the frame's border is outside).
  const dist = new Int32Array(n);
  const queue = new Int32Array(region.pixels.length);
  let head = 0;
  let tail = 0;
  for (const p of region.pixels) {
    const x = p % width;
    const y = (p / width) | 0;
    let edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
    for (let dy = -1; dy <= 1 && !edge; dy++) for (let dx = -1; dx <= 1 && !edge; dx++) if (!inside[p + dy * width + dx]) edge = true;
    if (edge) {
      dist[p] = 1;
      queue[tail++] = p;
    }
  }
  let deepest = queue[0];
  while (head < tail) {
    const p = queue[head++];
    const x = p % width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if (x + dx < 0 || x + dx >= width) continue;
        const q = p + dy * width + dx;
        if (q < 0 || q >= n || !inside[q] || dist[q] > 0) continue;
        dist[q] = dist[p] + 1;
        queue[tail++] = q;
        if (dist[q] > dist[deepest]) deepest = q;
      }
    }
  }
  const maxDist = dist[deepest];
  // The brush size that paints most of the region along its skeleton: the fixed radius, or a
  // smaller one where the region is too thin or ragged for it (the disc must fit: chessboard
  // distance to the outside above the radius).
  let best: { r: number; path: number[]; score: number } | null = null;
  for (const candidate of [radius, radius / 2, radius / 4, 1, 0.5]) {
    const r = Math.min(candidate, Math.max(0.5, maxDist - 1));
    if (best && r >= best.r) continue; // tried already (or larger than one that was)
    const need = Math.floor(r) + 1;
    const core = (p: number): boolean => inside[p] === 1 && dist[p] >= need;
    const skeleton = thin(core, width, height, region.pixels);
    if (skeleton.length === 0) skeleton.push(deepest);
    // Along the skeleton's branches, or (where thinning leaves little, as in a square) the
    // longest path through the pixels where the disc fits.
    for (const path of [tour(skeleton, width, height), longestPath(core, deepest, width, height)]) {
      const score = new Set(path).size * 2 * r + Math.PI * r * r;
      if (!best || score > best.score) best = { r, path, score };
    }
  }
  const { r, path } = best as { r: number; path: number[] };
  const step = Math.max(1, Math.round(r));
  const points: Point[] = [];
  for (let i = 0; i < path.length; i += step) points.push(centre(path[i], width));
  if ((path.length - 1) % step !== 0) points.push(centre(path[path.length - 1], width));
  const click = { x: deepest % width, y: (deepest / width) | 0 };
  return { points, radius: r, click };
}

/**
 * The longest geodesic path (4-connected) through the pixels for which `keep` holds, in the
 * piece of `from`: from `from` to the farthest pixel, and from there to the farthest again.
 */
function longestPath(keep: (p: number) => boolean, from: number, width: number, height: number): number[] {
  const n = width * height;
  const far = (start: number): { end: number; parent: Map<number, number> } => {
    const parent = new Map<number, number>([[start, -1]]);
    const queue = [start];
    let end = start;
    for (let h = 0; h < queue.length; h++) {
      const p = queue[h];
      end = p;
      const x = p % width;
      for (const c of [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, p - width, p + width]) {
        if (c < 0 || c >= n || parent.has(c) || !keep(c)) continue;
        parent.set(c, p);
        queue.push(c);
      }
    }
    return { end, parent };
  };
  if (!keep(from)) return [from];
  const a = far(from).end;
  const { end: b, parent } = far(a);
  const path: number[] = [];
  for (let p = b; p >= 0; p = parent.get(p) as number) path.push(p);
  return path;
}

/**
 * The skeleton (Zhang-Suen thinning) of the pixels for which `keep` holds among `pixels`: a
 * one-pixel-wide, 8-connected set along the middle of each piece.
 */
function thin(keep: (p: number) => boolean, width: number, height: number, pixels: Int32Array): number[] {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (const p of pixels) {
    if (!keep(p)) continue;
    const x = p % width;
    const y = (p / width) | 0;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x1 < 0) return [];
  // A working copy of the bounding box with a border of one pixel.
  const w = x1 - x0 + 3;
  const h = y1 - y0 + 3;
  const on = new Uint8Array(w * h);
  for (const p of pixels) if (keep(p)) on[(((p / width) | 0) - y0 + 1) * w + (p % width) - x0 + 1] = 1;
  // Only pixels on the boundary can go: the candidates are those, and the neighbours of each
  // pixel removed (the same result as scanning every pixel each pass, in time along the boundary).
  const offsets = [-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1]; // P2..P9 clockwise from north
  const mark = new Uint8Array(w * h);
  let candidates: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (on[i] && offsets.some((o) => !on[i + o])) candidates.push(i);
    }
  }
  const removable = (i: number, pass: number): boolean => {
    let b = 0;
    let a = 0;
    for (let k = 0; k < 8; k++) {
      const v = on[i + offsets[k]];
      b += v;
      if (v === 0 && on[i + offsets[(k + 1) % 8]] === 1) a++;
    }
    if (b < 2 || b > 6 || a !== 1) return false;
    const [p2, p4, p6, p8] = [on[i - w], on[i + 1], on[i + w], on[i - 1]];
    return pass === 0 ? p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0 : p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      const remove = candidates.filter((i) => on[i] && removable(i, pass));
      for (const i of remove) on[i] = 0;
      if (remove.length > 0) changed = true;
      const next: number[] = [];
      const add = (i: number): void => {
        if (!on[i] || mark[i]) return;
        mark[i] = 1;
        next.push(i);
      };
      for (const i of candidates) add(i);
      for (const i of remove) for (const o of offsets) add(i + o);
      for (const i of next) mark[i] = 0;
      candidates = next;
    }
  }
  const out: number[] = [];
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) if (on[y * w + x]) out.push((y - 1 + y0) * width + (x - 1 + x0));
  return out;
}

/**
 * One scribble through every pixel of a skeleton: a depth-first walk over its 8-connected
 * pixels from an end, going back along the way to reach each branch (as a hand scribbles a
 * branching shape in one stroke), over the skeleton's largest piece.
 */
function tour(skeleton: number[], width: number, height: number): number[] {
  const inSkel = new Set(skeleton);
  const neighbours = (p: number): number[] => {
    const x = p % width;
    const y = (p / width) | 0;
    const out: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if ((dx === 0 && dy === 0) || x + dx < 0 || x + dx >= width || y + dy < 0 || y + dy >= height) continue;
        const q = p + dy * width + dx;
        if (inSkel.has(q)) out.push(q);
      }
    }
    return out;
  };
  // The largest 8-connected piece, from one of its ends.
  const pieceOf = new Map<number, number>();
  let largest: number[] = [];
  for (const s of skeleton) {
    if (pieceOf.has(s)) continue;
    const piece = [s];
    pieceOf.set(s, s);
    for (let i = 0; i < piece.length; i++) {
      for (const q of neighbours(piece[i])) {
        if (pieceOf.has(q)) continue;
        pieceOf.set(q, s);
        piece.push(q);
      }
    }
    if (piece.length > largest.length) largest = piece;
  }
  const start = largest.find((p) => neighbours(p).length <= 1) ?? largest[0];
  const visited = new Set<number>([start]);
  const path: number[] = [start];
  const stack: number[] = [start];
  while (stack.length > 0) {
    const p = stack[stack.length - 1];
    const next = neighbours(p).find((q) => !visited.has(q));
    if (next === undefined) {
      stack.pop();
      if (stack.length > 0) path.push(stack[stack.length - 1]); // back along the way
      continue;
    }
    visited.add(next);
    stack.push(next);
    path.push(next);
  }
  // The walk back from the last branch to the start paints nothing new: drop it.
  let last = path.length - 1;
  const firstVisit = new Map<number, number>();
  path.forEach((p, i) => firstVisit.has(p) || firstVisit.set(p, i));
  while (last > 0 && firstVisit.get(path[last]) !== last) last--;
  return path.slice(0, last + 1);
}

const centre = (p: number, width: number): Point => ({ x: (p % width) + 0.5, y: ((p / width) | 0) + 0.5 });

export interface ToolRun {
  /** Strokes until the mask first reached 90% / 95% pixel accuracy (null: not within the cap). */
  readonly strokes90: number | null;
  readonly strokes95: number | null;
  /** Accuracy after each stroke. */
  readonly accuracy: number[];
  /** Time of the tool's mask operations per stroke, ms (the scripted annotator's own search excluded). */
  readonly toolMs: number[];
  /** assist_colour: time to retrain the classifier and propose after each stroke, ms. */
  readonly updateMs: number[];
}

export interface ProtocolSettings {
  /** The brush radius of a scribble, pixels. */
  readonly radius: number;
  /** Strokes at most per frame and tool. */
  readonly cap: number;
  /** The region fill's colour tolerance (CIELAB delta E). */
  readonly tolerance: number;
  /** The live assist's set-up (the app's defaults where absent). */
  readonly assist?: AssistOptions;
}

/**
 * One tool on one frame, from an empty mask. brush_fill clicks the region fill into a region
 * larger than four brush discs, and keeps the result only where it raised the accuracy
 * (else it undoes it, the click still counted, and scribbles with the brush). assist_colour
 * scribbles with the brush, and the result after each stroke is the painted pixels plus the
 * live assist's proposal for all the others (what "accept all" would give); the other assist
 * tools the same with the network features of the superpixels (`extra`, NETWORK_ASSISTS) too.
 */
export function runTool(tool: ToolName, frame: Frame, superpixels: SuperpixelMap, s: ProtocolSettings, extra?: ExtraFeatures): ToolRun {
  if (tool in NETWORK_ASSISTS && !extra) throw new Error(`${tool} needs the network features of the superpixels (${NETWORK_ASSISTS[tool as keyof typeof NETWORK_ASSISTS].join(' + ')})`);
  const { width, height, gt } = frame;
  const doc = new MaskDocument(width, height);
  const accuracy: number[] = [];
  const toolMs: number[] = [];
  let strokes90: number | null = null;
  let strokes95: number | null = null;
  const updateMs: number[] = [];
  const assist = tool === 'assist_colour' ? new LiveAssist(superpixels, undefined, s.assist) : tool in NETWORK_ASSISTS ? new LiveAssist(superpixels, extra, s.assist) : null;
  /** The current result: the mask, or with the assist the mask plus its proposal. */
  let result = doc.data;
  let acc = pixelAccuracy(result, gt);
  /** Superpixels where a region fill was clicked and undone: not clicked again. */
  const failedFill = new Uint8Array(superpixels.count);
  const record = (): void => {
    if (assist) {
      const t0 = performance.now();
      const proposal = assist.propose(doc.data);
      updateMs.push(performance.now() - t0);
      result = acceptProposal(doc.data, proposal.classes);
    }
    acc = pixelAccuracy(result, gt);
    accuracy.push(acc);
    if (strokes90 === null && acc >= 0.9) strokes90 = accuracy.length;
    if (strokes95 === null && acc >= 0.95) strokes95 = accuracy.length;
  };
  while (accuracy.length < s.cap && acc < 0.95) {
    const region = largestWrongRegion(result, gt, width, height);
    if (!region) break;
    const stroke = strokeInto(region, width, height, s.radius);
    const clickLabel = superpixels.labels[stroke.click.y * width + stroke.click.x];
    const tryFill = tool === 'brush_fill' && region.pixels.length > 4 * Math.PI * s.radius * s.radius && !failedFill[clickLabel];
    if (tryFill) {
      const before = doc.data.slice();
      const t0 = performance.now();
      doc.fillImageRegion(stroke.click.x, stroke.click.y, region.cls, superpixels, s.tolerance);
      toolMs.push(performance.now() - t0);
      const previous = acc;
      record();
      if (acc > previous) continue;
      doc.data.set(before); // undo: the click is counted, its result not kept
      acc = previous;
      failedFill[clickLabel] = 1;
      if (accuracy.length >= s.cap) break;
    }
    const t0 = performance.now();
    if (tool === 'superpixel') doc.paintSuperpixelStroke(stroke.points, stroke.radius, region.cls, superpixels);
    else doc.paintStroke(stroke.points, stroke.radius, region.cls);
    toolMs.push(performance.now() - t0);
    record();
  }
  return { strokes90, strokes95, accuracy, toolMs, updateMs };
}

/** The frame's superpixels as the app gets them (SLIC with the default settings), and how long SLIC took. */
export function frameSuperpixels(frame: Frame): { map: SuperpixelMap; slicMs: number; count: number } {
  const t0 = performance.now();
  const sp = computeSuperpixels(frame.rgb, frame.width, frame.height);
  const slicMs = performance.now() - t0;
  return { map: new SuperpixelMap(frame.width, frame.height, sp.labels, sp.count, sp.meanLab), slicMs, count: sp.count };
}

export interface ToolSummary {
  /** Mean strokes to 90% / 95% over the frames, a frame that did not get there counting the cap (the NoC convention). */
  readonly noc90: number;
  readonly noc95: number;
  /** Frames that reached 90% / 95% within the cap, of `frames`. */
  readonly reached90: number;
  readonly reached95: number;
  readonly frames: number;
  /** Mean pixel accuracy where each frame stopped (95% reached, or the cap), 0..100. */
  readonly finalAccuracy: number;
  /** Median time of one stroke's mask operation, ms. */
  readonly strokeMsMedian: number;
  /** assist_colour: the proposal's update time after a stroke (retrain + predict), ms. */
  readonly updateMs?: { readonly median: number; readonly p95: number };
}

export function summarise(runs: readonly ToolRun[], cap: number): ToolSummary {
  const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  const ms = runs.flatMap((r) => r.toolMs).sort((a, b) => a - b);
  const updates = runs.flatMap((r) => r.updateMs).sort((a, b) => a - b);
  return {
    noc90: round(mean(runs.map((r) => r.strokes90 ?? cap))),
    noc95: round(mean(runs.map((r) => r.strokes95 ?? cap))),
    reached90: runs.filter((r) => r.strokes90 !== null).length,
    reached95: runs.filter((r) => r.strokes95 !== null).length,
    frames: runs.length,
    finalAccuracy: round(100 * mean(runs.map((r) => r.accuracy[r.accuracy.length - 1] ?? 0))),
    strokeMsMedian: round(ms[Math.floor(ms.length / 2)] ?? NaN),
    ...(updates.length > 0 ? { updateMs: { median: round(updates[Math.floor(updates.length / 2)]!), p95: round(updates[Math.min(updates.length - 1, Math.floor(0.95 * updates.length))]!) } } : {}),
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;
