/**
 * Conv2DBackpropInput (replaces wasm's plain-loop kernel) and Conv2DBackpropFilter (missing on
 * wasm), both as XNNPACK convolutions (see convGradOps). An optional `dilations` attribute is
 * honoured, so the project's Conv2D gradient can pass dilated convolutions through.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGrad, conv2dInputGrad } from './convGradOps';
import { asTensor, registerWasmKernel, requireNHWC } from './tensorArgs';

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

function info(
  name: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  a: ConvGradAttrs,
): tf.backend_util.Conv2DInfo {
  requireNHWC(name, a.dataFormat);
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
}

export function registerConv2dBackpropKernels(): void {
  registerWasmKernel('Conv2DBackpropInput', ({ inputs, attrs }) => {
    const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'Conv2DBackpropInput', 'dy');
    const filter = asTensor<tf.Tensor4D>(inputs.filter, 'Conv2DBackpropInput', 'filter');
    return conv2dInputGrad(dy, filter, info('Conv2DBackpropInput', a.inputShape, filter.shape, a));
  });
  registerWasmKernel('Conv2DBackpropFilter', ({ inputs, attrs }) => {
    const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    const x = asTensor<tf.Tensor4D>(inputs.x, 'Conv2DBackpropFilter', 'x');
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'Conv2DBackpropFilter', 'dy');
    return conv2dFilterGrad(x, dy, info('Conv2DBackpropFilter', x.shape, a.filterShape, a));
  });
}
