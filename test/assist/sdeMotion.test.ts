import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { sdeMotion } from '../../src/core/assist/sdeMotion';
import { MAX_DEPTH, MIN_DEPTH } from '../../src/core/ml/geometry';
import { POSE_TRANSLATION_PRIOR, TINY, buildDepthNet, buildPoseNet } from '../../src/core/ml/nets';
import { useCpuEngine } from '../ml/nets/netSetup';

beforeAll(useCpuEngine);

const SIZE = { height: 32, width: 64 };
const frame = (shift: number) => ({
  width: SIZE.width,
  height: SIZE.height,
  channels: 3,
  data: Uint8Array.from({ length: SIZE.width * SIZE.height * 3 }, (_, i) => (i * 7 + shift) % 251),
});

describe("the SDE networks' depth and motion between two frames of a clip", () => {
  it("orders the frames as the SDE loss does: an untrained pose network's forward prior puts the earlier camera behind the later one", async () => {
    const depth = buildDepthNet(TINY, SIZE, { seed: 1 });
    const pose = buildPoseNet(TINY, SIZE, { seed: 2 });
    const before = tf.memory().numTensors;
    // The prior: the later frame's camera 0.05 ahead. Carried to the next frame (+1), a point of
    // that frame lies 0.05 further from the earlier (source) camera; carried back (-1), nearer.
    const ahead = -POSE_TRANSLATION_PRIOR[2];
    const next = await sdeMotion(depth, pose, frame(0), frame(5), 1, { height: 48, width: 96 });
    const back = await sdeMotion(depth, pose, frame(5), frame(0), -1, { height: 48, width: 96 });
    expect(tf.memory().numTensors).toBe(before);
    const identityRotation = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    for (const [m, z] of [
      [next, ahead],
      [back, -ahead],
    ] as const) {
      const T = m.targetToSource;
      expect([T[0], T[1], T[2], T[4], T[5], T[6], T[8], T[9], T[10]].map((v) => Math.round(v! * 1e5) / 1e5)).toEqual(identityRotation);
      expect(T[3]).toBeCloseTo(0, 6);
      expect(T[7]).toBeCloseTo(0, 6);
      expect(T[11]).toBeCloseTo(z, 6);
      expect(T.slice(12)).toEqual([0, 0, 0, 1]);
      // Depths at the size asked for, within the SDE loss's range.
      for (const d of [m.sourceDepth, m.targetDepth]) {
        expect(d.length).toBe(48 * 96);
        expect(d.every((v) => v >= MIN_DEPTH * 0.999 && v <= MAX_DEPTH * 1.001)).toBe(true);
      }
    }
    depth.dispose();
    pose.dispose();
  });

  it('refuses networks of two sizes and a frame offset of 0, in words', async () => {
    const depth = buildDepthNet(TINY, SIZE, { seed: 1 });
    const pose = buildPoseNet(TINY, { height: 64, width: 128 }, { seed: 2 });
    await expect(sdeMotion(depth, pose, frame(0), frame(1), 1, SIZE)).rejects.toThrow(/the depth network takes 64x32 but the pose network 128x64/);
    const pose32 = buildPoseNet(TINY, SIZE, { seed: 2 });
    await expect(sdeMotion(depth, pose32, frame(0), frame(1), 0, SIZE)).rejects.toThrow(/must be another frame of the clip/);
    for (const m of [depth, pose, pose32]) m.dispose();
  });
});
