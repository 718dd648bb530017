import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConfusionMatrix, DepthMetrics, type DepthErrors } from '../ml/metrics';
import { predictDisparity, predictSegmentation } from '../ml/predict';
import { listFrames, type Frame, type Split } from '../store';
import { disparityToDepth, frameDepth, frameGroundTruth, frameImage, hasOutput, modelInputSize } from './modelOutputs';
import type { OpenProject } from './openProject';

export interface Evaluation {
  readonly split: Split;
  readonly frames: number;
  /** Present where the model segments and the split has labels. 0..100. */
  readonly segmentation: {
    readonly miou: number;
    readonly pixelAccuracy: number;
    readonly perClass: readonly { readonly name: string; readonly iou: number | null }[];
    readonly confusion: readonly number[];
  } | null;
  /** Present where the model predicts depth and the split has ground-truth depth. */
  readonly depth: (DepthErrors & { readonly images: number }) | null;
}

/**
 * Evaluates a model on a split of the project: mIoU from one confusion matrix accumulated over
 * every labelled frame (not averaged per image), and depth errors after per-image median scaling.
 */
export async function evaluateModel(
  p: OpenProject,
  model: LayersModel,
  opts: { split?: Split; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Evaluation> {
  const split = opts.split ?? 'val';
  const size = modelInputSize(model);
  const frames: Frame[] = await listFrames(p.store, { split, keyframesOnly: true });
  const segments = hasOutput(model, 'seg');
  const depths = hasOutput(model, 'disp_0');
  const { labelSet } = p.project;
  const cm = new ConfusionMatrix(labelSet.classes.length);
  const dm = new DepthMetrics();
  let labelled = 0;
  const batch = opts.batchSize ?? 4;
  for (let s = 0; s < frames.length; s += batch) {
    const part = frames.slice(s, s + batch);
    const images = await Promise.all(part.map(async (f) => await frameImage(p.store, f, size)));
    if (segments) {
      const preds = await predictSegmentation(model, images, batch);
      for (const [i, f] of part.entries()) {
        const gt = await frameGroundTruth(p.store, f, size);
        if (!gt) continue;
        cm.add(preds[i]!, gt.data);
        labelled++;
      }
    }
    if (depths) {
      const disps = await predictDisparity(model, images, batch);
      for (const [i, f] of part.entries()) {
        const gt = await frameDepth(p.store, f, size);
        if (gt) dm.add(disparityToDepth(disps[i]!), gt);
      }
    }
    opts.onProgress?.(Math.min(frames.length, s + batch), frames.length);
  }
  const perClass = cm.perClassIoU();
  return {
    split,
    frames: frames.length,
    segmentation:
      segments && labelled > 0
        ? {
            miou: 100 * cm.meanIoU(),
            pixelAccuracy: 100 * cm.pixelAccuracy(),
            perClass: labelSet.classes.map((c) => ({ name: c.name, iou: Number.isNaN(perClass[c.id]!) ? null : 100 * perClass[c.id]! })),
            confusion: Array.from(cm.counts),
          }
        : null,
    depth: depths && dm.images > 0 ? { ...dm.mean(), images: dm.images } : null,
  };
}
