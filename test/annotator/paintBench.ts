/**
 * Benchmark (not a test): the per-pointer-move cost of painting on a 2048x1024 mask with a
 * 20 px brush in the annotator's model: MaskDocument.paintStroke + EditHistory.touch +
 * renderMaskRgba of the dirty rectangle; plus the end-of-stroke commit, an undo, and a full
 * redraw. Browser costs (putImageData of the rect, Konva drawing the layer) are not here.
 * Run: node bin/run-ts.mjs test/annotator/paintBench.ts   (prints JSON)
 */
import { loadavg, cpus } from 'node:os';
import { EditHistory } from '../../src/renderer/src/annotator/history';
import { MaskDocument, type Point } from '../../src/renderer/src/annotator/maskDocument';
import { CITYSCAPES_LABEL_SET } from '../../src/core/labels';
import { classTable } from '../../src/renderer/src/annotator/classes';
import { buildMaskPalette, renderMaskRgba } from '../../src/renderer/src/annotator/maskImage';
import { unionRect, type Rect } from '../../src/renderer/src/annotator/rect';

const W = 2048;
const H = 1024;
const RADIUS = 10; // 20 px brush
const STEP = 12; // image pixels between two pointer events (a brisk stroke)

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const doc = new MaskDocument(W, H);
const history = new EditHistory(doc);
const palette = buildMaskPalette(classTable(CITYSCAPES_LABEL_SET).colors, 1);
const rgba = new Uint8ClampedArray(W * H * 4);
renderMaskRgba(doc.data, W, H, palette, rgba);

const moveMs: number[] = [];
const commitMs: number[] = [];
let strokes = 0;
let union: Rect | null = null;
for (let s = 0; s < 40; s++) {
  // A wavy stroke across the frame, as pointer events STEP px apart.
  const y0 = 60 + ((s * 23) % (H - 120));
  let last: Point = { x: 30, y: y0 };
  union = null;
  for (let x = 30 + STEP; x < W - 30; x += STEP) {
    const p = { x, y: y0 + 40 * Math.sin(x / 90) };
    const t0 = performance.now();
    const rect = doc.paintStroke([last, p], RADIUS, s % 19);
    history.touch(rect);
    if (rect) renderMaskRgba(doc.data, W, H, palette, rgba, rect);
    moveMs.push(performance.now() - t0);
    union = unionRect(union, rect);
    last = p;
  }
  const t1 = performance.now();
  history.commit();
  commitMs.push(performance.now() - t1);
  strokes++;
}

const tu = performance.now();
const undoRect = history.undo();
if (undoRect) renderMaskRgba(doc.data, W, H, palette, rgba, undoRect);
const undoMs = performance.now() - tu;

const fullMs: number[] = [];
for (let k = 0; k < 10; k++) {
  const t = performance.now();
  renderMaskRgba(doc.data, W, H, palette, rgba);
  fullMs.push(performance.now() - t);
}

const fillDoc = new MaskDocument(W, H, new Uint8Array(W * H).fill(10));
const tf = performance.now();
fillDoc.floodFill(100, 100, 2);
const floodFullFrameMs = performance.now() - tf;

const load = loadavg()[0];
console.log(
  JSON.stringify(
    {
      bench: 'annotator-paint-model',
      mask: `${W}x${H}`,
      brushDiameterPx: 2 * RADIUS,
      moveStepPx: STEP,
      moves: moveMs.length,
      strokes,
      perMoveMs: {
        median: +percentile(moveMs, 50).toFixed(4),
        p95: +percentile(moveMs, 95).toFixed(4),
        max: +Math.max(...moveMs).toFixed(4),
      },
      commitPerStrokeMs: { median: +percentile(commitMs, 50).toFixed(3), max: +Math.max(...commitMs).toFixed(3) },
      lastStrokeDirtyRect: union,
      undoMs: +undoMs.toFixed(3),
      historyBytes: history.bytesUsed,
      fullRedrawMs: { median: +percentile(fullMs, 50).toFixed(3) },
      floodFillWholeFrameMs: +floodFullFrameMs.toFixed(3),
      node: process.version,
      loadAverage1m: +load.toFixed(2),
      cpus: cpus().length,
      note:
        load > cpus().length * 0.5
          ? 'machine was busy (load average above half the cores): numbers may be inflated'
          : 'machine was mostly idle',
    },
    null,
    2,
  ),
);
