/**
 * The label mask being edited: width x height trainIds in a Uint8Array (row-major, 255 =
 * ignore), and the painting operations on it. Plain TypeScript, no DOM, no Konva: the canvas
 * component renders it, the history records it, tests run it in Node.
 *
 * Coordinates are image coordinates in pixels, continuous: pixel (i, j) covers
 * [i, i + 1) x [j, j + 1) and its centre is (i + 0.5, j + 0.5). A shape covers a pixel when
 * it covers the pixel's centre.
 *
 * Eraser: erasing paints 255 (ignore). In trainId space "unlabelled" and "ignore" are the
 * same value (Cityscapes maps every void class to 255), a fresh mask is all 255, and
 * training skips these pixels, so erased pixels are exactly "not labelled yet".
 *
 * Every operation returns the dirty rectangle: a rectangle holding every pixel it may have
 * changed (null when it cannot have changed any), for the history and the display update.
 */
import { IGNORE_ID } from './classes';
import { MaskError } from './maskError';
import { type Rect, rectFromBounds, unionRect } from './rect';
import type { SuperpixelMap } from './superpixelMap';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export { MaskError };

function checkLabel(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new MaskError(`mask value must be an integer 0..255, got ${value}`);
  }
}

export class MaskDocument {
  readonly width: number;
  readonly height: number;
  /** The trainIds, row-major; mutated in place by the operations. */
  readonly data: Uint8Array;

