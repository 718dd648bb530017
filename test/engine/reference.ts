/**
 * Float64 references for the engine tests, written directly from the definitions (independent
 * of tfjs's kernels), plus seeded inputs and a comparison helper.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Deterministic values in [-1, 1). */
export function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[k] = s / 2 ** 31 - 1;
  }
  return out;
}

export function tensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** |a - b| <= tol * max(1, max|b|) for every element. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 1;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]!));
  let worst = 0;
  let at = -1;
  for (let k = 0; k < expected.length; k++) {
    const d = Math.abs(actual[k]! - expected[k]!);
    if (!(d <= worst)) {
      worst = d;
      at = k;
    }
  }
  if (!(worst <= tol * scale)) {
    throw new Error(`${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (|diff| ${worst}, tolerance ${tol * scale})`);
  }
}

export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  cin: number;
  fh: number;
  fw: number;
  cout: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

export function geometry(
  xShape: [number, number, number, number],
  fShape: [number, number, number, number],
  strides: number,
  pad: 'same' | 'valid',
  dilation: number,
  depthwise = false,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(xShape, fShape, strides, dilation, pad, undefined, depthwise);
  return {
    n: xShape[0], h: xShape[1], w: xShape[2], cin: xShape[3], fh: fShape[0], fw: fShape[1], cout: fShape[3],
    oh: info.outHeight, ow: info.outWidth, sh: strides, sw: strides, dh: dilation, dw: dilation,
    top: info.padInfo.top, left: info.padInfo.left,
  };
}

/**
 * Gradients of sum(conv2d(x, f) * dy) (plain or depthwise with multiplier fShape[3]) with
 * respect to x and f, by looping over the forward definition in float64.
 */
export function convGradReference(
  g: ConvGeometry,
  x: Float32Array,
  f: Float32Array,
  dy: Float32Array,
  depthwise: boolean,
): { dx: Float64Array; df: Float64Array } {
  const dx = new Float64Array(x.length);
  const df = new Float64Array(f.length);
  const outC = depthwise ? g.cin * g.cout : g.cout;
  for (let n = 0; n < g.n; n++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let ky = 0; ky < g.fh; ky++) {
          const iy = oy * g.sh + ky * g.dh - g.top;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.fw; kx++) {
            const ix = ox * g.sw + kx * g.dw - g.left;
            if (ix < 0 || ix >= g.w) continue;
            for (let ci = 0; ci < g.cin; ci++) {
              const xi = ((n * g.h + iy) * g.w + ix) * g.cin + ci;
              for (let m = 0; m < g.cout; m++) {
                const co = depthwise ? ci * g.cout + m : m;
                const fi = ((ky * g.fw + kx) * g.cin + ci) * g.cout + m;
                const d = dy[((n * g.oh + oy) * g.ow + ox) * outC + co]!;
                dx[xi] += d * f[fi]!;
                df[fi] += d * x[xi]!;
              }
            }
          }
        }
  return { dx, df };
}

/** Gradient of max pooling: each output's gradient to the first maximum of its window. */
export function maxPoolGradReference(
  x: Float32Array,
  [n, h, w, c]: number[],
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): Float64Array {
  const dx = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < info.outHeight; oy++)
      for (let ox = 0; ox < info.outWidth; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let ky = 0; ky < info.filterHeight; ky++)
            for (let kx = 0; kx < info.filterWidth; kx++) {
              const iy = oy * info.strideHeight + ky - info.padInfo.top;
              const ix = ox * info.strideWidth + kx - info.padInfo.left;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const k = ((b * h + iy) * w + ix) * c + ch;
              if (at < 0 || x[k]! > best) {
                best = x[k]!;
                at = k;
              }
            }
          dx[at] += dy[((b * info.outHeight + oy) * info.outWidth + ox) * c + ch]!;
        }
  return dx;
}
