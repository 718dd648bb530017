/**
 * Superpixels by SLIC (simple linear iterative clustering, Achanta et al. 2012): k-means of
 * the pixels in (CIELAB colour, x, y), each centre searching only a 2S x 2S window around
 * itself, then every label made one 4-connected piece (small pieces join a neighbour).
 *
 * Plain TypeScript over typed arrays: no tfjs, no DOM. The annotator's superpixel brush and
 * its region fill use the result (served per frame by the API), and the annotation benchmark
 * (bench/annotate.ts) uses the same function.
 *
 * The work is split into steps (`slicSteps`, a generator): `computeSuperpixels` runs them all
 * at once, `computeSuperpixelsAsync` hands the event loop back between steps, so a process
 * serving a UI stays responsive while a large frame is segmented.
 */
import { UsageError } from '../errors';

export interface SuperpixelOptions {
  /** Grid step S in pixels between the initial centres (superpixels are about S x S). */
  readonly regionSize?: number;
  /** Weight of space against colour (m in the paper): larger = more compact, squarer cells. */
  readonly compactness?: number;
  /** k-means iterations (10 is the paper's). */
  readonly iterations?: number;
}

export interface Superpixels {
  readonly width: number;
  readonly height: number;
  /** Label of each pixel, row-major, 0..count-1; every label is one 4-connected piece. */
  readonly labels: Uint32Array;
  readonly count: number;
  /** Mean CIELAB colour of each label: L, a, b of label k at 3k..3k+2. */
  readonly meanLab: Float32Array;
  /** The grid step used. */
  readonly regionSize: number;
}

/** At most this many labels (so a label fits 16 bits when sent to the UI). */
export const MAX_SUPERPIXELS = 65535;
/** At most this many grid cells: a cluster split in pieces adds labels, this leaves room for that. */
const MAX_CELLS = 16384;

/**
 * The default grid step for a frame: about 1,500 superpixels, at least 6 pixels apart (so a
 * tiny frame still gets cells of a few dozen pixels).
 */
export function defaultRegionSize(width: number, height: number): number {
  return Math.max(6, Math.round(Math.sqrt((width * height) / 1500)));
}

