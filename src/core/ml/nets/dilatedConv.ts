/**
 * A dilated 3x3 (or kxk) convolution layer, stride 1, 'same' padding, computed with the plain
 * tf.conv2d op. tfjs-layers' Conv2D runs linear-activation convs through tf.fused.conv2d even
 * while taking gradients, and that op's gradient refuses dilation rates > 1; tf.conv2d's
 * gradient is the engine's (src/core/engine/gradients.ts), which handles dilation. The weights
 * are named and shaped as Conv2D's (kernel [k, k, in, out], bias [out]), so copyMatchingWeights
 * and FLOP counting treat it like a Conv2D; it is registered for (de)serialisation.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nextInitSeed } from './initSeed';

export interface DilatedConv2DArgs {
  name: string;
  filters: number;
  kernelSize: number;
  dilationRate: number;
  activation?: 'linear' | 'relu';
  useBias?: boolean;
  /** Serialised configs carry other Layer keys (trainable, dtype, ...). */
  [key: string]: unknown;
}

type ShapeLike = Array<number | null>;

export class DilatedConv2D extends tfl.layers.Layer {
  static className = 'DilatedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly dilationRate: number;
  readonly activation: 'linear' | 'relu';
  readonly useBias: boolean;
  private readonly seed = nextInitSeed();
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: DilatedConv2DArgs) {
    super({ name: args.name, trainable: args.trainable as boolean | undefined });
    // Serialised configs hold kernelSize/dilationRate as [k, k].
    const scalar = (v: unknown): number => (Array.isArray(v) ? Number(v[0]) : Number(v));
    this.filters = args.filters;
    this.kernelSize = scalar(args.kernelSize);
    this.dilationRate = scalar(args.dilationRate);
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as ShapeLike;
    const cin = shape[3];
    if (typeof cin !== 'number') throw new Error(`${this.name}: input channels unknown`);
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, cin, this.filters], 'float32', tfl.initializers.heNormal({ seed: this.seed }));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as ShapeLike;
    return [shape[0] ?? null, shape[1] ?? null, shape[2] ?? null, this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(x, this.kernel!.read() as tf.Tensor4D, 1, 'same', 'NHWC', this.dilationRate);
      if (this.bias) y = tf.add(y, this.bias.read());
      return this.activation === 'relu' ? tf.relu(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [this.kernelSize, this.kernelSize],
      strides: [1, 1],
      dilationRate: [this.dilationRate, this.dilationRate],
      padding: 'same',
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}

tf.serialization.registerClass(DilatedConv2D);
