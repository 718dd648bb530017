/**
 * Evaluation over a whole split: segmentation mIoU from one confusion matrix accumulated
 * over every pixel of every frame (not averaged per image), and SDE depth errors after
 * per-image median scaling against ground truth (synthetic data has it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadDepthMetres } from '../../data/load';
import { DepthMetrics, ConfusionMatrix, isCollapsed, type DepthErrors } from '../metrics';
import { rastersToTensor, type LabelCache } from './batches';
import type { FrameCache } from './frameCache';
import { outputsByName } from './modelIo';
import type { FrameSample } from './samples';
import { disparityToDepth } from '../geometry';

export interface SegEvaluation {
  miou: number;
  perClassIou: number[];
  pixelAccuracy: number;
  confusion: ConfusionMatrix;
  frames: number;
  /** The class predicted most often, and its share of the labelled pixels (0..1). */
  majorityClass: number;
  majorityShare: number;
  /** Over COLLAPSE_SHARE of the pixels in one class: the model has collapsed. */
  collapsed: boolean;
}

export type EvalProgress = (done: number, total: number) => void;

/** mIoU (0..100) of `model`'s 'seg' output over the labelled samples. */
export async function evaluateSegmentation(
  model: tfl.LayersModel,
  samples: readonly FrameSample[],
  frames: FrameCache,
  labels: LabelCache,
  numClasses: number,
  batchSize = 4,
  onProgress?: EvalProgress,
): Promise<SegEvaluation> {
  const cm = new ConfusionMatrix(numClasses);
  const labelled = samples.filter((s) => s.label);
  for (let i = 0; i < labelled.length; i += batchSize) {
    const part = labelled.slice(i, i + batchSize);
    const images = await Promise.all(part.map((s) => frames.get(s.imagePath)));
    const gts = await Promise.all(part.map((s) => labels.get(s)));
    const ids = tf.tidy(() => tf.argMax(outputsByName(model, rastersToTensor(images), false).seg!, 3));
    const data = (await ids.data()) as Int32Array;
    ids.dispose();
    const n = gts[0]!.data.length;
    part.forEach((_, b) => cm.add(data.subarray(b * n, (b + 1) * n), gts[b]!.data));
    onProgress?.(Math.min(i + batchSize, labelled.length), labelled.length);
  }
  const perClass = cm.perClassIoU().map((v) => v * 100);
  const majority = cm.majorityPrediction();
  return {
    miou: cm.meanIoU() * 100,
    perClassIou: perClass,
    pixelAccuracy: cm.pixelAccuracy() * 100,
    confusion: cm,
    frames: labelled.length,
    majorityClass: majority.classId,
    majorityShare: majority.share,
    collapsed: isCollapsed(majority.share),
  };
}

/** Depth errors of `model`'s disp_0 over the samples with ground-truth depth; null where none has. */
export async function evaluateDepth(
  model: tfl.LayersModel,
  samples: readonly FrameSample[],
  frames: FrameCache,
  batchSize = 4,
  onProgress?: EvalProgress,
): Promise<(DepthErrors & { frames: number }) | null> {
  const withDepth = samples.filter((s) => s.depthPath);
  if (withDepth.length === 0) return null;
  const metrics = new DepthMetrics();
  for (let i = 0; i < withDepth.length; i += batchSize) {
    const part = withDepth.slice(i, i + batchSize);
    const images = await Promise.all(part.map((s) => frames.get(s.imagePath)));
    const gts = await Promise.all(part.map((s) => loadDepthMetres(s.depthPath!, frames.size)));
    const disp = tf.tidy(() => outputsByName(model, rastersToTensor(images), false).disp_0!);
    const data = (await disp.data()) as Float32Array;
    disp.dispose();
    const n = gts[0]!.length;
    part.forEach((_, b) => metrics.add(disparityToDepth(data.subarray(b * n, (b + 1) * n)), gts[b]!));
    onProgress?.(Math.min(i + batchSize, withDepth.length), withDepth.length);
  }
  return { ...metrics.mean(), frames: withDepth.length };
}
