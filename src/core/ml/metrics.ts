/**
 * Evaluation metrics, plain TypeScript on typed arrays (no tfjs).
 *
 * Segmentation: a confusion matrix accumulated over a whole split (never averaged per image),
 * rows = ground truth, columns = prediction. IoU_c = TP / (TP + FP + FN). A class absent from
 * both the ground truth and the predictions of the whole split has no IoU (NaN in
 * `perClassIoU`) and is left out of the mean, as the Cityscapes evaluation scripts leave out
 * NaN scores; a class present in either counts (0 when never predicted right).
 *
 * Depth (monodepth2 protocol): per image, pixels with valid ground truth (gt > 0, finite),
 * the prediction scaled by median(gt) / median(pred) over those pixels, both clamped to
 * [1e-3, 80] m; abs-rel, sq-rel, RMSE, RMSE-log, delta < 1.25^k; averaged over images.
 */
import { UsageError } from '../errors';

export const IGNORE_LABEL = 255;

export class ConfusionMatrix {
  /** counts[gt * numClasses + pred]. */
  readonly counts: Float64Array;

  constructor(
    readonly numClasses: number,
    readonly ignoreIndex = IGNORE_LABEL,
  ) {
    if (!(Number.isInteger(numClasses) && numClasses > 0)) {
      throw new UsageError(`ConfusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
    }
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one image (or any set of pixels): `pred` and `gt` hold one class id per pixel.
   * Pixels whose gt is the ignore label are skipped; any other id outside 0..C-1 throws, as
   * does a predicted ignore label.
   */
  add(pred: ArrayLike<number>, gt: ArrayLike<number>): void {
    const c = this.numClasses;
    if (pred.length !== gt.length) {
      throw new UsageError(`ConfusionMatrix.add: pred has ${pred.length} pixels but gt has ${gt.length}`);
    }
    for (let k = 0; k < gt.length; k++) {
      const g = gt[k]!;
      if (g === this.ignoreIndex) continue;
      const p = pred[k]!;
      if (!(Number.isInteger(g) && g >= 0 && g < c)) {
        throw new UsageError(`ConfusionMatrix.add: gt pixel ${k} has class ${g}, outside 0..${c - 1}`);
      }
      if (!(Number.isInteger(p) && p >= 0 && p < c)) {
        throw new UsageError(`ConfusionMatrix.add: pred pixel ${k} has class ${p}, outside 0..${c - 1}`);
      }
      this.counts[g * c + p]! += 1;
    }
  }

  /** Adds another matrix's counts (e.g. from a worker). */
  merge(other: ConfusionMatrix): void {
    if (other.numClasses !== this.numClasses) {
      throw new UsageError(`ConfusionMatrix.merge: ${other.numClasses} classes vs ${this.numClasses}`);
    }
    for (let k = 0; k < this.counts.length; k++) this.counts[k]! += other.counts[k]!;
  }

  get total(): number {
    let t = 0;
    for (const v of this.counts) t += v;
    return t;
  }

  /** IoU of each class; NaN where the class is absent from gt and pred. */
  perClassIoU(): number[] {
    const c = this.numClasses;
    const out: number[] = [];
    for (let k = 0; k < c; k++) {
      const tp = this.counts[k * c + k]!;
      let gtCount = 0;
      let predCount = 0;
      for (let j = 0; j < c; j++) {
        gtCount += this.counts[k * c + j]!;
        predCount += this.counts[j * c + k]!;
      }
      const union = gtCount + predCount - tp;
      out.push(union > 0 ? tp / union : NaN);
    }
    return out;
  }

  /** Mean IoU over the classes that have one (see the module note); NaN for an empty matrix. */
  meanIoU(): number {
    const ious = this.perClassIoU().filter((v) => !Number.isNaN(v));
    return ious.length === 0 ? NaN : ious.reduce((a, b) => a + b, 0) / ious.length;
  }

  /** The class predicted most often and its share of the counted pixels (NaN share for an empty matrix). */
  majorityPrediction(): { classId: number; share: number } {
    const c = this.numClasses;
    let best = 0;
    let bestCount = -1;
    for (let j = 0; j < c; j++) {
      let n = 0;
      for (let k = 0; k < c; k++) n += this.counts[k * c + j]!;
      if (n > bestCount) {
        best = j;
        bestCount = n;
      }
    }
    const t = this.total;
    return { classId: best, share: t === 0 ? NaN : bestCount / t };
  }

  /** Correct pixels / counted pixels; NaN for an empty matrix. */
  pixelAccuracy(): number {
    const c = this.numClasses;
    let correct = 0;
    for (let k = 0; k < c; k++) correct += this.counts[k * c + k]!;
    const t = this.total;
    return t === 0 ? NaN : correct / t;
  }
}

/**
 * A segmentation model that puts more than this share of the validation pixels in one class
 * has collapsed: it has learned the most common class, not the scene (no street scene is 90%
 * one class). Runs are flagged so in their metrics, the CLI and the app.
 */
export const COLLAPSE_SHARE = 0.9;

export function isCollapsed(majorityShare: number): boolean {
  return majorityShare > COLLAPSE_SHARE;
}

export interface DepthErrors {
  absRel: number;
  sqRel: number;
  rmse: number;
  rmseLog: number;
  a1: number;
  a2: number;
  a3: number;
}

export interface DepthEvalOptions {
  minDepth?: number;
  maxDepth?: number;
  /** Scale each prediction by median(gt) / median(pred) (monocular depth has no scale). Default true. */
  medianScaling?: boolean;
}

export const DEPTH_EVAL_MIN = 1e-3;
export const DEPTH_EVAL_MAX = 80;

/** The k-th smallest value (0-based) of `a`, reordering `a` in place (quickselect, O(n)). */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median (mean of the two middle values for an even count), as numpy computes it. */
function median(values: Float64Array): number {
  const s = values.slice();
  const m = s.length >> 1;
  const upper = selectKth(s, m);
  if (s.length % 2 === 1) return upper;
  // after selection every value left of m is <= upper: the lower middle is their maximum
  let lower = -Infinity;
  for (let k = 0; k < m; k++) if (s[k]! > lower) lower = s[k]!;
  return (lower + upper) / 2;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * Errors of one predicted depth map against its ground truth (same length, metres). Returns
 * null when the image has no valid ground-truth pixel. `ratio` is the median scale applied.
 */
export function depthErrors(
  pred: ArrayLike<number>,
  gt: ArrayLike<number>,
  options: DepthEvalOptions = {},
): (DepthErrors & { ratio: number; pixels: number }) | null {
  const lo = options.minDepth ?? DEPTH_EVAL_MIN;
  const hi = options.maxDepth ?? DEPTH_EVAL_MAX;
  if (pred.length !== gt.length) {
    throw new UsageError(`depthErrors: pred has ${pred.length} pixels but gt has ${gt.length}`);
  }
  const p = new Float64Array(gt.length);
  const g = new Float64Array(gt.length);
  let n = 0;
  for (let k = 0; k < gt.length; k++) {
    const gv = gt[k]!;
    const pv = pred[k]!;
    if (!(gv > 0 && Number.isFinite(gv))) continue;
    if (!Number.isFinite(pv)) throw new UsageError(`depthErrors: pred pixel ${k} is ${pv}`);
    g[n] = clamp(gv, lo, hi);
    p[n] = clamp(pv, lo, hi);
    n++;
  }
  if (n === 0) return null;
  let ratio = 1;
  if (options.medianScaling ?? true) {
    ratio = median(g.subarray(0, n)) / median(p.subarray(0, n));
  }
  let absRel = 0;
  let sqRel = 0;
  let se = 0;
  let seLog = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let k = 0; k < n; k++) {
    const gv = g[k]!;
    const pv = clamp(p[k]! * ratio, lo, hi);
    const d = gv - pv;
    absRel += Math.abs(d) / gv;
    sqRel += (d * d) / gv;
    se += d * d;
    const dl = Math.log(gv) - Math.log(pv);
    seLog += dl * dl;
    const t = Math.max(gv / pv, pv / gv);
    if (t < 1.25) a1++;
    if (t < 1.25 ** 2) a2++;
    if (t < 1.25 ** 3) a3++;
  }
  return {
    absRel: absRel / n,
    sqRel: sqRel / n,
    rmse: Math.sqrt(se / n),
    rmseLog: Math.sqrt(seLog / n),
    a1: a1 / n,
    a2: a2 / n,
    a3: a3 / n,
    ratio,
    pixels: n,
  };
}

/** Averages per-image depth errors over a split (images without valid gt are skipped). */
export class DepthMetrics {
  private readonly sums: DepthErrors = { absRel: 0, sqRel: 0, rmse: 0, rmseLog: 0, a1: 0, a2: 0, a3: 0 };
  private readonly ratios: number[] = [];
  images = 0;

  constructor(private readonly options: DepthEvalOptions = {}) {}

  add(pred: ArrayLike<number>, gt: ArrayLike<number>): void {
    const e = depthErrors(pred, gt, this.options);
    if (!e) return;
    for (const key of Object.keys(this.sums) as (keyof DepthErrors)[]) this.sums[key] += e[key];
    this.ratios.push(e.ratio);
    this.images++;
  }

  /** Mean of each error over the images added; NaN values when none had valid gt. */
  mean(): DepthErrors {
    const out = { ...this.sums };
    for (const key of Object.keys(out) as (keyof DepthErrors)[]) out[key] = out[key] / this.images;
    return out;
  }

  /** Median of the per-image scale ratios and their standard deviation / median (monodepth2 reports it). */
  scaleStats(): { median: number; stdOverMedian: number } {
    if (this.ratios.length === 0) return { median: NaN, stdOverMedian: NaN };
    const med = median(Float64Array.from(this.ratios));
    const mean = this.ratios.reduce((a, b) => a + b, 0) / this.ratios.length;
    const sd = Math.sqrt(this.ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / this.ratios.length);
    return { median: med, stdOverMedian: sd / med };
  }
}
