/**
 * The live assist's feature rows, one per superpixel: colour (CIELAB) and position, and, where
 * the project has an SDE model, that network's features averaged per superpixel (computed by the
 * core, src/core/assist/sdeFeatures.ts). How the SDE block joins colour and position is `SdeJoin`:
 *
 * - `linear`: every SDE column standardised and added as a linear term beside the quadratic
 *   expansion of colour and position.
 * - `block`: the same, with the standardised SDE block scaled by 1/sqrt(its width), so that the
 *   whole block weighs as much as one colour feature in the classifier's distances and penalty.
 * - `pca3`: the SDE block's first three principal components (of the standardised columns),
 *   standardised, join colour and position before the quadratic expansion, so depth-like
 *   components interact with position and colour.
 */
import { MaskError } from './maskError';
import type { SuperpixelMap } from './superpixelMap';

/** Per-superpixel base features: L, a, b, x, y (standardised over the frame's superpixels). */
export const BASE_FEATURES = 5;

export const SDE_JOINS = ['linear', 'block', 'pca3'] as const;
export type SdeJoin = (typeof SDE_JOINS)[number];

/**
 * Per-superpixel features from the project's networks: count x dims, row-major. The first
 * columns are the SDE network's (sdeFeatures.ts), the last `segDims` a segmentation run's class
 * probabilities (segFeatures.ts); either part may be absent.
 */
export interface ExtraFeatures {
  readonly data: Float32Array;
  readonly dims: number;
  /** How many of the last columns are class probabilities (default 0). */
  readonly segDims?: number;
}

/** Extra features as the annotator receives them, with the runs they come from (null: that part is absent). */
export interface AssistNetworkFeatures extends ExtraFeatures {
  readonly segDims: number;
  readonly sdeRunId: number | null;
  readonly segRunId: number | null;
}

/** Feature rows of width `dims`, row k for superpixel k. */
export interface FeatureRows {
  readonly data: Float32Array;
  readonly dims: number;
}

/** Standardises each of the `dims` columns of `rows` in place (mean 0, sd 1; a constant column becomes 0). */
export function standardiseColumns(rows: Float32Array, dims: number): Float32Array {
  const n = rows.length / dims;
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let k = 0; k < n; k++) mean += rows[k * dims + d];
    mean /= n;
    let v = 0;
    for (let k = 0; k < n; k++) v += (rows[k * dims + d] - mean) ** 2;
    const sd = Math.sqrt(v / n) || 1;
    for (let k = 0; k < n; k++) rows[k * dims + d] = (rows[k * dims + d] - mean) / sd;
  }
  return rows;
}

/** The base features of each superpixel, row k at k * BASE_FEATURES, standardised (mean 0, sd 1). */
export function superpixelFeatures(sp: SuperpixelMap): Float32Array {
  const f = new Float32Array(sp.count * BASE_FEATURES);
  for (let k = 0; k < sp.count; k++) {
    const pixels = sp.pixelsOf(k);
    let sx = 0;
    let sy = 0;
    for (const p of pixels) {
      sx += p % sp.width;
      sy += (p / sp.width) | 0;
    }
    const n = Math.max(1, pixels.length);
    const row = k * BASE_FEATURES;
    f[row] = sp.meanLab[3 * k];
    f[row + 1] = sp.meanLab[3 * k + 1];
    f[row + 2] = sp.meanLab[3 * k + 2];
    f[row + 3] = sx / n;
    f[row + 4] = sy / n;
  }
  return standardiseColumns(f, BASE_FEATURES);
}

/** Rows of `base` (width `dims`) expanded to [1, f, f_i * f_j for i <= j]. */
export function quadraticExpansion(base: Float32Array, dims: number): FeatureRows {
  const rows = base.length / dims;
  const out = 1 + dims + (dims * (dims + 1)) / 2;
  const data = new Float32Array(rows * out);
  for (let r = 0; r < rows; r++) {
    const b = r * dims;
    let o = r * out;
    data[o++] = 1;
    for (let i = 0; i < dims; i++) data[o++] = base[b + i];
    for (let i = 0; i < dims; i++) for (let j = i; j < dims; j++) data[o++] = base[b + i] * base[b + j];
  }
  return { data, dims: out };
}

