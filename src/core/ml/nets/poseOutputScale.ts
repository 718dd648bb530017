/**
 * The pose network's last layer: its 6 mean activations [B, 6] times a scale per part,
 * rotation (axis-angle, 0..2) and translation (3..5). A weightless layer, registered for
 * (de)serialisation so saved pose networks load with their own scales.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** How a pose network turns its head's mean activations into a pose. */
export interface PoseOutput {
  rotationScale: number;
  translationScale: number;
  /** Added to the scaled translation: where the network starts from (x, y, z). */
  translationOffset: number[];
}

export interface PoseOutputScaleArgs extends PoseOutput {
  name: string;
  /** Serialised configs carry other Layer keys (trainable, dtype, ...). */
  [key: string]: unknown;
}

export class PoseOutputScale extends tfl.layers.Layer {
  static className = 'PoseOutputScale';
  readonly rotationScale: number;
  readonly translationScale: number;
  readonly translationOffset: number[];

  constructor(args: PoseOutputScaleArgs) {
    super({ name: args.name, trainable: false });
    this.rotationScale = Number(args.rotationScale);
    this.translationScale = Number(args.translationScale);
    this.translationOffset = (args.translationOffset ?? [0, 0, 0]).map(Number);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const r = this.rotationScale;
      const t = this.translationScale;
      const [ox, oy, oz] = this.translationOffset;
      return tf.add(tf.mul(x, tf.tensor1d([r, r, r, t, t, t])), tf.tensor1d([0, 0, 0, ox!, oy!, oz!]));
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rotationScale: this.rotationScale, translationScale: this.translationScale, translationOffset: [...this.translationOffset] };
  }
}

tf.serialization.registerClass(PoseOutputScale);
