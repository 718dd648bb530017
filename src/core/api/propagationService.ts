/**
 * "Next frame in clip" and "Previous frame in clip" (issue 18 point 3): a finished frame's
 * mask carried to the next (offset +1) or previous (-1) frame of its clip by the newest SDE
 * run's depth and camera motion (src/core/assist/sdeMotion.ts, propagate.ts), with the colour
 * check on both frames' images at the frames' own size, as a proposal the annotator accepts
 * or corrects there. Every reason it cannot is said in words: the clip's last (first) frame,
 * no finished mask, no SDE run, no intrinsics.
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

/** How each direction is named in the errors: the target frame, the clip's end without one, where the finished frame lies from it. */
const DIRECTION = {
  1: { frame: 'next', end: 'last', source: 'before' },
  [-1]: { frame: 'previous', end: 'first', source: 'after' },
} as const;

/** Carries frame `frameId`'s finished mask to the frame at `offset` in its clip (+1 next, -1 previous). */
export async function framePropagate(open: OpenProject, models: ModelCache, frameId: number, offset: 1 | -1 = 1): Promise<FramePropagation> {
  const { store, project } = open;
  const words = DIRECTION[offset];
  if (!words) throw new UsageError(`offset must be 1 (the next frame) or -1 (the previous frame), got ${String(offset)}`);
  const { frame } = await frameImageFile(open, frameId);
  const target = (await neighbourFrames(store, frameId, [offset]))[0];
  if (!target) throw new UsageError(`frame ${frameId} is the ${words.end} frame of its clip: there is no ${words.frame} frame to carry its mask to`);
  if (target.width !== frame.width || target.height !== frame.height) {
    throw new DataError(target.imagePath, `is ${target.width}x${target.height} but the frame ${words.source} it ${frame.width}x${frame.height}: a mask is carried only between frames of one size`);
  }
  const saved = await loadMask(store, frameId);
  if (!saved || saved.row.status !== 'done' || !saved.mask.data.some((v) => v !== IGNORE_ID)) {
    throw new UsageError(`frame ${frameId} has no finished mask: paint it and mark it done first, then its mask can be carried to the ${words.frame} frame`);
  }
  const sde = await latestModel(store, project.id, 'sde');
  if (!sde) throw new UsageError('no SDE run has finished in this project yet: train one (Training, SDE pretraining) to carry masks along the clip');
  const k = clipIntrinsics(await getClip(store, frame.clipId), frame);
  if (!k) throw new UsageError(`the clip of frame ${frameId} has no camera intrinsics: a mask cannot be carried without them`);
  const depth = await models.get(store, sde.run);
  const pose = await models.get(store, sde.run, POSE_NETWORK);
  const size = modelInputSize(depth.model);
  const { width, height } = frame;
  // The networks see the frames at their input size; the colour check at the frames' own.
  const [sourceSmall, targetSmall, sourceImage, targetImage] = await Promise.all([
    frameImage(store, frame, size),
    frameImage(store, target, size),
    frameImage(store, frame, { width, height }),
    frameImage(store, target, { width, height }),
  ]);
  const motion = await sdeMotion(depth.model, pose.model, sourceSmall, targetSmall, offset, { width, height });
  const p = await propagateMask({
    width,
    height,
    sourceMask: saved.mask.data,
    ...motion,
    intrinsics: scaleIntrinsics(k, { width, height }),
    depthTolerance: PREDICTED_DEPTH_TOLERANCE,
    sourceImage: sourceImage.data,
    targetImage: targetImage.data,
  });
  return {
    fromFrameId: frameId,
    frameId: target.id,
    offset,
    width,
    height,
    runId: sde.run.id,
    step: depth.step,
    proposalBase64: Buffer.from(p.mask.buffer, p.mask.byteOffset, p.mask.byteLength).toString('base64'),
    painted: p.painted,
    outOfView: p.outOfView,
    occluded: p.occluded,
    mismatch: p.mismatch,
    unlabelled: p.unlabelled,
  };
}
