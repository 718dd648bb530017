import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random';
import { classMixMask, classMixMaskTensor, pickHalfOfClasses, presentClasses } from '../../src/core/ml/mix/classMix';
import { depthMix, depthMixMask, mixPair, normaliseDisparity } from '../../src/core/ml/mix/depthMix';
import { mixByMask, oneHotLabels, pseudoLabel } from '../../src/core/ml/mix/mixByMask';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

const f32 = Math.fround;
const disp4 = (v: number[]): tf.Tensor4D => tf.tensor4d(v, [1, 1, v.length, 1]);

describe('DepthMix mask', () => {
  it('keeps pixel i where d_i >= d_j - 0.03, exactly at the margin included', () => {
    const dj = 0.53;
    const atMargin = f32(f32(dj) - f32(0.03)); // d_j - 0.03 in float32, as the op computes it
    const below = atMargin - 1e-6;
    const di = disp4([0.9, dj, atMargin, below, 0.1]);
    const dJ = disp4([dj, dj, dj, dj, dj]);
    // closer, equal, exactly at the margin, just below, farther
    expect(values(depthMixMask(di, dJ))).toEqual([1, 1, 1, 0, 0]);
  });

  it('forms both directions; inside the margin both masks are 1', () => {
    const di = disp4([0.9, 0.5, 0.5, 0.1]);
    const dj = disp4([0.1, 0.5, 0.52, 0.9]);
    expect(values(depthMixMask(di, dj))).toEqual([1, 1, 1, 0]);
    expect(values(depthMixMask(dj, di))).toEqual([0, 1, 1, 1]);
  });

  it('honours a custom margin and rescales disparities per image', () => {
    expect(values(depthMixMask(disp4([0.4]), disp4([0.5]), 0.1))).toEqual([1]);
    expect(values(depthMixMask(disp4([0.4]), disp4([0.5]), 0.05))).toEqual([0]);
    const two = tf.tensor4d([2, 4, 6, 10, 10, 30], [2, 1, 3, 1]);
    expectClose(values(normaliseDisparity(two)), [0, 0.5, 1, 0, 0, 1]);
  });
});

