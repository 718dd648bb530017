/** DepthwiseConv2dNativeBackpropInput and ...BackpropFilter, missing on wasm (see convGradOps). */
import * as tf from '@tensorflow/tfjs-core';
import { depthwiseFilterGrad, depthwiseInputGrad } from './convGradOps';
import { asTensor, registerWasmKernel } from './tensorArgs';

interface DepthwiseGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function info(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  a: DepthwiseGradAttrs,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
}

export function registerDepthwiseBackpropKernels(): void {
  registerWasmKernel('DepthwiseConv2dNativeBackpropInput', ({ inputs, attrs }) => {
    const a = attrs as unknown as DepthwiseGradAttrs & { inputShape: [number, number, number, number] };
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'DepthwiseConv2dNativeBackpropInput', 'dy');
    const filter = asTensor<tf.Tensor4D>(inputs.filter, 'DepthwiseConv2dNativeBackpropInput', 'filter');
    return depthwiseInputGrad(dy, filter, info(a.inputShape, filter.shape, a));
  });
  registerWasmKernel('DepthwiseConv2dNativeBackpropFilter', ({ inputs, attrs }) => {
    const a = attrs as unknown as DepthwiseGradAttrs & { filterShape: [number, number, number, number] };
    const x = asTensor<tf.Tensor4D>(inputs.x, 'DepthwiseConv2dNativeBackpropFilter', 'x');
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'DepthwiseConv2dNativeBackpropFilter', 'dy');
    return depthwiseFilterGrad(x, dy, info(x.shape, a.filterShape, a), a.filterShape[3]);
  });
}
