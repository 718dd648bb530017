/**
 * GatherV2 for wasm. tfjs-backend-wasm's copies the indices out of the heap and checks each
 * one through a closure-made assertion before the native gather: bilinear sampling gathers
 * hundreds of thousands of rows per warp, and that check alone took ~80 ms per call. This one
 * checks bounds in a plain loop (with the same kind of error) and copies rows in place.
 * batchDims > 0 is not used by the project and is refused.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, asWasm, registerWasmKernel } from './tensorArgs';

export function registerGatherKernel(): void {
  registerWasmKernel('GatherV2', ({ inputs, attrs, backend }) => {
    const xT = asTensor(inputs.x, 'GatherV2', 'x');
    const iT = asTensor(inputs.indices, 'GatherV2', 'indices');
    const a = attrs as unknown as { axis: number; batchDims?: number };
    if (a.batchDims) throw new Error('GatherV2: batchDims > 0 is not supported by the training kernel');
    if (xT.dtype === 'string') throw new Error('GatherV2: string tensors are not supported by the training kernel');
    const axis = tf.util.parseAxisParam(a.axis, xT.shape)[0]!;
    const outer = xT.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const dim = xT.shape[axis]!;
    const inner = xT.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const outShape = [...xT.shape.slice(0, axis), ...iT.shape, ...xT.shape.slice(axis + 1)];
    const wasm = asWasm(backend);
    const out = wasm.makeOutput(outShape, xT.dtype);
    const n = iT.size;
    if (n === 0 || outer === 0 || inner === 0) return out;
    const idx = wasm.typedArrayFromHeap(iT) as Int32Array | Float32Array;
    for (let k = 0; k < n; k++) {
      const v = idx[k]!;
      if (!(v >= 0 && v <= dim - 1)) throw new Error(`GatherV2: the index value ${v} is not in [0, ${dim - 1}]`);
    }
    const x = wasm.typedArrayFromHeap(xT) as Float32Array;
    const y = wasm.typedArrayFromHeap(out) as Float32Array;
    let dst = 0;
    for (let o = 0; o < outer; o++) {
      const base = o * dim * inner;
      if (inner >= 16) {
        for (let k = 0; k < n; k++) {
          const src = base + idx[k]! * inner;
          y.set(x.subarray(src, src + inner), dst);
          dst += inner;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const src = base + idx[k]! * inner;
          for (let c = 0; c < inner; c++) y[dst++] = x[src + c]!;
        }
      }
    }
    return out;
  });
}
