/**
 * What the SDE networks (trained on the user's own video, without labels) say about two
 * neighbouring frames of a clip: each frame's depth and the camera motion between them, in
 * the form propagateMask takes. Depth is the depth network's `disp_0` mapped as the SDE loss
 * maps it (disparityToDepth), resized bilinearly to the frames' own size; the motion is the
 * pose network's, with the frames in the order and the inversion the SDE loss uses
 * (posePairInput, targetToSourceTransform). Depth and motion share the networks' scale.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RasterU8, Size } from '../data/imageIo';
import { UsageError } from '../errors';
import { disparityToDepth } from '../ml/geometry';
import { imageBatch, predictDisparity } from '../ml/predict';
import { posePairInput, targetToSourceTransform } from '../ml/train/sdeBatch';

export interface SdeMotion {
  /** z-depth of each frame at `size`, row-major. */
  readonly sourceDepth: Float32Array;
  readonly targetDepth: Float32Array;
  /** 4x4 row-major, target camera points into the source camera. */
  readonly targetToSource: number[];
}

const inputSize = (m: LayersModel): Size => ({ height: m.inputs[0]!.shape[1]!, width: m.inputs[0]!.shape[2]! });

/**
 * `source` and `target` at the networks' input size (both networks take the same), `offset`
 * the target's place in the clip relative to the source (+1: the next frame), `size` the size
 * the depths are wanted at.
 */
export async function sdeMotion(depthNet: LayersModel, poseNet: LayersModel, source: RasterU8, target: RasterU8, offset: number, size: Size): Promise<SdeMotion> {
  const d = inputSize(depthNet);
  const p = inputSize(poseNet);
  if (d.width !== p.width || d.height !== p.height) {
    throw new UsageError(`the depth network takes ${d.width}x${d.height} but the pose network ${p.width}x${p.height}: they are not one SDE run's pair`);
  }
  if (offset === 0 || !Number.isInteger(offset)) throw new UsageError(`the target frame must be another frame of the clip (offset ${offset})`);
  const [sourceDisp, targetDisp] = await predictDisparity(depthNet, [source, target], 2);
  const depthAt = (disp: Float32Array): Promise<Float32Array> => {
    const t = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(disparityToDepth(disp), [1, d.height, d.width, 1]), [size.height, size.width]));
    return t.data().then((v) => {
      t.dispose();
      return v as Float32Array;
    });
  };
  // The SDE loss's offsets are the source's place relative to the target: the opposite of `offset`.
  const sourceOffset = -offset;
  const transform = tf.tidy(() => {
    const pair = posePairInput(imageBatch([target], d), imageBatch([source], d), sourceOffset);
    return targetToSourceTransform(poseNet.predict(pair) as tf.Tensor2D, sourceOffset);
  });
  let targetToSource: number[];
  try {
    targetToSource = Array.from(await transform.data());
  } finally {
    transform.dispose();
  }
  return { sourceDepth: await depthAt(sourceDisp!), targetDepth: await depthAt(targetDisp!), targetToSource };
}