/** Columns side by side: row k of the result is row k of `a` followed by row k of `b`. */
export function joinColumns(a: FeatureRows, b: FeatureRows): FeatureRows {
  const rows = a.data.length / a.dims;
  const dims = a.dims + b.dims;
  const data = new Float32Array(rows * dims);
  for (let k = 0; k < rows; k++) {
    data.set(a.data.subarray(k * a.dims, (k + 1) * a.dims), k * dims);
    data.set(b.data.subarray(k * b.dims, (k + 1) * b.dims), k * dims + a.dims);
  }
  return { data, dims };
}

/**
 * The first `k` principal components of centred rows (width `dims`), by power iteration with
 * deflation on their covariance: rows x k, row-major. Deterministic (starts from a fixed vector).
 */
export function principalComponents(rows: Float32Array, dims: number, k: number): Float32Array {
  const n = rows.length / dims;
  const cov = new Float64Array(dims * dims);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dims; i++) {
      const xi = rows[r * dims + i];
      for (let j = 0; j < dims; j++) cov[i * dims + j] += xi * rows[r * dims + j];
    }
  }
  const take = Math.min(k, dims);
  const out = new Float32Array(n * k);
  const v = new Float64Array(dims);
  const next = new Float64Array(dims);
  for (let c = 0; c < take; c++) {
    for (let i = 0; i < dims; i++) v[i] = 1 + i / dims;
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      next.fill(0);
      for (let i = 0; i < dims; i++) for (let j = 0; j < dims; j++) next[i] += cov[i * dims + j] * v[j];
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      for (let i = 0; i < dims; i++) v[i] = next[i] / norm;
      lambda = norm;
    }
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let i = 0; i < dims; i++) s += rows[r * dims + i] * v[i];
      out[r * k + c] = s;
    }
    for (let i = 0; i < dims; i++) for (let j = 0; j < dims; j++) cov[i * dims + j] -= lambda * v[i] * v[j];
  }
  return out;
}

/**
 * The classifier's feature rows for a frame's superpixels: colour and position, with the SDE
 * block (if any) joined by `join` and the segmentation block (the last `extra.segDims` columns,
 * if any) by `segJoin`. A `pca3` block joins colour and position before the quadratic
 * expansion; `linear` and `block` ones are appended after it.
 */
export function assistFeatureRows(sp: SuperpixelMap, extra: ExtraFeatures | undefined, join: SdeJoin, segJoin: SdeJoin = join): FeatureRows {
  const base = superpixelFeatures(sp);
  if (!extra || extra.dims === 0) return quadraticExpansion(base, BASE_FEATURES);
  const segDims = extra.segDims ?? 0;
  if (!Number.isInteger(extra.dims) || extra.dims < 0 || extra.data.length !== sp.count * extra.dims) {
    throw new MaskError(`assist: extra features hold ${extra.data.length} values, not ${sp.count} superpixels x ${extra.dims}`);
  }
  if (!Number.isInteger(segDims) || segDims < 0 || segDims > extra.dims) throw new MaskError(`assist: ${segDims} segmentation columns among ${extra.dims} extra features`);
  const blocks = [
    { from: 0, dims: extra.dims - segDims, join },
    { from: extra.dims - segDims, dims: segDims, join: segJoin },
  ].filter((b) => b.dims > 0);
  let before: FeatureRows = { data: base, dims: BASE_FEATURES };
  const after: FeatureRows[] = [];
  for (const b of blocks) {
    const scaled = standardiseColumns(columns(extra, b.from, b.dims), b.dims);
    if (b.join === 'pca3') {
      before = joinColumns(before, { data: standardiseColumns(principalComponents(scaled, b.dims, 3), 3), dims: 3 });
      continue;
    }
    if (b.join === 'block') {
      const f = 1 / Math.sqrt(b.dims);
      for (let i = 0; i < scaled.length; i++) scaled[i] *= f;
    }
    after.push({ data: scaled, dims: b.dims });
  }
  return after.reduce(joinColumns, quadraticExpansion(before.data, before.dims));
}

/** Columns from..from+dims of the extra features, as their own rows. */
function columns(extra: ExtraFeatures, from: number, dims: number): Float32Array {
  const rows = extra.data.length / extra.dims;
  const out = new Float32Array(rows * dims);
  for (let k = 0; k < rows; k++) out.set(extra.data.subarray(k * extra.dims + from, k * extra.dims + from + dims), k * dims);
  return out;
}
