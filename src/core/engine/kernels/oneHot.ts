/**
 * OneHot for wasm. tfjs-backend-wasm's writes integer bit patterns whatever the dtype: a
 * float32 one-hot came out as 1.4e-45 instead of 1.0, which zeroed DepthMix/ClassMix label
 * maps (and so the confidence weight of every mixed image). This one writes the values in
 * the requested dtype.
 */
import { asTensor, asWasm, registerWasmKernel } from './tensorArgs';

export function registerOneHotKernel(): void {
  registerWasmKernel('OneHot', ({ inputs, attrs, backend }) => {
    const iT = asTensor(inputs.indices, 'OneHot', 'indices');
    const a = attrs as unknown as { depth: number; onValue: number; offValue: number; dtype: 'float32' | 'int32' };
    const wasm = asWasm(backend);
    const out = wasm.makeOutput([...iT.shape, a.depth], a.dtype);
    const idx = wasm.typedArrayFromHeap(iT) as Int32Array | Float32Array;
    const y = wasm.typedArrayFromHeap(out) as Int32Array | Float32Array;
    y.fill(a.offValue);
    for (let k = 0; k < idx.length; k++) {
      const c = idx[k]!;
      if (c >= 0 && c < a.depth) y[k * a.depth + c] = a.onValue;
    }
    return out;
  });
}