function checkInput(rgb: Uint8Array, width: number, height: number, o: Required<SuperpixelOptions>): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new UsageError(`superpixels: image size must be positive integers, got ${width}x${height}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new UsageError(`superpixels: an RGB image of ${width}x${height} needs ${width * height * 3} bytes, got ${rgb.length}`);
  }
  if (!Number.isInteger(o.regionSize) || o.regionSize < 2) {
    throw new UsageError(`superpixels: region size must be an integer of at least 2 pixels, got ${o.regionSize}`);
  }
  if (!(o.compactness > 0) || !Number.isFinite(o.compactness)) {
    throw new UsageError(`superpixels: compactness must be a positive number, got ${o.compactness}`);
  }
  if (!Number.isInteger(o.iterations) || o.iterations < 1 || o.iterations > 100) {
    throw new UsageError(`superpixels: iterations must be an integer 1..100, got ${o.iterations}`);
  }
  const cells = Math.ceil(width / o.regionSize) * Math.ceil(height / o.regionSize);
  if (cells > MAX_CELLS) {
    throw new UsageError(`superpixels: region size ${o.regionSize} gives ${cells} cells on ${width}x${height}, more than ${MAX_CELLS}: use a larger region size`);
  }
}

/** sRGB byte -> linear light, once. */
const LINEAR = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return t;
})();

/** Lab's f(t) on a table over t in [0, 1] (linear between entries): the cube roots are most of the conversion's cost. */
const F_STEPS = 4096;
const F_TABLE = (() => {
  const t = new Float32Array(F_STEPS + 2);
  for (let i = 0; i <= F_STEPS + 1; i++) {
    const v = i / F_STEPS;
    t[i] = v > 0.008856 ? Math.cbrt(v) : 7.787 * v + 16 / 116;
  }
  return t;
})();
function labF(t: number): number {
  const u = Math.min(Math.max(t, 0), 1) * F_STEPS;
  const i = u | 0;
  return F_TABLE[i] + (F_TABLE[i + 1] - F_TABLE[i]) * (u - i);
}

/** CIELAB (D65) of an RGB image, interleaved: L, a, b of pixel p at 3p..3p+2. */
export function rgbToLab(rgb: Uint8Array, n: number): Float32Array {
  const lab = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const r = LINEAR[rgb[3 * i]];
    const g = LINEAR[rgb[3 * i + 1]];
    const b = LINEAR[rgb[3 * i + 2]];
    const fx = labF((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
    const fy = labF(0.2126 * r + 0.7152 * g + 0.0722 * b);
    const fz = labF((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    lab[3 * i] = 116 * fy - 16;
    lab[3 * i + 1] = 500 * (fx - fy);
    lab[3 * i + 2] = 200 * (fy - fz);
  }
  return lab;
}

/**
 * SLIC as steps: yields after the colour conversion and after each iteration, returns the
 * result. Throws UsageError (in words) on a wrong size, region size or setting.
 */
export function* slicSteps(rgb: Uint8Array, width: number, height: number, options: SuperpixelOptions = {}): Generator<void, Superpixels> {
  const o: Required<SuperpixelOptions> = {
    regionSize: options.regionSize ?? defaultRegionSize(width, height),
    compactness: options.compactness ?? 10,
    iterations: options.iterations ?? 10,
  };
  checkInput(rgb, width, height, o);
  const S = o.regionSize;
  const n = width * height;
  const lab = rgbToLab(rgb, n);
  yield;

  // Centres on a grid of step S (cells centred), each moved to the lowest colour gradient of its 3x3.
  const gx = Math.max(1, Math.round(width / S));
  const gy = Math.max(1, Math.round(height / S));
  const k = gx * gy;
  const cL = new Float64Array(k);
  const cA = new Float64Array(k);
  const cB = new Float64Array(k);
  const cX = new Float64Array(k);
  const cY = new Float64Array(k);
  const grad = (x: number, y: number): number => {
    const i = y * width + x;
    const r = 3 * (x + 1 < width ? i + 1 : i);
    const l = 3 * (x > 0 ? i - 1 : i);
    const d = 3 * (y + 1 < height ? i + width : i);
    const u = 3 * (y > 0 ? i - width : i);
    let g = 0;
    for (let c = 0; c < 3; c++) g += (lab[r + c] - lab[l + c]) ** 2 + (lab[d + c] - lab[u + c]) ** 2;
    return g;
  };
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      let bx = Math.min(width - 1, Math.floor(((i + 0.5) * width) / gx));
      let by = Math.min(height - 1, Math.floor(((j + 0.5) * height) / gy));
      let best = Infinity;
      const x0 = bx;
      const y0 = by;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = x0 + dx;
          const y = y0 + dy;
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const g = grad(x, y);
          if (g < best) {
            best = g;
            bx = x;
            by = y;
          }
        }
      }
      const c = j * gx + i;
      const p = 3 * (by * width + bx);
      cL[c] = lab[p];
      cA[c] = lab[p + 1];
      cB[c] = lab[p + 2];
      cX[c] = bx;
      cY[c] = by;
    }
  }

  const label = new Int32Array(n).fill(-1);
  const dist = new Float32Array(n);
  const spatial = (o.compactness / S) ** 2;
  const sums = new Float64Array(k * 6);
  for (let it = 0; it < o.iterations; it++) {
    dist.fill(Infinity);
    for (let c = 0; c < k; c++) {
      const x0 = Math.max(0, Math.floor(cX[c] - S));
      const x1 = Math.min(width - 1, Math.ceil(cX[c] + S));
      const y0 = Math.max(0, Math.floor(cY[c] - S));
      const y1 = Math.min(height - 1, Math.ceil(cY[c] + S));
      const l = cL[c];
      const a = cA[c];
      const b = cB[c];
      const cx = cX[c];
      const cy = cY[c];
      for (let y = y0; y <= y1; y++) {
        const dyy = (y - cy) * (y - cy);
        let p = y * width + x0;
        for (let x = x0; x <= x1; x++, p++) {
          const dl = lab[3 * p] - l;
          const da = lab[3 * p + 1] - a;
          const db = lab[3 * p + 2] - b;
          const dxx = x - cx;
          const d = dl * dl + da * da + db * db + (dxx * dxx + dyy) * spatial;
          if (d < dist[p]) {
            dist[p] = d;
            label[p] = c;
          }
        }
      }
    }
    // New centres: the means of their pixels (a centre that lost every pixel stays put).
    sums.fill(0);
    for (let y = 0, p = 0; y < height; y++) {
      for (let x = 0; x < width; x++, p++) {
        const c = label[p];
        if (c < 0) continue;
        const s = c * 6;
        sums[s] += lab[3 * p];
        sums[s + 1] += lab[3 * p + 1];
        sums[s + 2] += lab[3 * p + 2];
        sums[s + 3] += x;
        sums[s + 4] += y;
        sums[s + 5] += 1;
      }
    }
    for (let c = 0; c < k; c++) {
      const s = c * 6;
      const m = sums[s + 5];
      if (m === 0) continue;
      cL[c] = sums[s] / m;
      cA[c] = sums[s + 1] / m;
      cB[c] = sums[s + 2] / m;
      cX[c] = sums[s + 3] / m;
      cY[c] = sums[s + 4] / m;
    }
    yield;
  }
  const { labels, count } = enforceConnectivity(label, width, height, Math.max(1, (S * S) >> 2));
  return { width, height, labels, count, meanLab: meanColours(labels, count, lab), regionSize: S };
}

/**
 * Relabels so that each label is one 4-connected piece, in raster order; a piece smaller than
 * `minSize` joins the piece it touches first (above or left of where it starts).
 */
function enforceConnectivity(label: Int32Array, width: number, height: number, minSize: number): { labels: Uint32Array; count: number } {
  const n = width * height;
  const out = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (out[start] >= 0) continue;
    const old = label[start];
    // The neighbour piece to join if this one is small: any labelled 4-neighbour.
    let adjacent = -1;
    const sx = start % width;
    if (sx > 0 && out[start - 1] >= 0) adjacent = out[start - 1];
    else if (start >= width && out[start - width] >= 0) adjacent = out[start - width];
    else if (sx + 1 < width && out[start + 1] >= 0) adjacent = out[start + 1];
    out[start] = next;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    while (head < tail) {
      const p = queue[head++];
      const x = p % width;
      if (x > 0 && out[p - 1] < 0 && label[p - 1] === old) {
        out[p - 1] = next;
        queue[tail++] = p - 1;
      }
      if (x + 1 < width && out[p + 1] < 0 && label[p + 1] === old) {
        out[p + 1] = next;
        queue[tail++] = p + 1;
      }
      if (p >= width && out[p - width] < 0 && label[p - width] === old) {
        out[p - width] = next;
        queue[tail++] = p - width;
      }
      if (p + width < n && out[p + width] < 0 && label[p + width] === old) {
        out[p + width] = next;
        queue[tail++] = p + width;
      }
    }
    if (tail < minSize && adjacent >= 0) {
      for (let q = 0; q < tail; q++) out[queue[q]] = adjacent;
    } else {
      next++;
    }
  }
  // Only the piece at pixel 0 can be small and keep its label (it has no earlier neighbour).
  if (next > MAX_SUPERPIXELS) throw new UsageError(`superpixels: ${next} pieces, more than ${MAX_SUPERPIXELS}: use a larger region size`);
  return { labels: Uint32Array.from(out), count: next };
}

function meanColours(labels: Uint32Array, count: number, lab: Float32Array): Float32Array {
  const sums = new Float64Array(count * 4);
  for (let p = 0; p < labels.length; p++) {
    const s = labels[p] * 4;
    sums[s] += lab[3 * p];
    sums[s + 1] += lab[3 * p + 1];
    sums[s + 2] += lab[3 * p + 2];
    sums[s + 3] += 1;
  }
  const mean = new Float32Array(count * 3);
  for (let c = 0; c < count; c++) {
    const m = sums[c * 4 + 3] || 1;
    mean[c * 3] = sums[c * 4] / m;
    mean[c * 3 + 1] = sums[c * 4 + 1] / m;
    mean[c * 3 + 2] = sums[c * 4 + 2] / m;
  }
  return mean;
}

/** SLIC in one go. */
export function computeSuperpixels(rgb: Uint8Array, width: number, height: number, options: SuperpixelOptions = {}): Superpixels {
  const steps = slicSteps(rgb, width, height, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** SLIC handing the event loop back between its steps (each a fraction of a second on 2048x1024). */
export async function computeSuperpixelsAsync(rgb: Uint8Array, width: number, height: number, options: SuperpixelOptions = {}): Promise<Superpixels> {
  const steps = slicSteps(rgb, width, height, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
