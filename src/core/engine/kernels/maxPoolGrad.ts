/**
 * MaxPoolGrad for wasm (the package's kernel gives wrong gradients): each output's gradient goes
 * to the first maximum of its window in row-major order, as in TensorFlow. One pass over the
 * windows in JavaScript on the wasm heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, asWasm, registerWasmKernel } from './tensorArgs';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function registerMaxPoolGradKernel(): void {
  registerWasmKernel('MaxPoolGrad', ({ inputs, attrs, backend }) => {
    const a = attrs as unknown as MaxPoolGradAttrs;
    const dyT = asTensor<tf.Tensor4D>(inputs.dy, 'MaxPoolGrad', 'dy');
    const xT = asTensor<tf.Tensor4D>(inputs.input, 'MaxPoolGrad', 'input');
    const info = tf.backend_util.computePool2DInfo(xT.shape, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const wasm = asWasm(backend);
    const out = wasm.makeOutput(xT.shape, 'float32');
    // Views after the allocation: it may grow the heap.
    const x = wasm.typedArrayFromHeap(xT) as Float32Array;
    const dy = wasm.typedArrayFromHeap(dyT) as Float32Array;
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    dx.fill(0);
    const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { filterHeight: fh, filterWidth: fw, padInfo } = info;
    const best = new Float32Array(C);
    const bestAt = new Int32Array(C);
    for (let n = 0; n < batchSize; n++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          bestAt.fill(-1);
          for (let ky = 0; ky < fh; ky++) {
            const iy = oy * sh - padInfo.top + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < fw; kx++) {
              const ix = ox * sw - padInfo.left + kx * dw;
              if (ix < 0 || ix >= W) continue;
              const base = ((n * H + iy) * W + ix) * C;
              for (let c = 0; c < C; c++) {
                const v = x[base + c]!;
                if (bestAt[c]! < 0 || v > best[c]!) {
                  best[c] = v;
                  bestAt[c] = base + c;
                }
              }
            }
          }
          const o = ((n * OH + oy) * OW + ox) * C;
          for (let c = 0; c < C; c++) if (bestAt[c]! >= 0) dx[bestAt[c]!] += dy[o + c]!;
        }
      }
    }
    return out;
  });
}
