/**
 * UnsortedSegmentSum for wasm (missing there): the gradient of tf.gather, which warping uses.
 * Rows whose segment id is out of [0, numSegments) are dropped, as in TensorFlow.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, asWasm, registerWasmKernel } from './tensorArgs';

export function registerUnsortedSegmentSumKernel(): void {
  registerWasmKernel('UnsortedSegmentSum', ({ inputs, attrs, backend }) => {
    const xT = asTensor(inputs.x, 'UnsortedSegmentSum', 'x');
    const idsT = asTensor(inputs.segmentIds, 'UnsortedSegmentSum', 'segmentIds');
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    if (idsT.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: segmentIds must be int32, got ${idsT.dtype}`);
    const rows = idsT.size;
    const inner = rows === 0 ? 0 : xT.size / rows;
    if (!Number.isInteger(inner)) throw new Error(`UnsortedSegmentSum: x shape ${xT.shape} does not start with segmentIds shape ${idsT.shape}`);
    const outShape = [numSegments, ...xT.shape.slice(idsT.rank)];
    const wasm = asWasm(backend);
    const out = wasm.makeOutput(outShape, xT.dtype);
    const x = wasm.typedArrayFromHeap(xT) as Float32Array | Int32Array;
    const ids = wasm.typedArrayFromHeap(idsT) as Int32Array;
    const y = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
    y.fill(0);
    for (let r = 0; r < rows; r++) {
      const s = ids[r]!;
      if (s < 0 || s >= numSegments) continue;
      const src = r * inner;
      const dst = s * inner;
      for (let k = 0; k < inner; k++) y[dst + k] += x[src + k]!;
    }
    return out;
  });
}
