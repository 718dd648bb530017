import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { boxFilter3x3, reflectPad1 } from '../../src/core/ml/losses/boxFilter';
import { SSIM_C1, SSIM_C2, ssimDissimilarity } from '../../src/core/ml/losses/ssim';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

/** Reference SSIM dissimilarity with plain loops: reflect index, 3x3 means, per channel. */
function ssimReference(a: number[], b: number[], h: number, w: number, c: number): number[] {
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const k = (reflect(y + dy, h) * w + reflect(x + dx, w)) * c + ch;
            ma += a[k]! / 9; mb += b[k]! / 9;
            aa += (a[k]! * a[k]!) / 9; bb += (b[k]! * b[k]!) / 9; ab += (a[k]! * b[k]!) / 9;
          }
        }
        const va = aa - ma * ma, vb = bb - mb * mb, cov = ab - ma * mb;
        const s = ((2 * ma * mb + SSIM_C1) * (2 * cov + SSIM_C2)) / ((ma * ma + mb * mb + SSIM_C1) * (va + vb + SSIM_C2));
        out.push(Math.min(1, Math.max(0, (1 - s) / 2)));
      }
    }
  }
  return out;
}

describe('reflection padding and the 3x3 mean', () => {
  it('reflects without repeating the edge pixel', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    // rows [1 2 3],[4 5 6] -> padded rows: [4 5 6] above, [1 2 3] below; columns likewise
    expect(values(reflectPad1(x))).toEqual([5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2]);
  });

  it('averages each 3x3 neighbourhood (corner by hand)', () => {
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3, 1]);
    const m = values(boxFilter3x3(x));
    // corner (0,0): reflected neighbourhood rows [4 3 4],[1 0 1],[4 3 4] -> 24/9
    expectClose([m[0]!], [24 / 9]);
    expectClose([m[4]!], [4]); // centre: mean of 0..8
  });
});

describe('ssimDissimilarity', () => {
  it('is 0 for identical images', () => {
    const a = tf.tensor4d([0.1, 0.9, 0.3, 0.4, 0.5, 0.2, 0.7, 0.8, 0.6], [1, 3, 3, 1]);
    expectClose(values(ssimDissimilarity(a, a)), new Array(9).fill(0));
  });

  it('matches the closed form for two flat images (no variance)', () => {
    const a = tf.fill([1, 3, 3, 1], 0.5) as tf.Tensor4D;
    const b = tf.fill([1, 3, 3, 1], 0.25) as tf.Tensor4D;
    // mu_a = 0.5, mu_b = 0.25, variances and covariance 0:
    // SSIM = (2*0.125 + C1) * C2 / ((0.25 + 0.0625 + C1) * C2) = 0.2501 / 0.3126
    const expected = (1 - 0.2501 / 0.3126) / 2; // 0.09996801...
    expectClose(values(ssimDissimilarity(a, b)), new Array(9).fill(expected), 1e-6);
  });

  it('matches a plain-loop reference on a 1x4x4x3 image pair', () => {
    const n = 4 * 4 * 3;
    const a = Array.from({ length: n }, (_, k) => ((k * 37) % 23) / 23);
    const b = Array.from({ length: n }, (_, k) => ((k * 11 + 5) % 19) / 19);
    const got = values(ssimDissimilarity(tf.tensor4d(a, [1, 4, 4, 3]), tf.tensor4d(b, [1, 4, 4, 3])));
    expectClose(got, ssimReference(a, b, 4, 4, 3), 1e-5);
  });

  it('has the gradient finite differences give, border pixels included (reflection counted)', () => {
    const a = Array.from({ length: 9 }, (_, k) => ((k * 5) % 9) / 9);
    const b = tf.tensor4d(Array.from({ length: 9 }, (_, k) => ((k * 2 + 1) % 7) / 7), [1, 3, 3, 1]);
    const loss = (x: tf.Tensor): tf.Scalar => tf.sum(ssimDissimilarity(x as tf.Tensor4D, b));
    const analytic = values(tf.grad(loss)(tf.tensor4d(a, [1, 3, 3, 1])));
    const at = (k: number, d: number): number =>
      tf.tidy(() => loss(tf.tensor4d(a.map((v, i) => (i === k ? v + d : v)), [1, 3, 3, 1])).dataSync()[0]!);
    const h = 1e-3;
    for (const k of [0, 1, 4, 8]) {
      const numeric = (at(k, h) - at(k, -h)) / (2 * h);
      expect(Math.abs(analytic[k]! - numeric)).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('leaves no tensors behind and rejects mismatched shapes', () => {
    const a = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
    const b = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    expectNoLeak(() => ssimDissimilarity(a, b));
    expect(() => ssimDissimilarity(a, tf.zeros([1, 3, 4, 1]) as tf.Tensor4D)).toThrow(/same shape/);
  });
});
