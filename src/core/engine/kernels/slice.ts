/**
 * Slice for wasm. tfjs-backend-wasm's own kernel first copies the WHOLE input out of the
 * wasm heap (readSync) and then copies element by element in JS: a slice of 200k floats
 * from a 1M-float tensor took 10-15 ms, and slices (with SplitV, built on them) dominated the
 * SDE loss. This one reads the input in place and copies contiguous runs: the innermost axes
 * that are taken whole merge into one run per outer index.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, asWasm, registerWasmKernel } from './tensorArgs';

/** Copies the box (begin, size) of a row-major array of `shape` into `out`. */
export function copyBox(
  x: { subarray(a: number, b: number): ArrayLike<number> },
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: { set(v: ArrayLike<number>, offset: number): void },
): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(x.subarray(0, 1), 0);
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  // Axes after k are taken whole: one contiguous run per index of the axes before k.
  let k = rank - 1;
  while (k > 0 && size[k] === shape[k]) k--;
  const run = size[k]! * strides[k]!;
  const base = begin[k]! * strides[k]!;
  const idx = new Array<number>(k).fill(0);
  let count = 1;
  for (let d = 0; d < k; d++) count *= size[d]!;
  let dst = 0;
  for (let n = 0; n < count; n++) {
    let src = base;
    for (let d = 0; d < k; d++) src += (begin[d]! + idx[d]!) * strides[d]!;
    out.set(x.subarray(src, src + run), dst);
    dst += run;
    for (let d = k - 1; d >= 0; d--) {
      if (++idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
  }
}

export function registerSliceKernel(): void {
  registerWasmKernel('Slice', ({ inputs, attrs, backend }) => {
    const xT = asTensor(inputs.x, 'Slice', 'x');
    if (xT.dtype === 'string') throw new Error('Slice: string tensors are not supported by the training kernel');
    const a = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(xT, a.begin, a.size);
    const wasm = asWasm(backend);
    const out = wasm.makeOutput(size, xT.dtype);
    if (size.some((s) => s === 0)) return out;
    // Views taken after makeOutput (which may grow the heap).
    const x = wasm.typedArrayFromHeap(xT) as Float32Array;
    const y = wasm.typedArrayFromHeap(out) as Float32Array;
    copyBox(x, xT.shape, begin, size, y);
    return out;
  });
}

/** SplitV for wasm: tfjs-backend-wasm's calls its own slow slice directly, so it is replaced too. */
export function registerSplitVKernel(): void {
  registerWasmKernel('SplitV', ({ inputs, attrs, backend }) => {
    const xT = asTensor(inputs.x, 'SplitV', 'x');
    if (xT.dtype === 'string') throw new Error('SplitV: string tensors are not supported by the training kernel');
    const a = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
    const axis = tf.util.parseAxisParam(a.axis, xT.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(xT, a.numOrSizeSplits, axis);
    const wasm = asWasm(backend);
    const begin = new Array<number>(xT.rank).fill(0);
    const outs: tf.TensorInfo[] = [];
    for (const s of sizes) {
      const size = [...xT.shape];
      size[axis] = s;
      const out = wasm.makeOutput(size, xT.dtype);
      if (s > 0) copyBox(wasm.typedArrayFromHeap(xT) as Float32Array, xT.shape, begin, size, wasm.typedArrayFromHeap(out) as Float32Array);
      outs.push(out);
      begin[axis]! += s;
    }
    return outs;
  });
}
