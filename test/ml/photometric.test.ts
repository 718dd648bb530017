import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { minimumReprojection, reprojectionError } from '../../src/core/ml/losses/photometric';
import { egoMask } from '../../src/core/ml/losses/egoMask';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

const flat = (v: number, c = 1): tf.Tensor4D => tf.fill([1, 3, 3, c], v) as tf.Tensor4D;
/** SSIM dissimilarity of two flat images with means a and b (no variance): by hand. */
const flatSsim = (a: number, b: number): number =>
  (1 - (2 * a * b + 1e-4) / (a * a + b * b + 1e-4)) / 2;
const zeroNoise = (shape: [number, number, number, number]): tf.Tensor4D => tf.zeros(shape) as tf.Tensor4D;

describe('reprojectionError', () => {
  it('is 0.85 * SSIM term + 0.15 * L1 per pixel (flat images, by hand)', () => {
    // (1 - 0.2501/0.3126)/2 = 0.0999680, L1 = 0.25 -> 0.85*0.0999680 + 0.15*0.25 = 0.1224728
    const e = values(reprojectionError(flat(0.5), flat(0.25)));
    expectClose(e, new Array(9).fill(0.85 * flatSsim(0.5, 0.25) + 0.15 * 0.25), 1e-6);
    expect(e[0]).toBeCloseTo(0.1224728, 6);
  });

  it('averages both terms over channels: [B,H,W,3] -> [B,H,W,1]', () => {
    const a = tf.concat([flat(0.5), flat(0.5), flat(0.5)], 3) as tf.Tensor4D;
    const b = tf.concat([flat(0.25), flat(0.5), flat(0.75)], 3) as tf.Tensor4D;
    const e = reprojectionError(a, b);
    expect(e.shape).toEqual([1, 3, 3, 1]);
    const ssim = (flatSsim(0.5, 0.25) + 0 + flatSsim(0.5, 0.75)) / 3;
    const l1 = (0.25 + 0 + 0.25) / 3;
    expectClose(values(e), new Array(9).fill(0.85 * ssim + 0.15 * l1), 1e-6);
  });
});

