/**
 * The training path's warping is checked with the synthetic ground truth: frames loaded as
 * training loads them (resized, intrinsics scaled), warped with geometry.warp using the true
 * depth and the true relative pose, match the target far better than the unwarped source;
 * a wrong pose does not.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexCityscapes, intrinsicsMatrix, scaleIntrinsics, loadDepthMetres } from '../../../src/core/data';
import { warp } from '../../../src/core/ml/geometry';
import { rastersToTensor } from '../../../src/core/ml/train/batches';
import { FrameCache } from '../../../src/core/ml/train/frameCache';
import { generateSynthDataset } from '../../../src/core/synth/generate';
import { freshDirs } from '../../data/fixtures';
import { startWasm } from '../../engine/setup';

const temp = freshDirs();
const SIZE = { height: 64, width: 128 };
let root: string;
beforeAll(async () => {
  await startWasm();
  root = temp('gtwarp');
  await generateSynthDataset({ out: root, sequences: 2, size: { height: 128, width: 256 }, seed: 21 });
});

type M4 = number[];
const mul = (a: M4, b: M4): M4 => Array.from({ length: 16 }, (_, k) => [0, 1, 2, 3].reduce((s, j) => s + a[Math.floor(k / 4) * 4 + j]! * b[j * 4 + (k % 4)]!, 0));
/** Inverse of a rigid 4x4 transform [R t; 0 1]. */
function invRigid(m: M4): M4 {
  const r = [m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!];
  const t = [m[3]!, m[7]!, m[11]!];
  const rt = [r[0]!, r[3]!, r[6]!, r[1]!, r[4]!, r[7]!, r[2]!, r[5]!, r[8]!];
  const nt = [0, 1, 2].map((i) => -(rt[i * 3]! * t[0]! + rt[i * 3 + 1]! * t[1]! + rt[i * 3 + 2]! * t[2]!));
  return [rt[0]!, rt[1]!, rt[2]!, nt[0]!, rt[3]!, rt[4]!, rt[5]!, nt[1]!, rt[6]!, rt[7]!, rt[8]!, nt[2]!, 0, 0, 0, 1];
}

describe('warping in the training path, with ground-truth depth and poses', () => {
  it('brings the neighbouring frames onto the target', async () => {
    const index = await indexCityscapes(root);
    const clip = index.splits.train!.clips[0]!;
    const poses = JSON.parse(readFileSync(clip.posesPath!, 'utf8')) as { frames: Array<{ cameraToWorld: number[] }> };
    const frames = new FrameCache(SIZE);
    const t = 10;
    const target = rastersToTensor([await frames.get(clip.framePaths[t]!)]);
    const depth = await loadDepthMetres(clip.depthPaths![t]!, SIZE);
    // Sky has no depth (0): put it far away.
    const depthT = tf.tensor4d(depth.map((d) => (d > 0 ? d : 1000)), [1, SIZE.height, SIZE.width, 1]);
    const K = tf.tensor3d(intrinsicsMatrix(scaleIntrinsics(clip.intrinsics, SIZE)), [1, 3, 3]);
    const errors = async (s: number, poseOf: number) => {
      const source = rastersToTensor([await frames.get(clip.framePaths[s]!)]);
      const T = mul(invRigid(poses.frames[poseOf]!.cameraToWorld), poses.frames[t]!.cameraToWorld);
      const { warped, valid } = warp(source, depthT, K, tf.tensor3d(T, [1, 4, 4]));
      const m = tf.mul(valid, tf.onesLike(valid));
      const err = (a: tf.Tensor4D) => tf.div(tf.sum(tf.mul(tf.mean(tf.abs(tf.sub(a, target)), 3, true), m)), tf.sum(m)).dataSync()[0]!;
      return { warped: err(warped), identity: err(source), validShare: tf.mean(valid).dataSync()[0]! };
    };
    for (const s of [t - 1, t + 1, t + 2]) {
      const e = await errors(s, s);
      expect(e.validShare, `frame ${s}`).toBeGreaterThan(0.7);
      expect(e.warped, `frame ${s}`).toBeLessThan(e.identity / 2.5);
    }
    // The pose of another frame: the warp no longer fits.
    const right = await errors(t + 1, t + 1);
    const wrong = await errors(t + 1, t + 4);
    expect(wrong.warped).toBeGreaterThan(right.warped * 1.5);
  });
});
