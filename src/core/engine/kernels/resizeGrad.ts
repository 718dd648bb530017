/**
 * ResizeBilinearGrad and ResizeNearestNeighborGrad for wasm, honouring alignCorners and
 * halfPixelCenters (the package's kernels ignore halfPixelCenters), and the same for the cpu
 * backend (its bilinear gradient comes out with height and width swapped, its nearest-neighbour
 * gradient is wrong for batch > 1). Each is the exact adjoint of
 * the forward sampling TensorFlow defines: every output gradient is added to the input pixels
 * the forward resize read, with the same weights. One pass in JavaScript on the wasm heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, asWasm, registerWasmKernel } from './tensorArgs';

interface ResizeAttrs {
  alignCorners?: boolean;
  halfPixelCenters?: boolean;
}

function scale(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** For each output index: lower and upper input index and the weight of the upper one. */
export function bilinearTaps(inSize: number, outSize: number, a: ResizeAttrs) {
  const s = scale(inSize, outSize, !!a.alignCorners);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const w = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = a.halfPixelCenters ? (o + 0.5) * s - 0.5 : o * s;
    const floor = Math.max(0, Math.floor(src));
    lo[o] = floor;
    hi[o] = Math.min(inSize - 1, Math.ceil(src));
    w[o] = src - floor;
  }
  return { lo, hi, w };
}

export function nearestTaps(inSize: number, outSize: number, a: ResizeAttrs): Int32Array {
  const s = scale(inSize, outSize, !!a.alignCorners);
  const idx = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = a.halfPixelCenters ? (o + 0.5) * s : o * s;
    let i = Math.min(inSize - 1, a.alignCorners ? Math.round(src) : Math.floor(src));
    if (a.halfPixelCenters) i = Math.max(0, i);
    idx[o] = i;
  }
  return idx;
}

/** Adds each output gradient to the input pixels the bilinear forward read, with its weights. */
function bilinearGrad(dy: Float32Array, dx: Float32Array, [N, H, W, C]: number[], OH: number, OW: number, a: ResizeAttrs): void {
  const rows = bilinearTaps(H, OH, a);
  const cols = bilinearTaps(W, OW, a);
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const wy = rows.w[oy]!;
      const top = (n * H + rows.lo[oy]!) * W;
      const bottom = (n * H + rows.hi[oy]!) * W;
      for (let ox = 0; ox < OW; ox++) {
        const wx = cols.w[ox]!;
        const tl = (top + cols.lo[ox]!) * C;
        const tr = (top + cols.hi[ox]!) * C;
        const bl = (bottom + cols.lo[ox]!) * C;
        const br = (bottom + cols.hi[ox]!) * C;
        const wtl = (1 - wy) * (1 - wx);
        const wtr = (1 - wy) * wx;
        const wbl = wy * (1 - wx);
        const wbr = wy * wx;
        const o = ((n * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const g = dy[o + c]!;
          dx[tl + c] += g * wtl;
          dx[tr + c] += g * wtr;
          dx[bl + c] += g * wbl;
          dx[br + c] += g * wbr;
        }
      }
    }
  }
}

/** Adds each output gradient to the input pixel the nearest-neighbour forward read. */
function nearestGrad(dy: Float32Array, dx: Float32Array, [N, H, W, C]: number[], OH: number, OW: number, a: ResizeAttrs): void {
  const rows = nearestTaps(H, OH, a);
  const cols = nearestTaps(W, OW, a);
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const row = (n * H + rows[oy]!) * W;
      for (let ox = 0; ox < OW; ox++) {
        const t = (row + cols[ox]!) * C;
        const o = ((n * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) dx[t + c] += dy[o + c]!;
      }
    }
  }
}

type GradLoop = typeof bilinearGrad;

function wasmKernel(name: string, loop: GradLoop): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const images = asTensor<tf.Tensor4D>(inputs.images, name, 'images');
    const dyT = asTensor<tf.Tensor4D>(inputs.dy, name, 'dy');
    const wasm = asWasm(backend);
    const out = wasm.makeOutput(images.shape, 'float32');
    // Views after the allocation: it may grow the heap.
    const dy = wasm.typedArrayFromHeap(dyT) as Float32Array;
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    loop(dy, dx, images.shape, dyT.shape[1], dyT.shape[2], attrs as unknown as ResizeAttrs);
    return out;
  };
}

/** The same loops for the cpu backend, whose own resize gradients are wrong (see the tests). */
function cpuKernel(name: string, loop: GradLoop): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const images = asTensor<tf.Tensor4D>(inputs.images, name, 'images');
    const dyT = asTensor<tf.Tensor4D>(inputs.dy, name, 'dy');
    const cpu = backend as tf.KernelBackend & {
      makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
    };
    const dy = cpu.readSync(dyT.dataId) as Float32Array;
    const dx = new Float32Array(images.size);
    loop(dy, dx, images.shape, dyT.shape[1], dyT.shape[2], attrs as unknown as ResizeAttrs);
    return cpu.makeTensorInfo(images.shape, 'float32', dx);
  };
}

export function registerResizeGradKernels(): void {
  registerWasmKernel('ResizeBilinearGrad', wasmKernel('ResizeBilinearGrad', bilinearGrad));
  registerWasmKernel('ResizeNearestNeighborGrad', wasmKernel('ResizeNearestNeighborGrad', nearestGrad));
}

export function registerCpuResizeGradKernels(): void {
  for (const [kernelName, loop] of [
    ['ResizeBilinearGrad', bilinearGrad],
    ['ResizeNearestNeighborGrad', nearestGrad],
  ] as const) {
    if (tf.getKernel(kernelName, 'cpu')) tf.unregisterKernel(kernelName, 'cpu');
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: cpuKernel(kernelName, loop) });
  }
}
