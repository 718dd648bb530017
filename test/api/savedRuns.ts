/**
 * Finished training runs with a real (tiny, untrained) model saved in their checkpoint, as the
 * training loops leave them: checkpoints/run-<id>/step-<n>/model, a checkpoint row whose
 * metrics hold { miou, perClassIou[n], confusion[n][n] } (n classes, 19 unless given) for segmentation runs, the val/
 * metrics logged at the eval steps, status running -> done. Used by the API and e2e tests.
 */
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { NUM_TRAIN_CLASSES } from '../../src/core/labels';
import { ConfusionMatrix } from '../../src/core/ml/metrics';
import { TINY, buildDepthNet, buildMultiTaskNet, buildPoseNet, buildSegNet, saveModelToFolder } from '../../src/core/ml/nets';
import { MODEL_SUBDIR, checkpointPath } from '../../src/core/project/projectModels';
import { addCheckpoint, appendMetrics, createRun, setRunStatus, type ProjectStore, type TrainingRun } from '../../src/core/store';

export const MODEL_SIZE = { height: 32, width: 64 };

export interface SegMetrics {
  miou: number;
  perClassIou: (number | null)[];
  confusion: number[][];
}

/**
 * Metrics as an evaluation computes them, from a confusion matrix of made-up predictions:
 * classes >= `present` never occur (IoU null), the others are right with a probability that
 * grows with `quality`.
 */
export function segMetrics(quality: number, present = 15, numClasses = NUM_TRAIN_CLASSES): SegMetrics {
  const cm = new ConfusionMatrix(numClasses);
  const gt: number[] = [];
  const pred: number[] = [];
  for (let c = 0; c < present; c++) {
    for (let k = 0; k < 40; k++) {
      gt.push(c);
      pred.push((k * 7 + c * 3) % 40 < 40 * quality ? c : (c + 1 + (k % 3)) % present);
    }
  }
  cm.add(pred, gt);
  const iou = cm.perClassIoU();
  const confusion: number[][] = [];
  for (let g = 0; g < numClasses; g++) confusion.push(Array.from(cm.counts.subarray(g * numClasses, (g + 1) * numClasses)));
  return {
    miou: 100 * cm.meanIoU(),
    perClassIou: iou.map((v) => (Number.isNaN(v) ? null : 100 * v)),
    confusion,
  };
}

export type NetKind = 'seg' | 'depth' | 'multitask';

export function buildNet(net: NetKind, seed: number, numClasses = NUM_TRAIN_CLASSES): tfl.LayersModel {
  if (net === 'seg') return buildSegNet({ ...TINY, numClasses }, MODEL_SIZE, { seed });
  if (net === 'depth') return buildDepthNet(TINY, MODEL_SIZE, { seed });
  return buildMultiTaskNet(TINY, MODEL_SIZE, { seed });
}

/** Saves `model` as the run's checkpoint at `step` and records it. */
export async function saveCheckpoint(store: ProjectStore, runId: number, step: number, model: tfl.LayersModel, metrics?: SegMetrics): Promise<void> {
  const path = checkpointPath(runId, step);
  await saveModelToFolder(model, join(store.dir, path, MODEL_SUBDIR));
  await addCheckpoint(store, { runId, step, path, ...(metrics ? { metrics: { ...metrics } } : {}) });
}

/**
 * A finished run: kind 'seg' (net 'seg' or 'multitask') or 'sde' (net 'depth'), its model
 * saved at `step` (an SDE run with `pose`: its pose network beside it, as SDE training saves it). Segmentation runs get `metrics` in the checkpoint (unless `metricsInCheckpoint`
 * is false) and logged as val/miou and val/iou/<trainId> (NaN where absent).
 */
export async function addFinishedRun(
  store: ProjectStore,
  projectId: number,
  o: { kind: 'seg' | 'sde'; net: NetKind; mode?: string; step?: number; seed?: number; metrics?: SegMetrics; metricsInCheckpoint?: boolean; numClasses?: number; pose?: boolean },
): Promise<TrainingRun> {
  const run = await createRun(store, { projectId, kind: o.kind, mode: o.mode ?? (o.kind === 'seg' ? 'scratch' : null) });
  await setRunStatus(store, run.id, 'running');
  const step = o.step ?? 100;
  const model = buildNet(o.net, o.seed ?? run.id, o.numClasses);
  await saveCheckpoint(store, run.id, step, model, o.metricsInCheckpoint === false ? undefined : o.metrics);
  model.dispose();
  if (o.pose) {
    const pose = buildPoseNet(TINY, MODEL_SIZE, { seed: (o.seed ?? run.id) + 1 });
    await saveModelToFolder(pose, join(store.dir, checkpointPath(run.id, step), 'pose'));
    pose.dispose();
  }
  if (o.metrics) {
    await appendMetrics(store, run.id, [
      { step, name: 'val/miou', value: o.metrics.miou },
      ...o.metrics.perClassIou.map((v, k) => ({ step, name: `val/iou/${k}`, value: v ?? Number.NaN })),
    ]);
  }
  return await setRunStatus(store, run.id, 'done');
}
