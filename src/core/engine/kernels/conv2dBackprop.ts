/**
 * Conv2DBackpropInput (replaces wasm's plain-loop kernel) and Conv2DBackpropFilter (missing on
 * wasm), both as XNNPACK convolutions (see convGradOps). An optional `dilations` attribute is
 * honoured, so the project's Conv2D gradient can pass dilated convolutions through.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGrad, conv2dInputGrad } from './convGradOps';
import { asTensor, asWasm, registerWasmKernel, requireNHWC } from './tensorArgs';

/**
 * flipFilter in one pass of JavaScript over the wasm heap: wasm's Reverse kernel takes about
 * 25 ms for a 3x3x256x256 filter, this about 2.
 */
function flipFilterOnHeap(backend: unknown): (f: tf.Tensor4D) => tf.Tensor4D {
  return (f) => {
    const wasm = asWasm(backend);
    const [fh, fw, ci, co] = f.shape;
    const info = wasm.makeOutput([fh, fw, co, ci], 'float32');
    const src = wasm.typedArrayFromHeap(f) as Float32Array;
    const dst = wasm.typedArrayFromHeap(info) as Float32Array;
    for (let y = 0; y < fh; y++) {
      for (let x = 0; x < fw; x++) {
        const s0 = (y * fw + x) * ci * co;
        const d0 = ((fh - 1 - y) * fw + (fw - 1 - x)) * co * ci;
        for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s0 + i * co + o]!;
      }
    }
    return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D;
  };
}

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
  registerWasmKernel('Conv2DBackpropInput', ({ inputs, attrs, backend }) => {
    const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'Conv2DBackpropInput', 'dy');
    const filter = asTensor<tf.Tensor4D>(inputs.filter, 'Conv2DBackpropInput', 'filter');
    return conv2dInputGrad(dy, filter, info('Conv2DBackpropInput', a.inputShape, filter.shape, a), flipFilterOnHeap(backend));
  });
  registerWasmKernel('Conv2DBackpropFilter', ({ inputs, attrs }) => {
    const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    const x = asTensor<tf.Tensor4D>(inputs.x, 'Conv2DBackpropFilter', 'x');
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'Conv2DBackpropFilter', 'dy');
    return conv2dFilterGrad(x, dy, info('Conv2DBackpropFilter', x.shape, a.filterShape, a));
  });
}