  /**
   * A mask of width x height. With `data` the bytes are used as they are (not copied) and
   * must be exactly width * height long; without it the mask starts all ignore.
   */
  constructor(width: number, height: number, data?: Uint8Array) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new MaskError(`mask size must be positive integers, got ${width}x${height}`);
    }
    if (data && data.length !== width * height) {
      throw new MaskError(
        `mask has ${data.length} bytes but a ${width}x${height} mask needs ${width * height}`,
      );
    }
    this.width = width;
    this.height = height;
    this.data = data ?? new Uint8Array(width * height).fill(IGNORE_ID);
  }

  /** The trainId at pixel (x, y); 255 outside the mask. */
  get(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return IGNORE_ID;
    return this.data[y * this.width + x];
  }

  /** The whole rectangle of the mask. */
  fullRect(): Rect {
    return { x: 0, y: 0, width: this.width, height: this.height };
  }

  /** Replaces every byte (e.g. with the model's prediction); the whole mask is dirty. */
  replaceAll(bytes: Uint8Array): Rect {
    if (bytes.length !== this.data.length) {
      throw new MaskError(
        `replacement mask has ${bytes.length} bytes but this ${this.width}x${this.height} mask has ${this.data.length}`,
      );
    }
    this.data.set(bytes);
    return this.fullRect();
  }

  /**
   * Paints a brush stroke: every pixel whose centre lies within `radius` of the polyline
   * through `points` (a "capsule" per segment, a disc for a single point). Filled row by row
   * from the exact capsule geometry, so however far apart two points are (a fast mouse move)
   * the stroke has no gaps.
   */
  paintStroke(points: readonly Point[], radius: number, value: number): Rect | null {
    checkLabel(value);
    if (!(radius > 0) || !Number.isFinite(radius)) {
      throw new MaskError(`brush radius must be a positive number, got ${radius}`);
    }
    if (points.length === 0) return null;
    for (const p of points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
        throw new MaskError(`stroke point must be finite, got (${p.x}, ${p.y})`);
      }
    }
    let dirty: Bounds = EMPTY_BOUNDS;
    if (points.length === 1) return toRect(this.fillCapsule(points[0], points[0], radius, value, dirty));
    for (let i = 1; i < points.length; i++) {
      dirty = this.fillCapsule(points[i - 1], points[i], radius, value, dirty);
    }
    return toRect(dirty);
  }

  /**
   * Takes a proposal where a brush stroke passes: every still unpainted (ignore) pixel under
   * the stroke gets `from`'s class there, where `from` has one ("accept inside a region" of the
   * live assist or of a carried proposal). Painted pixels keep their class.
   */
  takeStroke(points: readonly Point[], radius: number, from: Uint8Array): Rect | null {
    if (from.length !== this.data.length) throw new MaskError(`the proposal has ${from.length} pixels but the mask ${this.data.length}`);
    if (!(radius > 0) || !Number.isFinite(radius)) throw new MaskError(`brush radius must be a positive number, got ${radius}`);
    const data = this.data;
    let dirty: Bounds = EMPTY_BOUNDS;
    const segments: [Point, Point][] = points.length === 1 ? [[points[0]!, points[0]!]] : points.slice(1).map((q, i) => [points[i]!, q]);
    for (const [a, b] of segments) {
      if (![a.x, a.y, b.x, b.y].every(Number.isFinite)) throw new MaskError(`stroke point must be finite, got (${b.x}, ${b.y})`);
      let { x0, y0, x1, y1 } = dirty;
      this.capsuleSpans(a, b, radius, (row, i0, i1) => {
        for (let p = row + i0; p <= row + i1; p++) if (data[p] === IGNORE_ID && from[p] !== IGNORE_ID) data[p] = from[p]!;
        const j = row / this.width;
        x0 = Math.min(x0, i0);
        x1 = Math.max(x1, i1);
        y0 = Math.min(y0, j);
        y1 = Math.max(y1, j);
      });
      dirty = { x0, y0, x1, y1 };
    }
    return toRect(dirty);
  }

  /** The eraser: a brush stroke that paints ignore (255). */
  eraseStroke(points: readonly Point[], radius: number): Rect | null {
    return this.paintStroke(points, radius, IGNORE_ID);
  }

  /**
   * Fills a closed polygon (the last vertex joins the first) by scanlines with the even-odd
   * rule: a pixel is filled when its centre is inside. Edges are half-open in y, so shared
   * vertices are counted once and two polygons sharing an edge never both fill a pixel.
   */
  fillPolygon(vertices: readonly Point[], value: number): Rect | null {
    checkLabel(value);
    if (vertices.length < 3) return null;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const v of vertices) {
      if (!Number.isFinite(v.x) || !Number.isFinite(v.y)) {
        throw new MaskError(`polygon vertex must be finite, got (${v.x}, ${v.y})`);
      }
      minY = Math.min(minY, v.y);
      maxY = Math.max(maxY, v.y);
    }
    const { width, height, data } = this;
    const j0 = Math.max(0, Math.ceil(minY - 0.5));
    const j1 = Math.min(height - 1, Math.floor(maxY - 0.5));
    const xs: number[] = [];
    let bx0 = Infinity;
    let bx1 = -Infinity;
    let by0 = Infinity;
    let by1 = -Infinity;
    const n = vertices.length;
    for (let j = j0; j <= j1; j++) {
      const yc = j + 0.5;
      xs.length = 0;
      for (let k = 0; k < n; k++) {
        const a = vertices[k];
        const b = vertices[(k + 1) % n];
        if ((a.y <= yc && yc < b.y) || (b.y <= yc && yc < a.y)) {
          xs.push(a.x + ((yc - a.y) * (b.x - a.x)) / (b.y - a.y));
        }
      }
      xs.sort((p, q) => p - q);
      const row = j * width;
      for (let k = 0; k + 1 < xs.length; k += 2) {
        // Pixels whose centre lies in [xs[k], xs[k + 1]).
        const i0 = Math.max(0, Math.ceil(xs[k] - 0.5));
        const i1 = Math.min(width - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
        if (i1 < i0) continue;
        data.fill(value, row + i0, row + i1 + 1);
        if (i0 < bx0) bx0 = i0;
        if (i1 > bx1) bx1 = i1;
        if (j < by0) by0 = j;
        by1 = j;
      }
    }
    return rectFromBounds(bx0, by0, bx1, by1);
  }

  /**
   * Flood fill: repaints the 4-connected region of pixels that share the class of pixel
   * (x, y) (integer pixel indices), and nothing else. Iterative scanline fill with an
   * explicit stack, so a region as large as the frame cannot overflow the call stack.
   * Returns null when (x, y) is outside the mask or already has `value`.
   */
  floodFill(x: number, y: number, value: number): Rect | null {
    checkLabel(value);
    const { width, height, data } = this;
    x = Math.floor(x);
    y = Math.floor(y);
    if (x < 0 || y < 0 || x >= width || y >= height) return null;
    const target = data[y * width + x];
    if (target === value) return null;
    return this.scanlineFill(x, y, value, (p) => data[p] === target);
  }

  /**
   * The superpixel brush: every superpixel the brush stroke touches (the same capsules as
   * `paintStroke`) is painted whole. `done` (one byte per superpixel, kept by the caller for
   * the whole stroke) marks superpixels already painted by earlier pieces of the stroke, so a
   * long stroke paints each only once; without it every touched one is painted.
   */
  paintSuperpixelStroke(points: readonly Point[], radius: number, value: number, superpixels: SuperpixelMap, done?: Uint8Array): Rect | null {
    checkLabel(value);
    this.checkSuperpixels(superpixels);
    if (!(radius > 0) || !Number.isFinite(radius)) {
      throw new MaskError(`brush radius must be a positive number, got ${radius}`);
    }
    if (done && done.length !== superpixels.count) {
      throw new MaskError(`the stroke's superpixel marks have ${done.length} entries but there are ${superpixels.count} superpixels`);
    }
    if (points.length === 0) return null;
    for (const p of points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
        throw new MaskError(`stroke point must be finite, got (${p.x}, ${p.y})`);
      }
    }
    const marks = done ?? new Uint8Array(superpixels.count);
    const touched: number[] = [];
    const labels = superpixels.labels;
    const visit = (row: number, i0: number, i1: number): void => {
      for (let i = row + i0; i <= row + i1; i++) {
        const k = labels[i];
        if (!marks[k]) {
          marks[k] = 1;
          touched.push(k);
        }
      }
    };
    if (points.length === 1) this.capsuleSpans(points[0], points[0], radius, visit);
    for (let i = 1; i < points.length; i++) this.capsuleSpans(points[i - 1], points[i], radius, visit);
    let dirty: Rect | null = null;
    const data = this.data;
    for (const k of touched) {
      for (const p of superpixels.pixelsOf(k)) data[p] = value;
      dirty = unionRect(dirty, superpixels.boxOf(k));
    }
    return dirty;
  }

  /**
   * The region fill, which follows the image: repaints the pixels connected to (x, y) that
   * share its class in the mask (as `floodFill`) and lie in the image region of the click:
   * the superpixels reached from the clicked one through touching superpixels whose mean
   * colour is within `tolerance` (CIELAB delta E) of its own. On an empty mask it fills one
   * object or surface, not the frame. Returns null outside the mask or when (x, y) already
   * has `value`.
   */
  fillImageRegion(x: number, y: number, value: number, superpixels: SuperpixelMap, tolerance: number): Rect | null {
    checkLabel(value);
    this.checkSuperpixels(superpixels);
    const { width, height, data } = this;
    x = Math.floor(x);
    y = Math.floor(y);
    if (x < 0 || y < 0 || x >= width || y >= height) return null;
    const target = data[y * width + x];
    if (target === value) return null;
    const allowed = superpixels.similarRegion(superpixels.labels[y * width + x], tolerance);
    const labels = superpixels.labels;
    const open = (p: number): boolean => data[p] === target && allowed[labels[p]] === 1;
    return this.scanlineFill(x, y, value, open);
  }

  /**
   * Scanline fill from (x, y) over the 4-connected pixels where `open` holds (it must stop
   * holding once a pixel is painted `value`); returns the painted bounds.
   */
  private scanlineFill(x: number, y: number, value: number, open: (p: number) => boolean): Rect | null {
    const { width, height, data } = this;
    let bx0 = x;
    let bx1 = x;
    let by0 = y;
    let by1 = y;
    const stack: number[] = [y * width + x];
    while (stack.length > 0) {
      const seed = stack.pop() as number;
      if (!open(seed)) continue;
      const sy = (seed / width) | 0;
      const row = sy * width;
      let l = seed - row;
      let r = l;
      while (l > 0 && open(row + l - 1)) l--;
      while (r < width - 1 && open(row + r + 1)) r++;
      data.fill(value, row + l, row + r + 1);
      if (l < bx0) bx0 = l;
      if (r > bx1) bx1 = r;
      if (sy < by0) by0 = sy;
      if (sy > by1) by1 = sy;
      for (const ny of [sy - 1, sy + 1]) {
        if (ny < 0 || ny >= height) continue;
        const nrow = ny * width;
        let inRun = false;
        for (let i = l; i <= r; i++) {
          const isOpen = open(nrow + i);
          if (isOpen && !inRun) stack.push(nrow + i);
          inRun = isOpen;
        }
      }
    }
    return rectFromBounds(bx0, by0, bx1, by1);
  }

  private checkSuperpixels(sp: SuperpixelMap): void {
    if (sp.width !== this.width || sp.height !== this.height) {
      throw new MaskError(`the superpixels are ${sp.width}x${sp.height} but the mask is ${this.width}x${this.height}`);
    }
  }

  /** Fills every pixel whose centre is within r of segment a-b; returns the grown bounds. */
  private fillCapsule(a: Point, b: Point, r: number, value: number, bounds: Bounds): Bounds {
    const data = this.data;
    let { x0: bx0, y0: by0, x1: bx1, y1: by1 } = bounds;
    this.capsuleSpans(a, b, r, (row, i0, i1) => {
      data.fill(value, row + i0, row + i1 + 1);
      const j = row / this.width;
      if (i0 < bx0) bx0 = i0;
      if (i1 > bx1) bx1 = i1;
      if (j < by0) by0 = j;
      if (j > by1) by1 = j;
    });
    return { x0: bx0, y0: by0, x1: bx1, y1: by1 };
  }

  /**
   * The pixels whose centre is within r of segment a-b, row by row, as spans
   * `visit(rowStart, i0, i1)` (pixels rowStart + i0 .. rowStart + i1). For each row the
   * covered centres form one interval (a capsule is convex): the union of the two end discs'
   * chords and the band of the segment's rectangle.
   */
  private capsuleSpans(a: Point, b: Point, r: number, visit: (rowStart: number, i0: number, i1: number) => void): void {
    const { width, height } = this;
    const j0 = Math.max(0, Math.ceil(Math.min(a.y, b.y) - r - 0.5));
    const j1 = Math.min(height - 1, Math.floor(Math.max(a.y, b.y) + r - 0.5));
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    const rLen = r * Math.sqrt(len2);
    for (let j = j0; j <= j1; j++) {
      const yc = j + 0.5;
      let lo = Infinity;
      let hi = -Infinity;
      // End discs.
      for (const c of [a, b]) {
        const h2 = r * r - (yc - c.y) * (yc - c.y);
        if (h2 >= 0) {
          const h = Math.sqrt(h2);
          if (c.x - h < lo) lo = c.x - h;
          if (c.x + h > hi) hi = c.x + h;
        }
      }
      // Band: 0 <= t(x) <= 1 (projection onto the segment) and |cross(x)| <= r * |d|.
      if (len2 > 0) {
        // t(x) * len2 = dx * x + (-a.x * dx + (yc - a.y) * dy), wanted in [0, len2].
        const band1 = linearRange(dx, -a.x * dx + (yc - a.y) * dy, 0, len2);
        // cross(x) = -dy * x + (dx * (yc - a.y) + dy * a.x), wanted in [-rLen, rLen].
        const band2 = linearRange(-dy, dx * (yc - a.y) + dy * a.x, -rLen, rLen);
        const blo = Math.max(band1[0], band2[0]);
        const bhi = Math.min(band1[1], band2[1]);
        if (blo <= bhi) {
          if (blo < lo) lo = blo;
          if (bhi > hi) hi = bhi;
        }
      }
      if (lo > hi) continue;
      const i0 = Math.max(0, Math.ceil(lo - 0.5));
      const i1 = Math.min(width - 1, Math.floor(hi - 0.5));
      if (i1 < i0) continue;
      visit(j * width, i0, i1);
    }
  }
}

interface Bounds {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

const EMPTY_BOUNDS: Bounds = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };

function toRect(b: Bounds): Rect | null {
  return rectFromBounds(b.x0, b.y0, b.x1, b.y1);
}

/** The x with lo <= slope * x + offset <= hi, as [from, to] (possibly empty or infinite). */
function linearRange(slope: number, offset: number, lo: number, hi: number): [number, number] {
  if (slope === 0) {
    return offset >= lo && offset <= hi ? [-Infinity, Infinity] : [Infinity, -Infinity];
  }
  const p = (lo - offset) / slope;
  const q = (hi - offset) / slope;
  return p < q ? [p, q] : [q, p];
}
