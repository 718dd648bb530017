/**
 * A frame's superpixels as the annotator's image-aware tools read them: the label of every
 * pixel, each label's pixels and bounding box, which labels touch, and each label's mean
 * CIELAB colour. Plain TypeScript, no DOM: the superpixel brush and the region fill of
 * MaskDocument use it, in the app and in the annotation benchmark alike.
 *
 * The labels come from the core (SLIC, src/core/assist/superpixels.ts) through the API
 * (`frameSuperpixels`), 16 bits a pixel, little-endian.
 */
import { MaskError } from './maskError';
import type { Rect } from './rect';

export class SuperpixelMap {
  readonly width: number;
  readonly height: number;
  readonly count: number;
  /** Label of each pixel, row-major, 0..count-1. */
  readonly labels: Uint16Array | Uint32Array;
  /** Mean L, a, b of label k at 3k..3k+2. */
  readonly meanLab: Float32Array;
  /** Pixels of label k: pixels[offsets[k] .. offsets[k + 1]), in raster order. */
  private readonly offsets: Uint32Array;
  private readonly pixels: Uint32Array;
  /** Bounding box of label k: x0, y0, x1, y1 (inclusive) at 4k..4k+3. */
  private readonly boxes: Int32Array;
  private adjacency: { offsets: Uint32Array; neighbours: Uint32Array } | undefined;

  constructor(width: number, height: number, labels: Uint16Array | Uint32Array, count: number, meanLab: Float32Array) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new MaskError(`superpixel map size must be positive integers, got ${width}x${height}`);
    }
    if (labels.length !== width * height) {
      throw new MaskError(`superpixel map has ${labels.length} labels but a ${width}x${height} frame needs ${width * height}`);
    }
    if (!Number.isInteger(count) || count < 1) throw new MaskError(`superpixel count must be a positive integer, got ${count}`);
    if (meanLab.length !== 3 * count) {
      throw new MaskError(`superpixel colours: ${count} superpixels need ${3 * count} values, got ${meanLab.length}`);
    }
    this.width = width;
    this.height = height;
    this.labels = labels;
    this.count = count;
    this.meanLab = meanLab;
    const sizes = new Uint32Array(count + 1);
    const boxes = new Int32Array(4 * count);
    for (let k = 0; k < count; k++) {
      boxes[4 * k] = width;
      boxes[4 * k + 1] = height;
      boxes[4 * k + 2] = -1;
      boxes[4 * k + 3] = -1;
    }
    for (let y = 0, p = 0; y < height; y++) {
      for (let x = 0; x < width; x++, p++) {
        const k = labels[p];
        if (k >= count) throw new MaskError(`superpixel label ${k} at (${x}, ${y}) is not below the count ${count}`);
        sizes[k + 1]++;
        const b = 4 * k;
        if (x < boxes[b]) boxes[b] = x;
        if (y < boxes[b + 1]) boxes[b + 1] = y;
        if (x > boxes[b + 2]) boxes[b + 2] = x;
        if (y > boxes[b + 3]) boxes[b + 3] = y;
      }
    }
    for (let k = 0; k < count; k++) sizes[k + 1] += sizes[k];
    this.offsets = sizes;
    const fill = sizes.slice(0, count);
    const pixels = new Uint32Array(width * height);
    for (let p = 0; p < labels.length; p++) pixels[fill[labels[p]]++] = p;
    this.pixels = pixels;
    this.boxes = boxes;
  }

  /**
   * From the API's encoding: labels as 16-bit little-endian bytes (base64-decoded by the
   * caller) and the mean colours as plain numbers.
   */
  static fromBytes(width: number, height: number, labelBytes: Uint8Array, count: number, meanLab: readonly number[]): SuperpixelMap {
    if (labelBytes.length !== 2 * width * height) {
      throw new MaskError(`superpixel labels: a ${width}x${height} frame needs ${2 * width * height} bytes, got ${labelBytes.length}`);
    }
    const labels = new Uint16Array(width * height);
    for (let i = 0; i < labels.length; i++) labels[i] = labelBytes[2 * i] | (labelBytes[2 * i + 1] << 8);
    return new SuperpixelMap(width, height, labels, count, Float32Array.from(meanLab));
  }

  /** The pixel indices (y * width + x) of label k. */
  pixelsOf(k: number): Uint32Array {
    return this.pixels.subarray(this.offsets[k], this.offsets[k + 1]);
  }

  /** The bounding box of label k. */
  boxOf(k: number): Rect {
    const b = 4 * k;
    return { x: this.boxes[b], y: this.boxes[b + 1], width: this.boxes[b + 2] - this.boxes[b] + 1, height: this.boxes[b + 3] - this.boxes[b + 1] + 1 };
  }

  /** The labels that share a pixel edge with label k. */
  neighboursOf(k: number): Uint32Array {
    const adj = (this.adjacency ??= this.buildAdjacency());
    return adj.neighbours.subarray(adj.offsets[k], adj.offsets[k + 1]);
  }

  /** Distance between two labels' mean colours (CIELAB delta E, 1976). */
  colourDistance(a: number, b: number): number {
    const m = this.meanLab;
    return Math.hypot(m[3 * a] - m[3 * b], m[3 * a + 1] - m[3 * b + 1], m[3 * a + 2] - m[3 * b + 2]);
  }

  /**
   * The labels reached from `seed` through touching labels whose mean colour is within
   * `tolerance` of the seed's (not of the previous step's, so a slow gradient does not lead
   * the region across an edge), as a 0/1 array over the labels.
   */
  similarRegion(seed: number, tolerance: number): Uint8Array {
    if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new MaskError(`region tolerance must be a number >= 0, got ${tolerance}`);
    const inside = new Uint8Array(this.count);
    inside[seed] = 1;
    const queue = [seed];
    while (queue.length > 0) {
      const k = queue.pop() as number;
      for (const n of this.neighboursOf(k)) {
        if (inside[n] || this.colourDistance(seed, n) > tolerance) continue;
        inside[n] = 1;
        queue.push(n);
      }
    }
    return inside;
  }

  private buildAdjacency(): { offsets: Uint32Array; neighbours: Uint32Array } {
    const { width, height, labels, count } = this;
    const sets: Set<number>[] = Array.from({ length: count }, () => new Set<number>());
    for (let y = 0, p = 0; y < height; y++) {
      for (let x = 0; x < width; x++, p++) {
        const k = labels[p];
        if (x + 1 < width && labels[p + 1] !== k) {
          sets[k].add(labels[p + 1]);
          sets[labels[p + 1]].add(k);
        }
        if (y + 1 < height && labels[p + width] !== k) {
          sets[k].add(labels[p + width]);
          sets[labels[p + width]].add(k);
        }
      }
    }
    const offsets = new Uint32Array(count + 1);
    for (let k = 0; k < count; k++) offsets[k + 1] = offsets[k] + sets[k].size;
    const neighbours = new Uint32Array(offsets[count]);
    for (let k = 0; k < count; k++) neighbours.set([...sets[k]].sort((a, b) => a - b), offsets[k]);
    return { offsets, neighbours };
  }
}