describe('mixing images and labels', () => {
  // two 1x1x3 images, 3 classes; image i labelled (ground truth), image j with teacher softmax
  const imageI = tf.tensor4d([1, 1, 1, 2, 2, 2, 3, 3, 3], [1, 1, 3, 3]);
  const imageJ = tf.tensor4d([7, 7, 7, 8, 8, 8, 9, 9, 9], [1, 1, 3, 3]);
  const gtI = tf.tensor3d([0, 255, 2], [1, 1, 3], 'int32');
  const probsJ = tf.tensor4d([0.2, 0.7, 0.1, 0.1, 0.1, 0.8, 0.5, 0.3, 0.2], [1, 1, 3, 3]);
  const dispI = disp4([0.9, 0.9, 0.1]);
  const dispJ = disp4([0.1, 0.2, 0.9]);

  it('turns ground truth into one-hot maps with ignored pixels all zero', () => {
    expect(values(oneHotLabels(gtI, 3))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('pastes with the mask over channels', () => {
    const mask = tf.tensor4d([1, 0, 0.5], [1, 1, 3, 1]);
    expect(values(mixByMask(imageI, imageJ, mask))).toEqual([1, 1, 1, 8, 8, 8, 6, 6, 6]);
  });

  it('mixes images, one-hot ground truth and teacher softmax with the same mask; argmax gives the label', () => {
    const probsI = oneHotLabels(gtI, 3);
    const { iOverJ, jOverI } = depthMix(
      { image: imageI, probs: probsI, disp: dispI },
      { image: imageJ, probs: probsJ, disp: dispJ },
    );
    // M_i = [1, 1, 0]: pixels 0, 1 from i (pixel 1 is ignored in i's ground truth), pixel 2 from j
    expect(values(iOverJ.mask)).toEqual([1, 1, 0]);
    expect(values(iOverJ.image)).toEqual([1, 1, 1, 2, 2, 2, 9, 9, 9]);
    expectClose(values(iOverJ.probs), [1, 0, 0, 0, 0, 0, 0.5, 0.3, 0.2]);
    expect(values(iOverJ.labels)).toEqual([0, 255, 0]);
    // M_j = [0, 0, 1]: pixels 0, 1 from i, pixel 2 from j... the other way round
    expect(values(jOverI.mask)).toEqual([0, 0, 1]);
    expect(values(jOverI.image)).toEqual([1, 1, 1, 2, 2, 2, 9, 9, 9]);
    expect(values(jOverI.labels)).toEqual([0, 255, 0]);
  });

  it('gives different mixes where the disparities are within the margin', () => {
    const tie = disp4([0.5, 0.5, 0.5]);
    const probsI = oneHotLabels(gtI, 3);
    const { iOverJ, jOverI } = depthMix(
      { image: imageI, probs: probsI, disp: tie },
      { image: imageJ, probs: probsJ, disp: tie },
    );
    expect(values(iOverJ.image)).toEqual(values(imageI));
    expect(values(jOverI.image)).toEqual(values(imageJ));
    expect(values(jOverI.labels)).toEqual([1, 2, 0]);
  });

  it('reads pseudo-labels by argmax, 255 where nothing is left', () => {
    const probs = tf.tensor4d([0.1, 0.6, 0.3, 0, 0, 0], [1, 1, 2, 3]);
    expect(values(pseudoLabel(probs))).toEqual([1, 255]);
  });

  it('carries no gradient into the disparity through the mask (student disparity under multi-task)', () => {
    const probsI = oneHotLabels(gtI, 3);
    const g = tf.grad((d: tf.Tensor) => {
      const mask = depthMixMask(d as tf.Tensor4D, dispJ);
      const mixed = mixPair({ image: imageI, probs: probsI }, { image: imageJ, probs: probsJ }, mask);
      // the disparity also feeds a loss of its own (the SDE loss under multi-task): its gradient
      // must be exactly that loss's, nothing from the mix
      return tf.add(tf.sum(d), tf.sum(tf.mul(mixed.image, tf.cast(mixed.labels, 'float32'))));
    })(dispI);
    expect(values(g)).toEqual([1, 1, 1]);
  });

  it('leaves no tensors behind', () => {
    const probsI = oneHotLabels(gtI, 3);
    expectNoLeak(() =>
      depthMix({ image: imageI, probs: probsI, disp: dispI }, { image: imageJ, probs: probsJ, disp: dispJ }),
    );
    expectNoLeak(() => oneHotLabels(gtI, 3));
    expect(() => depthMixMask(dispI, disp4([0.1, 0.2]))).toThrow(/same shape/);
  });
});

describe('ClassMix mask', () => {
  // 2x3 label map with classes 4, 7, 9 and an ignored pixel
  const labels = [4, 4, 7, 9, 255, 7];

  it('lists the classes present without the ignore label', () => {
    expect(presentClasses(labels)).toEqual([4, 7, 9]);
  });

  it('takes ceil(n/2) of the present classes, reproducibly per seed', () => {
    const a = pickHalfOfClasses(labels, createRng(5));
    expect(a).toHaveLength(2);
    expect(a).toEqual(pickHalfOfClasses(labels, createRng(5)));
    for (const c of a) expect([4, 7, 9]).toContain(c);
    // over seeds, every class is sometimes chosen and sometimes not
    const chosen = new Map<number, number>();
    for (let s = 0; s < 40; s++) for (const c of pickHalfOfClasses(labels, createRng(s))) chosen.set(c, (chosen.get(c) ?? 0) + 1);
    for (const c of [4, 7, 9]) expect(chosen.get(c)).toBeGreaterThan(0);
    for (const c of [4, 7, 9]) expect(chosen.get(c)).toBeLessThan(40);
  });

  it('covers exactly the pixels of the chosen classes', () => {
    const rng = createRng(11);
    const chosen = pickHalfOfClasses(labels, createRng(11));
    const mask = Array.from(classMixMask(labels, rng));
    expect(mask).toEqual(labels.map((l) => (chosen.includes(l) ? 1 : 0)));
    expect(mask[4]).toBe(0); // never the ignored pixel
  });

  it('builds a [B, H, W, 1] mask tensor with one draw per image', async () => {
    const t = tf.tensor3d([...labels, 1, 1, 1, 2, 2, 2], [2, 2, 3], 'int32');
    const rng = createRng(3);
    const m = await classMixMaskTensor(t, rng);
    expect(m.shape).toEqual([2, 2, 3, 1]);
    const ref = createRng(3);
    const expected = [...classMixMask(labels, ref), ...classMixMask([1, 1, 1, 2, 2, 2], ref)];
    expect(values(m)).toEqual(expected);
    // image 2 has classes {1, 2}: one of them, a full row
    expect(values(m).slice(6).reduce((s, v) => s + v, 0)).toBe(3);
  });
});
