/**
 * "Next frame in clip" (issue 18 point 3): a finished frame's mask carried to the next frame
 * of its clip by the newest SDE run's depth and camera motion (src/core/assist/sdeMotion.ts,
 * propagate.ts), as a proposal the annotator accepts or corrects there. Every reason it
 * cannot is said in words: the clip's last frame, no finished mask, no SDE run, no intrinsics.
 */
import { PREDICTED_DEPTH_TOLERANCE, propagateMask } from '../assist/propagate';
import { sdeMotion } from '../assist/sdeMotion';
import { scaleIntrinsics } from '../data/camera';
import { DataError, UsageError } from '../errors';
import { IGNORE_ID } from '../labels';
import { frameImage, modelInputSize } from '../project/modelOutputs';
import type { OpenProject } from '../project/openProject';
import { latestModel } from '../project/projectModels';
import { clipIntrinsics } from '../project/trainingData';
import { getClip, loadMask, neighbourFrames } from '../store';
import type { FramePropagation } from './contract';
import { frameImageFile } from './labellingService';
import type { ModelCache } from './modelCache';

/** The checkpoint folder of an SDE run's pose network (src/core/ml/train/checkpoint.ts). */
const POSE_NETWORK = 'pose';

export async function framePropagate(open: OpenProject, models: ModelCache, frameId: number): Promise<FramePropagation> {
  const { store, project } = open;
  const { frame } = await frameImageFile(open, frameId);
  const next = (await neighbourFrames(store, frameId, [1]))[0];
  if (!next) throw new UsageError(`frame ${frameId} is the last frame of its clip: there is no next frame to carry its mask to`);
  if (next.width !== frame.width || next.height !== frame.height) {
    throw new DataError(next.imagePath, `is ${next.width}x${next.height} but the frame before it ${frame.width}x${frame.height}: a mask is carried only between frames of one size`);
  }
  const saved = await loadMask(store, frameId);
  if (!saved || saved.row.status !== 'done' || !saved.mask.data.some((v) => v !== IGNORE_ID)) {
    throw new UsageError(`frame ${frameId} has no finished mask: paint it and mark it done first, then its mask can be carried to the next frame`);
  }
  const sde = await latestModel(store, project.id, 'sde');
  if (!sde) throw new UsageError('no SDE run has finished in this project yet: train one (Training, SDE pretraining) to carry masks along the clip');
  const k = clipIntrinsics(await getClip(store, frame.clipId), frame);
  if (!k) throw new UsageError(`the clip of frame ${frameId} has no camera intrinsics: a mask cannot be carried without them`);
  const depth = await models.get(store, sde.run);
  const pose = await models.get(store, sde.run, POSE_NETWORK);
  const size = modelInputSize(depth.model);
  const [source, target] = await Promise.all([frameImage(store, frame, size), frameImage(store, next, size)]);
  const { width, height } = frame;
  const motion = await sdeMotion(depth.model, pose.model, source, target, 1, { width, height });
  const p = await propagateMask({
    width,
    height,
    sourceMask: saved.mask.data,
    ...motion,
    intrinsics: scaleIntrinsics(k, { width, height }),
    depthTolerance: PREDICTED_DEPTH_TOLERANCE,
  });
  return {
    fromFrameId: frameId,
    frameId: next.id,
    width,
    height,
    runId: sde.run.id,
    step: depth.step,
    proposalBase64: Buffer.from(p.mask.buffer, p.mask.byteOffset, p.mask.byteLength).toString('base64'),
    painted: p.painted,
    outOfView: p.outOfView,
    occluded: p.occluded,
    unlabelled: p.unlabelled,
  };
}
