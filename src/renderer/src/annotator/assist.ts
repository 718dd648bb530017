/**
 * Live assist: a small classifier, trained on what the annotator has painted so far, proposes
 * a class for every unpainted pixel. Plain TypeScript, no DOM: the annotator runs it after each
 * stroke, and the annotation benchmark runs the same code.
 *
 * It works on the frame's superpixels (superpixelMap.ts): the samples are the superpixels with
 * painted pixels (labelled with their most painted class), the features each superpixel's mean
 * colour (CIELAB) and centre (x, y), standardised over the frame and expanded with their
 * squares and pairwise products, the classifier a multinomial logistic regression with a small
 * L2 penalty, trained by full-batch gradient descent and warm-started from the last stroke's
 * weights. A superpixel with painted pixels proposes its own painted class; every other
 * superpixel the class the classifier gives it. Where the project has an SDE model, its
 * features averaged per superpixel join the colour and position (assistFeatures.ts).
 */
import { type ExtraFeatures, type FeatureRows, type SdeJoin, assistFeatureRows } from './assistFeatures';
import { IGNORE_ID } from './classes';
import { MaskError } from './maskError';
import type { SuperpixelMap } from './superpixelMap';

export { type ExtraFeatures, quadraticExpansion } from './assistFeatures';

/** How the assist is set up: how SDE features join, and the classifier's L2 penalty. */
export interface AssistOptions {
  readonly sdeJoin?: SdeJoin;
  /** How a segmentation run's class probabilities join. */
  readonly segJoin?: SdeJoin;
  readonly l2?: number;
}

/**
 * The app's defaults (the annotation benchmark's evidence, docs/results/2026-12-03-annotate.md):
 * the SDE block scaled to weigh as one feature, as it cost fewer strokes than linear terms on
 * both datasets (still more than colour and position alone with this machine's networks).
 */
export const ASSIST_DEFAULTS: Required<AssistOptions> = { sdeJoin: 'block', segJoin: 'linear', l2: 1e-3 };

/**
 * Multinomial logistic regression over `classes` classes on feature rows of width `dims`
 * (include a constant feature for a bias). Weights persist between fits (warm start).
 */
export class SoftmaxClassifier {
  readonly dims: number;
  readonly classes: number;
  /** classes x dims, row-major. */
  readonly weights: Float64Array;

  constructor(dims: number, classes: number) {
    if (!Number.isInteger(dims) || dims < 1) throw new MaskError(`classifier: feature width must be a positive integer, got ${dims}`);
    if (!Number.isInteger(classes) || classes < 2) throw new MaskError(`classifier: needs at least 2 classes, got ${classes}`);
    this.dims = dims;
    this.classes = classes;
    this.weights = new Float64Array(dims * classes);
  }

  /** Class probabilities of one row into `out` (length classes). */
  probabilities(x: Float32Array, row: number, out: Float64Array): void {
    const { dims, classes, weights } = this;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let z = 0;
      for (let d = 0; d < dims; d++) z += weights[c * dims + d] * x[row * dims + d];
      out[c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      out[c] = Math.exp(out[c] - max);
      sum += out[c];
    }
    for (let c = 0; c < classes; c++) out[c] /= sum;
  }

  /**
   * Full-batch gradient descent on the mean cross-entropy (+ l2/2 |W|^2 without the bias) of
   * the rows `rows` of `x` with labels `y` (0..classes-1) and weights `w`.
   */
  fit(x: Float32Array, rows: readonly number[], y: readonly number[], w: readonly number[], opts: { iterations?: number; rate?: number; l2?: number } = {}): void {
    const { dims, classes, weights } = this;
    if (rows.length !== y.length || rows.length !== w.length) throw new MaskError('classifier: rows, labels and weights differ in length');
    for (const c of y) if (!Number.isInteger(c) || c < 0 || c >= classes) throw new MaskError(`classifier: label ${c} is not in 0..${classes - 1}`);
    if (rows.length === 0) return;
    const iterations = opts.iterations ?? 150;
    const rate = opts.rate ?? 0.5;
    const l2 = opts.l2 ?? 1e-3;
    const grad = new Float64Array(weights.length);
    const p = new Float64Array(classes);
    const total = w.reduce((a, b) => a + b, 0);
    for (let it = 0; it < iterations; it++) {
      grad.fill(0);
      for (let i = 0; i < rows.length; i++) {
        this.probabilities(x, rows[i], p);
        p[y[i]] -= 1;
        const base = rows[i] * dims;
        const wi = w[i] / total;
        for (let c = 0; c < classes; c++) {
          const g = p[c] * wi;
          if (g === 0) continue;
          for (let d = 0; d < dims; d++) grad[c * dims + d] += g * x[base + d];
        }
      }
      for (let c = 0; c < classes; c++) {
        for (let d = 0; d < dims; d++) {
          const k = c * dims + d;
          weights[k] -= rate * (grad[k] + (d === 0 ? 0 : l2 * weights[k]));
        }
      }
    }
  }

