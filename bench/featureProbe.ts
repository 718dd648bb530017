/**
 * A probe of how much the assist's feature sets say about the classes, apart from the stroke
 * protocol (bench:annotate --probe): a classifier trained on the true class of every 20th
 * superpixel of a frame (5%, spread over the frame like scribbles) predicts the others; the
 * result is the share of the other superpixels' pixels it gets right. Feature sets: colour and
 * position (what assist_colour uses), the SDE block alone (standardised, with a bias), and
 * both joined as the assist joins them.
 */
import { ASSIST_DEFAULTS, SoftmaxClassifier } from '../src/renderer/src/annotator/assist';
import { type ExtraFeatures, type FeatureRows, type SdeJoin, assistFeatureRows, standardiseColumns } from '../src/renderer/src/annotator/assistFeatures';
import type { SuperpixelMap } from '../src/renderer/src/annotator/superpixelMap';
import { IGNORE } from './annotateProtocol';

/** Every how many superpixels one is a training sample. */
export const PROBE_STRIDE = 20;

export interface ProbeResult {
  readonly colour: number;
  readonly sde: number;
  readonly joint: number;
}

/** The majority true class of each superpixel (IGNORE where all its pixels are ignored) and its counted pixels. */
function superpixelTruth(sp: SuperpixelMap, gt: Uint8Array): { cls: Uint8Array; size: Uint32Array } {
  const counts = new Uint32Array(sp.count * 256);
  for (let p = 0; p < gt.length; p++) if (gt[p] !== IGNORE) counts[sp.labels[p] * 256 + gt[p]]++;
  const cls = new Uint8Array(sp.count).fill(IGNORE);
  const size = new Uint32Array(sp.count);
  for (let k = 0; k < sp.count; k++) {
    let most = 0;
    for (let c = 0; c < 255; c++) {
      const n = counts[k * 256 + c];
      size[k] += n;
      if (n > most) {
        most = n;
        cls[k] = c;
      }
    }
  }
  return { cls, size };
}

/** Pixel accuracy on the held-out superpixels of a classifier trained on every PROBE_STRIDE-th one. */
function probeAccuracy(rows: FeatureRows, sp: SuperpixelMap, gt: Uint8Array, truth: { cls: Uint8Array; size: Uint32Array }): number {
  const train: number[] = [];
  for (let k = 0; k < sp.count; k += PROBE_STRIDE) if (truth.cls[k] !== IGNORE) train.push(k);
  const ids = [...new Set(train.map((k) => truth.cls[k]!))].sort((a, b) => a - b);
  if (ids.length < 2) return NaN;
  const index = new Map(ids.map((c, i) => [c, i]));
  const c = new SoftmaxClassifier(rows.dims, ids.length);
  c.fit(rows.data, train, train.map((k) => index.get(truth.cls[k]!)!), train.map(() => 1), { iterations: 300, l2: ASSIST_DEFAULTS.l2 });
  const predicted = c.predict(rows.data);
  let counted = 0;
  let right = 0;
  for (let p = 0; p < gt.length; p++) {
    const k = sp.labels[p];
    if (gt[p] === IGNORE || k % PROBE_STRIDE === 0) continue;
    counted++;
    if (ids[predicted[k]] === gt[p]) right++;
  }
  return right / counted;
}

export function probeFeatures(sp: SuperpixelMap, gt: Uint8Array, sde: ExtraFeatures, join: SdeJoin): ProbeResult {
  const truth = superpixelTruth(sp, gt);
  const scaled = standardiseColumns(sde.data.slice(), sde.dims);
  const withBias = new Float32Array(sp.count * (sde.dims + 1));
  for (let k = 0; k < sp.count; k++) {
    withBias[k * (sde.dims + 1)] = 1;
    withBias.set(scaled.subarray(k * sde.dims, (k + 1) * sde.dims), k * (sde.dims + 1) + 1);
  }
  return {
    colour: probeAccuracy(assistFeatureRows(sp, undefined, join), sp, gt, truth),
    sde: probeAccuracy({ data: withBias, dims: sde.dims + 1 }, sp, gt, truth),
    joint: probeAccuracy(assistFeatureRows(sp, sde, join), sp, gt, truth),
  };
}
