/**
 * A tiny segmentation net (reference ResNet-style U-Net) trains to near-zero loss on a few
 * synthetic frames on the wasm backend, through tf.train.adam and the project's kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { createSegNet } from '../../bench/referenceNets';
import { synthFrames } from '../jobs/fixtures/synthFrames';
import { startWasm } from './setup';

beforeAll(startWasm);

it('fits 3 synthetic 32x32 frames to near-zero loss on wasm', async () => {
  await tf.setBackend('wasm');
  const frames = synthFrames(3, 32, 32);
  const images = tf.tensor4d(frames.images.data, frames.images.shape as [number, number, number, number]);
  const oneHot = tf.oneHot(tf.tensor1d(frames.labels.data, 'int32'), 3);
  const net = createSegNet({ inChannels: 3, outChannels: 3, widths: [8, 8, 16, 16], blocks: 1, decoder: true, seed: 3 });
  const optimizer = tf.train.adam(0.02);
  const losses: number[] = [];
  for (let step = 0; step < 150; step++) {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(oneHot, tf.reshape(net.apply(images), [-1, 3])) as tf.Scalar, true, net.variables)!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  const accuracy = tf.tidy(() =>
    tf.mean(tf.cast(tf.equal(tf.argMax(tf.reshape(net.apply(images), [-1, 3]), 1), tf.argMax(oneHot, 1)), 'float32')).dataSync()[0]!,
  );
  optimizer.dispose();
  tf.dispose([images, oneHot, ...net.variables]);
  expect(losses[0]).toBeGreaterThan(0.5);
  expect(losses.at(-1)).toBeLessThan(0.05);
  expect(accuracy).toBeGreaterThan(0.99);
  // 150 steps take some 20 s alone; beside the suite's other training file on 2 cores, over 60 s.
}, 180_000);
