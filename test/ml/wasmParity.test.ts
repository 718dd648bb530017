/**
 * The method's tensor functions give the same values and gradients on the wasm backend (where
 * training runs) as on the cpu backend (where the other tests check them by hand).
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berhu } from '../../src/core/ml/losses/berhu';
import { crossEntropy } from '../../src/core/ml/losses/crossEntropy';
import { minimumReprojection } from '../../src/core/ml/losses/photometric';
import { edgeAwareSmoothness } from '../../src/core/ml/losses/smoothness';
import { transformFromParameters, warp } from '../../src/core/ml/geometry';
import { depthMix } from '../../src/core/ml/mix/depthMix';
import { oneHotLabels } from '../../src/core/ml/mix/mixByMask';
import { confidenceWeight } from '../../src/core/ml/teacher';
import { useCpu } from './tfSetup';

const seq = (n: number, a: number, m: number): number[] => Array.from({ length: n }, (_, k) => ((k * a) % m) / m);

/** Every case on the current backend, flattened to plain numbers. */
function runAll(): Record<string, number[]> {
  const img = tf.tensor4d(seq(72, 37, 41), [1, 4, 6, 3]);
  const img2 = tf.tensor4d(seq(72, 11, 29), [1, 4, 6, 3]);
  const K = tf.tensor3d([4, 0, 3, 0, 4, 2, 0, 0, 1], [1, 3, 3]);
  const depth = tf.tensor4d(seq(24, 7, 13).map((v) => 1.5 + v), [1, 4, 6, 1]);
  const aa = tf.tensor2d([[0.01, 0.02, 0.01]]);
  const tt = tf.tensor2d([[0.3, 0.1, 0.02]]);
  const logits = tf.tensor4d(seq(120, 13, 17).map((v) => 4 * v - 2), [1, 4, 6, 5]);
  const labels = tf.tensor3d(Array.from({ length: 24 }, (_, k) => (k % 7 === 0 ? 255 : k % 5)), [1, 4, 6], 'int32');
  const zeros = (s: [number, number, number, number]): tf.Tensor4D => tf.zeros(s) as tf.Tensor4D;
  const cases: Record<string, () => tf.Tensor | tf.Tensor[]> = {
    photometric: () =>
      minimumReprojection(img, [img2], { identitySources: [tf.tile(depth, [1, 1, 1, 3]) as tf.Tensor4D], noise: zeros })
        .perPixel,
    photometricGrad: () => tf.grad((x: tf.Tensor) => minimumReprojection(img, [x as tf.Tensor4D]).loss)(img2),
    smoothnessGrad: () => tf.grad((d: tf.Tensor) => edgeAwareSmoothness(d as tf.Tensor4D, img))(depth),
    crossEntropyGrad: () => tf.grad((l: tf.Tensor) => crossEntropy(l as tf.Tensor4D, labels))(logits),
    berhuGrad: () => tf.grad((p: tf.Tensor) => berhu(p, img2))(img),
    warp: () => warp(img, depth, K, transformFromParameters(aa, tt)).warped,
    warpGrad: () =>
      tf.grads((d: tf.Tensor, a: tf.Tensor, t: tf.Tensor) =>
        tf.sum(tf.mul(warp(img, d as tf.Tensor4D, K, transformFromParameters(a as tf.Tensor2D, t as tf.Tensor2D)).warped, img2)),
      )([depth, aa, tt]),
    depthMix: () => {
      const m = depthMix(
        { image: img, probs: oneHotLabels(labels, 5), disp: tf.div(depth, 3) as tf.Tensor4D },
        { image: img2, probs: tf.softmax(logits) as tf.Tensor4D, disp: tf.div(depth, 2.5) as tf.Tensor4D },
      );
      return [m.iOverJ.image, m.iOverJ.probs, tf.cast(m.iOverJ.labels, 'float32'), m.jOverI.image];
    },
    confidenceWeight: () => confidenceWeight(tf.softmax(tf.mul(logits, 4)) as tf.Tensor4D),
  };
  const out: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(cases)) {
    const flat = tf.tidy(() => {
      const o = fn();
      return tf.concat((Array.isArray(o) ? o : [o]).map((t) => tf.reshape(t, [-1])));
    });
    out[name] = Array.from(flat.dataSync());
    flat.dispose();
  }
  tf.dispose([img, img2, K, depth, aa, tt, logits, labels]);
  return out;
}

describe('wasm backend parity', () => {
  let cpu: Record<string, number[]> = {};
  let wasm: Record<string, number[]> = {};

  beforeAll(async () => {
    await useCpu();
    cpu = runAll();
    const require = createRequire(import.meta.url);
    setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    wasm = runAll();
    expect(tf.memory().numTensors).toBe(before);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    'photometric',
    'photometricGrad',
    'smoothnessGrad',
    'crossEntropyGrad',
    'berhuGrad',
    'warp',
    'warpGrad',
    'depthMix',
    'confidenceWeight',
  ])('%s matches the cpu backend', (name) => {
    const a = cpu[name]!;
    const b = wasm[name]!;
    expect(b).toHaveLength(a.length);
    expect(a.some((v) => v !== 0)).toBe(true);
    const scale = Math.max(1, ...a.map(Math.abs));
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(1e-5 * scale);
  });
});