describe('minimumReprojection', () => {
  const target = flat(0.5);
  // error of a flat source with value v against the flat target
  const err = (v: number): number => 0.85 * flatSsim(v, 0.5) + 0.15 * Math.abs(v - 0.5);

  it('takes the per-pixel minimum over the warped sources', () => {
    // source A is close to the target on the left column, source B elsewhere
    const a = tf.tensor4d([0.45, 0.1, 0.1, 0.45, 0.1, 0.1, 0.45, 0.1, 0.1], [1, 3, 3, 1]);
    const b = flat(0.3);
    const out = minimumReprojection(target, [a, b]);
    const ea = values(reprojectionError(a, target));
    const eb = values(reprojectionError(b, target));
    expectClose(values(out.perPixel), ea.map((v, k) => Math.min(v, eb[k]!)));
    expect(values(out.warpWins)).toEqual(new Array(9).fill(1)); // no identity terms
    expectClose([out.loss.dataSync()[0]!], [ea.map((v, k) => Math.min(v, eb[k]!)).reduce((s, v) => s + v, 0) / 9]);
  });

  it('auto-masks pixels where an un-warped source already matches better', () => {
    const warped = [flat(0.4), flat(0.3)]; // errors err(0.4) < err(0.3)
    const identityExact = [flat(0.45), flat(0.5)]; // second source equals the target: error 0
    const out = minimumReprojection(target, warped, { identitySources: identityExact, noise: zeroNoise });
    expectClose(values(out.perPixel), new Array(9).fill(0));
    expect(values(out.warpWins)).toEqual(new Array(9).fill(0));

    const identityFar = [flat(0.1), flat(0.9)]; // both worse than the warped minimum
    const far = minimumReprojection(target, warped, { identitySources: identityFar, noise: zeroNoise });
    expectClose(values(far.perPixel), new Array(9).fill(err(0.4)), 1e-6);
    expect(values(far.warpWins)).toEqual(new Array(9).fill(1));
  });

  it('adds 1e-5 * noise to the identity errors only, so the noise decides exact ties', () => {
    const warped = [flat(0.4)];
    const identity = [flat(0.4)]; // identical error: a tie
    const plusOne = (s: [number, number, number, number]): tf.Tensor4D => tf.ones(s) as tf.Tensor4D;
    const minusOne = (s: [number, number, number, number]): tf.Tensor4D => tf.fill(s, -1) as tf.Tensor4D;
    const up = minimumReprojection(target, warped, { identitySources: identity, noise: plusOne });
    expect(values(up.warpWins)).toEqual(new Array(9).fill(1));
    expectClose(values(up.perPixel), new Array(9).fill(err(0.4)), 1e-7);
    const down = minimumReprojection(target, warped, { identitySources: identity, noise: minusOne });
    expect(values(down.warpWins)).toEqual(new Array(9).fill(0));
    expectClose(values(down.perPixel), new Array(9).fill(err(0.4) - 1e-5), 1e-7);
  });

  it('draws reproducible noise from a seed', () => {
    const warped = [flat(0.4)];
    const identity = [flat(0.4)];
    const run = (seed: number): number[] =>
      values(minimumReprojection(target, warped, { identitySources: identity, noiseSeed: seed }).perPixel);
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    for (const v of run(3)) expect(Math.abs(v - err(0.4))).toBeLessThan(1e-4);
  });

  it('averages over the mask only (ego vehicle excluded)', () => {
    // bottom row of the source is wrong (the bonnet); the mask drops it
    const source = tf.tensor4d([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9, 0.9, 0.9], [1, 3, 3, 1]);
    const mask = egoMask(1, 3, 3, { bottomFraction: 1 / 3 });
    const masked = minimumReprojection(target, [source], { mask });
    const perPixel = values(masked.perPixel);
    const expected = perPixel.slice(0, 6).reduce((s, v) => s + v, 0) / 6;
    expectClose([masked.loss.dataSync()[0]!], [expected]);
    const unmasked = minimumReprojection(target, [source]);
    expect(unmasked.loss.dataSync()[0]!).toBeGreaterThan(masked.loss.dataSync()[0]! + 0.01);
  });

  it('passes gradient to the warped source only where it wins', () => {
    const warped = tf.tensor4d([0.4, 0.6, 0.2, 0.3, 0.55, 0.45, 0.1, 0.9, 0.5], [1, 3, 3, 1]);
    const grad = tf.grad((w: tf.Tensor) =>
      minimumReprojection(target, [w as tf.Tensor4D], { identitySources: [flat(0.5)], noise: zeroNoise }).loss,
    )(warped);
    const g = values(grad);
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
    // identity source equals the target: error 0 wins everywhere, so no gradient reaches the warp
    expect(g.every((v) => v === 0)).toBe(true);
    const free = values(tf.grad((w: tf.Tensor) => minimumReprojection(target, [w as tf.Tensor4D]).loss)(warped));
    expect(free.some((v) => v !== 0)).toBe(true);
  });

  it('leaves no tensors behind and checks its inputs', () => {
    const mask = egoMask(1, 3, 3, { bottomFraction: 0.34 });
    const [s, i] = [flat(0.4), flat(0.3)];
    expectNoLeak(() => minimumReprojection(target, [s], { identitySources: [i], noiseSeed: 1, mask }));
    expectNoLeak(() => reprojectionError(s, target));
    expectNoLeak(() => tf.grad((w: tf.Tensor) => minimumReprojection(target, [w as tf.Tensor4D]).loss)(s));
    expect(() => minimumReprojection(target, [])).toThrow(/at least one/);
    expect(() => minimumReprojection(target, [flat(0.4)], { identitySources: [flat(0.4), flat(0.4)] })).toThrow(
      /identitySources has 2/,
    );
  });
});
