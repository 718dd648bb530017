/**
 * Gradient definitions the engine needs, registered once per thread.
 * - tfjs-core's Node bundle registers no gradients at all; tfjs-layers' Node bundle registers
 *   all of them when it loads, so it is loaded here first.
 * - Conv2D and DepthwiseConv2dNative: tfjs refuses gradients of dilated convolutions; these
 *   definitions do the same as tfjs for dilation 1 (through the backprop kernels); for
 *   dilation > 1 they pass `dilations` to the project's wasm kernels on wasm and use the
 *   convolution formulas of kernels/convGradOps directly on other backends.
 * - FusedBatchNorm: tfjs tiles 1/sqrt(var) to the input's full size; broadcasting gives the
 *   same numbers without the Tile (which is slow on wasm).
 * Gradients are global to the thread's tfjs, so each definition must be right on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import {
  conv2dFilterGrad,
  conv2dInputGrad,
  depthwiseFilterGrad,
  depthwiseInputGrad,
} from './kernels/convGradOps';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const attrMap = (a: object) => a as unknown as tf.NamedAttrMap;

function isOne(v: number | [number, number] | undefined): boolean {
  return v == null || (typeof v === 'number' ? v === 1 : v.every((d) => d === 1));
}

const conv2dGrad: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    const g = dy as tf.Tensor4D;
    // The project's wasm kernels honour dilations; other backends' kernels assume 1.
    if (isOne(a.dilations) || tf.getBackend() === 'wasm') {
      const common = { strides: a.strides, pad: a.pad, dataFormat: a.dataFormat ?? 'NHWC', dimRoundingMode: a.dimRoundingMode, dilations: a.dilations ?? 1 };
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: g, filter }, attrMap({ ...common, inputShape: x.shape })) as tf.Tensor,
        filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, attrMap({ ...common, filterShape: filter.shape })) as tf.Tensor,
      };
    }
    if (a.dataFormat === 'NCHW') throw new Error('gradient of a dilated conv2d: only NHWC is supported');
    const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, a.strides, a.dilations!, a.pad, a.dimRoundingMode);
    return { x: () => conv2dInputGrad(g, filter, info), filter: () => conv2dFilterGrad(x, g, info) };
  },
};

const depthwiseGrad: tf.GradConfig = {
  kernelName: 'DepthwiseConv2dNative',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    const g = dy as tf.Tensor4D;
    if (isOne(a.dilations)) {
      const common = { strides: a.strides, pad: a.pad, dilations: a.dilations ?? 1, dimRoundingMode: a.dimRoundingMode };
      return {
        x: () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: g, filter }, attrMap({ ...common, inputShape: x.shape })) as tf.Tensor,
        filter: () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: g }, attrMap({ ...common, filterShape: filter.shape })) as tf.Tensor,
      };
    }
    const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, a.strides, a.dilations!, a.pad, a.dimRoundingMode, true);
    return {
      x: () => depthwiseInputGrad(g, filter, info),
      filter: () => depthwiseFilterGrad(x, g, info, filter.shape[3]),
    };
  },
};

const fusedBatchNormGrad: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const total = (t: tf.Tensor) => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
    const g = dy as tf.Tensor;
    const inv = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
    const gScaled = scale == null ? g : tf.mul(g, scale);
    return {
      x: () => tf.reshape(tf.mul(gScaled, inv), x.shape),
      mean: () => tf.neg(tf.mul(inv, total(gScaled))),
      variance: () => tf.mul(tf.mul(tf.pow(inv, tf.scalar(3)), tf.scalar(-0.5)), total(tf.mul(tf.sub(x, mean), gScaled))),
      scale: () => tf.mul(inv, total(tf.mul(g, tf.sub(x, mean)))),
      offset: () => total(g),
    };
  },
};

let registered = false;

export function registerTrainingGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of [conv2dGrad, depthwiseGrad, fusedBatchNormGrad]) tf.registerGradient(config);
}