  /** The most probable class of each row. */
  predict(x: Float32Array): Uint8Array {
    const rows = x.length / this.dims;
    const out = new Uint8Array(rows);
    const p = new Float64Array(this.classes);
    for (let r = 0; r < rows; r++) {
      this.probabilities(x, r, p);
      let best = 0;
      for (let c = 1; c < this.classes; c++) if (p[c] > p[best]) best = c;
      out[r] = best;
    }
    return out;
  }
}

export interface Proposal {
  /** A class per pixel for the unpainted pixels, 255 where painted (or nothing is proposed). */
  readonly classes: Uint8Array;
  /** Superpixels the classifier learnt from. */
  readonly samples: number;
  /** Painted classes it tells apart (the proposal needs two). */
  readonly classCount: number;
  /** Pixels proposed. */
  readonly proposed: number;
}

/**
 * The assist of one frame: its superpixels' features, once, and the classifier, kept from
 * stroke to stroke while the painted classes stay the same.
 */
export class LiveAssist {
  readonly superpixels: SuperpixelMap;
  private readonly features: FeatureRows;
  private readonly l2: number;
  private classifier: SoftmaxClassifier | undefined;
  /** The class ids the classifier's outputs stand for. */
  private classIds: number[] = [];
  private counts: Uint32Array | undefined;

  /** Whether SDE (or other extra) features take part. */
  readonly extraDims: number;

  constructor(superpixels: SuperpixelMap, extra?: ExtraFeatures, opts: AssistOptions = {}) {
    this.superpixels = superpixels;
    this.features = assistFeatureRows(superpixels, extra, opts.sdeJoin ?? ASSIST_DEFAULTS.sdeJoin, opts.segJoin ?? ASSIST_DEFAULTS.segJoin);
    this.extraDims = extra?.dims ?? 0;
    this.l2 = opts.l2 ?? ASSIST_DEFAULTS.l2;
  }

  /** Trains on the painted pixels of `mask` and proposes a class for each unpainted one. */
  propose(mask: Uint8Array): Proposal {
    const sp = this.superpixels;
    if (mask.length !== sp.width * sp.height) {
      throw new MaskError(`assist: the mask has ${mask.length} pixels but the superpixels cover ${sp.width}x${sp.height}`);
    }
    // Painted pixels per superpixel and class (a table of 256 counts a superpixel, reused).
    const counts = (this.counts ??= new Uint32Array(sp.count * 256));
    counts.fill(0);
    const touched = new Uint8Array(sp.count);
    for (let p = 0; p < mask.length; p++) {
      const v = mask[p];
      if (v === IGNORE_ID) continue;
      const k = sp.labels[p];
      counts[k * 256 + v]++;
      touched[k] = 1;
    }
    const own = new Int16Array(sp.count).fill(-1);
    const rows: number[] = [];
    const labels: number[] = [];
    const weights: number[] = [];
    for (let k = 0; k < sp.count; k++) {
      if (!touched[k]) continue;
      let best = -1;
      let most = 0;
      let total = 0;
      for (let c = 0; c < 255; c++) {
        const n = counts[k * 256 + c];
        total += n;
        if (n > most) {
          most = n;
          best = c;
        }
      }
      own[k] = best;
      rows.push(k);
      labels.push(best);
      weights.push(Math.sqrt(total));
    }
    const ids = [...new Set(labels)].sort((a, b) => a - b);
    const classes = new Uint8Array(mask.length).fill(IGNORE_ID);
    if (ids.length < 2) return { classes, samples: rows.length, classCount: ids.length, proposed: 0 };
    // A new set of classes starts afresh; otherwise the last weights need only a few steps more.
    const fresh = !this.classifier || ids.join() !== this.classIds.join();
    if (fresh || !this.classifier) {
      this.classifier = new SoftmaxClassifier(this.features.dims, ids.length);
      this.classIds = ids;
    }
    const index = new Map(ids.map((c, i) => [c, i]));
    this.classifier.fit(this.features.data, rows, labels.map((c) => index.get(c) as number), weights, { iterations: fresh ? 150 : 50, l2: this.l2 });
    const predicted = this.classifier.predict(this.features.data);
    let proposed = 0;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] !== IGNORE_ID) continue;
      const k = sp.labels[p];
      classes[p] = own[k] >= 0 ? own[k] : ids[predicted[k]];
      proposed++;
    }
    return { classes, samples: rows.length, classCount: ids.length, proposed };
  }
}

/**
 * The mask with the proposal taken for every unpainted pixel ("accept all"), or only where it
 * proposes `onlyClass` ("accept this class").
 */
export function acceptProposal(mask: Uint8Array, proposal: Uint8Array, onlyClass?: number): Uint8Array {
  if (mask.length !== proposal.length) throw new MaskError(`assist: the proposal has ${proposal.length} pixels but the mask ${mask.length}`);
  const out = mask.slice();
  for (let p = 0; p < out.length; p++) {
    if (out[p] === IGNORE_ID && (onlyClass === undefined || proposal[p] === onlyClass)) out[p] = proposal[p];
  }
  return out;
}
