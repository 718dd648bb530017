/**
 * Reference networks for the engine benchmark (bench/engine.ts), the engine's training smoke
 * test and the worker tests' 'segnet-train' job; the project's real networks live in
 * src/core/ml. A ResNet-18-style encoder (stem 7x7/2 + max pool, four stages of basic blocks,
 * the last stage dilated instead of strided) with a U-Net decoder (bilinear x2 upsampling, skip
 * concatenation, two 3x3 convs), batch norm with batch statistics and ReLU. Written with plain
 * tfjs ops and variables, so it trains with tf.variableGrads / optimizers on any backend.
 * The FLOPs of each convolution are counted (2 x multiply-adds) as the forward pass runs.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface SegNetConfig {
  inChannels: number;
  /** Output channels (classes for segmentation, 1 for disparity). */
  outChannels: number;
  /** Encoder stage widths, e.g. [32, 64, 128, 256]. */
  widths: [number, number, number, number];
  /** Basic blocks per stage (ResNet-18: 2). */
  blocks: number;
  /** Whether to build the decoder (false: encoder + global pooling + dense head, e.g. a pose net). */
  decoder: boolean;
  seed: number;
}

export interface ConvCount {
  name: string;
  flops: number;
}

export interface SegNet {
  config: SegNetConfig;
  variables: tf.Variable[];
  parameterCount: number;
  /** NHWC float input -> logits ([N, H, W, out] with a decoder, [N, out] without). */
  apply(x: tf.Tensor4D): tf.Tensor;
  /** The convolutions of the last apply, in order, with their forward FLOPs. */
  lastConvs(): ConvCount[];
}

export function createSegNet(config: SegNetConfig): SegNet {
  let seed = config.seed;
  const variables: tf.Variable[] = [];
  const params = new Map<string, tf.Variable>();
  let convs: ConvCount[] = [];

  const param = (name: string, shape: number[], init: () => tf.Tensor): tf.Variable => {
    let v = params.get(name);
    if (!v) {
      v = tf.tidy(() => tf.variable(init(), true, `${name}_${config.seed}_${variables.length}`));
      params.set(name, v);
      variables.push(v);
    }
    if (v.shape.join() !== shape.join()) throw new Error(`${name}: shape ${v.shape} != ${shape}`);
    return v;
  };

  const conv = (name: string, x: tf.Tensor4D, k: number, out: number, stride = 1, dilation = 1): tf.Tensor4D => {
    const cin = x.shape[3];
    const w = param(`${name}/w`, [k, k, cin, out], () => tf.randomNormal([k, k, cin, out], 0, Math.sqrt(2 / (k * k * cin)), 'float32', seed++));
    const y = tf.conv2d(x, w as tf.Tensor4D, stride, 'same', 'NHWC', dilation);
    convs.push({ name, flops: 2 * y.shape[0] * y.shape[1] * y.shape[2] * out * k * k * cin });
    return y;
  };

  const bn = (name: string, x: tf.Tensor4D, relu: boolean): tf.Tensor4D => {
    const c = x.shape[3];
    const gamma = param(`${name}/gamma`, [c], () => tf.ones([c]));
    const beta = param(`${name}/beta`, [c], () => tf.zeros([c]));
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y: tf.Tensor4D = tf.batchNorm(x, mean, variance, beta, gamma, 1e-5) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  };

  const block = (name: string, x: tf.Tensor4D, out: number, stride: number, dilation: number): tf.Tensor4D => {
    let y = bn(`${name}/bn1`, conv(`${name}/conv1`, x, 3, out, stride, dilation), true);
    y = bn(`${name}/bn2`, conv(`${name}/conv2`, y, 3, out, 1, dilation), false);
    const shortcut = stride !== 1 || x.shape[3] !== out ? bn(`${name}/down_bn`, conv(`${name}/down`, x, 1, out, stride), false) : x;
    return tf.relu(tf.add(y, shortcut)) as tf.Tensor4D;
  };

  const apply = (x: tf.Tensor4D): tf.Tensor => {
    convs = [];
    const [w0, w1, w2, w3] = config.widths;
    const stem = bn('stem/bn', conv('stem', x, 7, w0, 2), true); // 1/2
    let f = tf.maxPool(stem, 3, 2, 'same'); // 1/4
    const skips: tf.Tensor4D[] = [stem];
    const stages: Array<[number, number, number]> = [
      [w0, 1, 1],
      [w1, 2, 1],
      [w2, 2, 1],
      [w3, 1, 2],
    ];
    stages.forEach(([width, stride, dilation], s) => {
      for (let b = 0; b < config.blocks; b++) f = block(`layer${s + 1}.${b}`, f, width, b === 0 ? stride : 1, dilation);
      if (s < 2) skips.push(f); // 1/4, 1/8
    });
    if (!config.decoder) {
      const pooled = tf.mean(f, [1, 2]);
      const dense = param('head/w', [w3, config.outChannels], () => tf.randomNormal([w3, config.outChannels], 0, Math.sqrt(1 / w3), 'float32', seed++));
      return tf.matMul(pooled, dense);
    }
    // Decoder: 1/8 -> 1/4 -> 1/2 -> 1/1.
    const decWidths = [w2, w1, w0];
    let d = f;
    for (let i = 0; i < 3; i++) {
      const skip = skips[2 - i]!;
      const up = tf.image.resizeBilinear(d, [skip.shape[1], skip.shape[2]], false, true);
      d = bn(`dec${i}/bn1`, conv(`dec${i}/conv1`, tf.concat([up, skip], 3), 3, decWidths[i]!), true);
      d = bn(`dec${i}/bn2`, conv(`dec${i}/conv2`, d, 3, decWidths[i]!), true);
    }
    const full = tf.image.resizeBilinear(d, [x.shape[1], x.shape[2]], false, true);
    const bias = param('head/b', [config.outChannels], () => tf.zeros([config.outChannels]));
    return tf.add(conv('head', full, 1, config.outChannels), bias);
  };

  // Build the variables with one tiny forward pass.
  tf.tidy(() => {
    apply(tf.zeros([1, 32, 32, config.inChannels]) as tf.Tensor4D);
  });
  return {
    config,
    variables,
    get parameterCount() {
      return variables.reduce((a, v) => a + v.size, 0);
    },
    apply,
    lastConvs: () => convs,
  };
}

/**
 * FLOPs of one training step from the convolutions of a forward pass: forward + filter
 * gradients + input gradients of every convolution but the first (the image needs none).
 * Batch norm, pooling, resizes and element-wise ops are left out (a few percent).
 */
export function trainStepFlops(convs: ConvCount[]): { forward: number; train: number } {
  const forward = convs.reduce((a, c) => a + c.flops, 0);
  return { forward, train: 3 * forward - (convs[0]?.flops ?? 0) };
}
