import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { propagateMask } from '../../src/core/assist/propagate';
import { IGNORE_ID } from '../../src/core/labels';
import { propagationAgreement, synthFramePair } from '../../bench/propagationProtocol';
import { useCpu } from '../ml/tfSetup';

beforeAll(useCpu);

/** A 4x4 row-major translation. */
const translation = (tx: number, ty: number, tz: number): number[] => [1, 0, 0, tx, 0, 1, 0, ty, 0, 0, 1, tz, 0, 0, 0, 1];

describe('carrying a mask to the next frame of the clip', () => {
  // A 6x3 frame of a plane 2 m in front of the camera, f = 4 px: moving the camera 0.5 m along
  // x moves every point by f * 0.5 / 2 = 1 px. Source column u has class u (row 0), 10 + u (row 1), 20 + u (row 2).
  const w = 6;
  const h = 3;
  const intrinsics = { fx: 4, fy: 4, cx: 3, cy: 1.5, width: w, height: h };
  const sourceMask = Uint8Array.from({ length: w * h }, (_, i) => 10 * Math.floor(i / w) + (i % w));
  const plane = new Float32Array(w * h).fill(2);

  it('moves a plane by a pure translation as computed by hand; the column that comes into view stays unpainted', async () => {
    // Target points land 1 px to the right in the source: x_s = x_t + (0.5, 0, 0).
    const p = await propagateMask({ width: w, height: h, sourceMask, sourceDepth: plane, targetDepth: plane, intrinsics, targetToSource: translation(0.5, 0, 0) });
    const X = IGNORE_ID;
    expect(Array.from(p.mask)).toEqual([1, 2, 3, 4, 5, X, 11, 12, 13, 14, 15, X, 21, 22, 23, 24, 25, X]);
    expect({ painted: p.painted, outOfView: p.outOfView, occluded: p.occluded }).toEqual({ painted: 15, outOfView: 3, occluded: 0 });
  });

  it('leaves unpainted what the source saw hidden behind something nearer, what it did not label, and what moves', async () => {
    // In the source, an object 1 m away covers column 3: target pixels that look past it (at 2 m) land on it.
    const sourceDepth = plane.slice();
    for (let v = 0; v < h; v++) sourceDepth[v * w + 3] = 1;
    const unlabelled = sourceMask.slice();
    unlabelled[0 * w + 5] = IGNORE_ID;
    const moving = new Uint8Array(w * h);
    moving[2 * w + 1] = 1;
    const p = await propagateMask({
      width: w,
      height: h,
      sourceMask: unlabelled,
      sourceDepth,
      targetDepth: plane,
      intrinsics,
      targetToSource: translation(0.5, 0, 0),
      moving,
    });
    const X = IGNORE_ID;
    // Target column 2 looks at source column 3 (the occluder): unpainted. Columns 1 and 3 land at
    // 2 and 4, next to it, where the bilinear depth is the plane's.
    expect(Array.from(p.mask)).toEqual([1, 2, X, 4, X, X, 11, 12, X, 14, 15, X, X, 22, X, 24, 25, X]);
    expect({ painted: p.painted, outOfView: p.outOfView, occluded: p.occluded, unlabelled: p.unlabelled, moving: p.moving }).toEqual({
      painted: 10,
      outOfView: 3,
      occluded: 3,
      unlabelled: 1,
      moving: 1,
    });
  });

  describe('the colour check', () => {
    // An 8x3 frame of the same 2 m plane: the camera's 0.5 m move shifts the scene 1 px, so
    // target column u looks at source column u + 1. Grey road (class 0) with a red car (13) at
    // columns 2-3 in the source. Every row is the same, so the 3x3 blur only mixes columns.
    const w8 = 8;
    const k8 = { fx: 4, fy: 4, cx: 4, cy: 1.5, width: w8, height: h };
    const flat = new Float32Array(w8 * h).fill(2);
    const GREY = [100, 100, 100];
    const RED = [220, 40, 40]; // mean absolute difference to grey: (120 + 60 + 60) / 3 = 80
    const carAt = (columns: number[]): { mask: Uint8Array; rgb: Uint8Array } => {
      const mask = new Uint8Array(w8 * h);
      const rgb = new Uint8Array(3 * w8 * h);
      for (let i = 0; i < w8 * h; i++) {
        const car = columns.includes(i % w8);
        mask[i] = car ? 13 : 0;
        rgb.set(car ? RED : GREY, 3 * i);
      }
      return { mask, rgb };
    };
    const source = carAt([2, 3]);
    const carry = (targetImage?: Uint8Array) =>
      propagateMask({
        width: w8,
        height: h,
        sourceMask: source.mask,
        sourceDepth: flat,
        targetDepth: flat,
        intrinsics: k8,
        targetToSource: translation(0.5, 0, 0),
        ...(targetImage ? { sourceImage: source.rgb, targetImage, colourTolerance: 12 } : {}),
      });
    const X = IGNORE_ID;
    const rowsOf = (m: Uint8Array): number[][] => [0, 1, 2].map((v) => Array.from(m.subarray(v * w8, (v + 1) * w8)));

    it('leaves unpainted the pixels of a car that moved with the camera, which the warp alone carries to where it is not', async () => {
      // The car drove along: it stays at columns 2-3 in the target while the road shifted.
      const target = carAt([2, 3]);
      const without = await carry();
      expect(rowsOf(without.mask)).toEqual(new Array(3).fill([0, 13, 13, 0, 0, 0, 0, X])); // column 1 is road now, column 3 car
      expect(without.mismatch).toBe(0);
      // Blurred, the target's columns 0..4 differ from the source's columns 1..5 by 80 / 3 =
      // 26.7 except column 2 (car on car); road next to the car goes with it, where the blur
      // mixes the car in.
      const checked = await carry(target.rgb);
      expect(rowsOf(checked.mask)).toEqual(new Array(3).fill([X, X, 13, X, X, 0, 0, X]));
      expect({ painted: checked.painted, outOfView: checked.outOfView, occluded: checked.occluded, mismatch: checked.mismatch, moving: checked.moving }).toEqual({
        painted: 9,
        outOfView: 3,
        occluded: 0,
        mismatch: 12,
        moving: 0,
      });
    });

    it('carries everything where the car stood still and the colours agree', async () => {
      // A parked car shifts with the road: the target is the source moved 1 px left.
      const target = carAt([1, 2]);
      const checked = await carry(target.rgb);
      expect(rowsOf(checked.mask)).toEqual(new Array(3).fill([0, 13, 13, 0, 0, 0, 0, X]));
      expect({ painted: checked.painted, mismatch: checked.mismatch }).toEqual({ painted: 21, mismatch: 0 });
    });

    it('refuses an image of the wrong size, or only one of the two, in words', async () => {
      await expect(carry(source.rgb.subarray(3))).rejects.toThrow(/targetImage has 69 bytes, a 8x3 RGB frame needs 72/);
      await expect(
        propagateMask({ width: w8, height: h, sourceMask: source.mask, sourceDepth: flat, targetDepth: flat, intrinsics: k8, targetToSource: translation(0, 0, 0), sourceImage: source.rgb }),
      ).rejects.toThrow("the colour check needs both frames' images, got only sourceImage");
      await expect(
        propagateMask({ width: w8, height: h, sourceMask: source.mask, sourceDepth: flat, targetDepth: flat, intrinsics: k8, targetToSource: translation(0, 0, 0), sourceImage: source.rgb, targetImage: source.rgb, colourTolerance: 300 }),
      ).rejects.toThrow(/colourTolerance must be within 0\.\.255, got 300/);
    });
  });

  it('refuses inputs of the wrong size in words and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await propagateMask({ width: w, height: h, sourceMask, sourceDepth: plane, targetDepth: plane, intrinsics, targetToSource: translation(0, 0, 0) });
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      propagateMask({ width: w, height: h, sourceMask: sourceMask.subarray(1), sourceDepth: plane, targetDepth: plane, intrinsics, targetToSource: translation(0, 0, 0) }),
    ).rejects.toThrow(/sourceMask has 17 values, a 6x3 frame needs 18/);
    await expect(
      propagateMask({ width: w, height: h, sourceMask, sourceDepth: plane, targetDepth: plane, intrinsics: { ...intrinsics, width: 12, height: 6 }, targetToSource: translation(0, 0, 0) }),
    ).rejects.toThrow(/intrinsics are for 12x6, the frames are 6x3/);
  });

  it("with the generator's depth and poses, agrees with the next frame's labels on at least 90% of the pixels it paints, and paints most of the frame", async () => {
    for (const [sequence, frame] of [
      [0, 8],
      [1, 19],
    ] as const) {
      const pair = synthFramePair(7, sequence, frame, { height: 48, width: 96 });
      const p = await propagateMask({
        width: 96,
        height: 48,
        sourceMask: pair.source.label,
        sourceDepth: pair.source.depth,
        targetDepth: pair.target.depth,
        intrinsics: pair.intrinsics,
        targetToSource: pair.targetToSource,
      });
      const { agreement, painted } = propagationAgreement(p.mask, pair.target.label);
      expect(agreement, `sequence ${sequence} frame ${frame}: agreement`).toBeGreaterThanOrEqual(0.9);
      expect(painted, `sequence ${sequence} frame ${frame}: share painted`).toBeGreaterThanOrEqual(0.6);
      expect(painted).toBeLessThan(1); // the frame's edge comes into view: some pixels are left
      // Carrying the mask without moving it (identity motion) agrees less: the warp does the work.
      const still = propagationAgreement(pair.source.label, pair.target.label);
      expect(agreement).toBeGreaterThan(still.agreement);
    }
  });
});
