/**
 * Gradients of 2-D convolutions written as forward convolutions, which XNNPACK runs fast on
 * wasm (and every backend runs correctly). They support strides, dilations, 'same'/'valid'/
 * explicit padding; a convolution never has both strides and dilations above 1.
 *
 * With i = y * stride + k * dilation - padBefore (input row i, output row y, filter tap k):
 * - input gradient: the output gradient with (stride - 1) zeros inserted between rows and
 *   columns, padded, correlated with the spatially flipped filter (in/out channels swapped)
 *   at the forward dilation;
 * - filter gradient: a correlation of the padded input, batch and channels swapped
 *   ([inC, H, W, N]), with the output gradient as the filter ([outH, outW, N, outC]), taking
 *   steps of `dilation` and dilated by `stride`: the result is [inC, fH, fW, outC].
 */
import * as tf from '@tensorflow/tfjs-core';

export type ConvInfo = tf.backend_util.Conv2DInfo;

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of NHWC `x`. */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  let y = x;
  if (ct + cb + cl + cr > 0) y = tf.slice(y, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c]);
  const pt = Math.max(0, top);
  const pb = Math.max(0, bottom);
  const pl = Math.max(0, left);
  const pr = Math.max(0, right);
  if (pt + pb + pl + pr > 0) {
    y = tf.pad(y, [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ]);
  }
  return y;
}

/** [N, H, W, C] -> [N, H * sh, W * sw, C] with the values at multiples of the strides, zeros between. */
export function zeroInsert(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, h * sh, w * sw, c]);
}

/**
 * The output gradient laid out so that a stride-1 'valid' correlation at the forward dilation
 * with a flipped filter gives the input gradient (inH x inW).
 */
export function spreadOutputGradient(dy: tf.Tensor4D, info: ConvInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth, padInfo } = info;
  const top = (fh - 1) * dh - padInfo.top;
  const left = (fw - 1) * dw - padInfo.left;
  const bottom = inHeight + (fh - 1) * dh - top - outHeight * sh;
  const right = inWidth + (fw - 1) * dw - left - outWidth * sw;
  return padOrCrop(zeroInsert(dy, sh, sw), top, bottom, left, right);
}

/** [fH, fW, in, out] -> [fH, fW, out, in], spatially reversed. */
export function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
}

export function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  info: ConvInfo,
  flip: (f: tf.Tensor4D) => tf.Tensor4D = flipFilter,
): tf.Tensor4D {
  return tf.tidy(() => {
    const g = spreadOutputGradient(dy, info);
    const flipped = flip(filter);
    return tf.conv2d(g, flipped, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]);
  });
}

/** The input padded/cropped so that filter tap k of output row y reads row y * stride + k * dilation. */
function paddedInput(x: tf.Tensor4D, info: ConvInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth, padInfo } = info;
  const hp = (fh - 1) * dh + (outHeight - 1) * sh + 1;
  const wp = (fw - 1) * dw + (outWidth - 1) * sw + 1;
  return padOrCrop(x, padInfo.top, hp - inHeight - padInfo.top, padInfo.left, wp - inWidth - padInfo.left);
}

export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, info: ConvInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const xp = paddedInput(x, info);
    if (info.filterHeight === 1 && info.filterWidth === 1 && sh === 1 && sw === 1) {
      // A 1x1 convolution is a matrix product: dW = X^T dY.
      const [n, h, w, c] = xp.shape;
      // An explicit transpose: wasm's matMul with transposeA is about 4x slower.
      const g = tf.matMul(tf.transpose(tf.reshape(xp, [n * h * w, c])), tf.reshape(dy, [n * h * w, dy.shape[3]]));
      return tf.reshape(g, [1, 1, c, dy.shape[3]]);
    }
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const g = tf.conv2d(xt, dyt, [dh, dw], 'valid', 'NHWC', [sh, sw]);
    return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Depthwise: input gradient, for any channel multiplier (usually 1). */
export function depthwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, info: ConvInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw, c, m] = filter.shape;
    const [n, oh, ow] = dy.shape;
    const dil: [number, number] = [info.dilationHeight, info.dilationWidth];
    const flipped = tf.reverse(filter, [0, 1]) as tf.Tensor4D;
    if (m === 1) return tf.depthwiseConv2d(spreadOutputGradient(dy, info), flipped, 1, 'valid', 'NHWC', dil);
    const dy5 = tf.reshape(dy, [n, oh, ow, c, m]);
    let sum: tf.Tensor4D | null = null;
    for (let k = 0; k < m; k++) {
      const dyk = tf.reshape(tf.slice(dy5, [0, 0, 0, 0, k], [n, oh, ow, c, 1]), [n, oh, ow, c]) as tf.Tensor4D;
      const fk = tf.slice(flipped, [0, 0, 0, k], [fh, fw, c, 1]);
      const part = tf.depthwiseConv2d(spreadOutputGradient(dyk, info), fk, 1, 'valid', 'NHWC', dil);
      sum = sum ? tf.add(sum, part) : part;
    }
    return sum!;
  });
}

/** Depthwise: filter gradient, one product-and-sum per filter tap. */
export function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, info: ConvInfo, multiplier: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
    const xp = paddedInput(x, info);
    const [n, , , c] = xp.shape;
    const dy5 = tf.reshape(dy, [n, oh, ow, c, multiplier]);
    const taps: tf.Tensor[] = [];
    for (let ky = 0; ky < fh; ky++) {
      for (let kx = 0; kx < fw; kx++) {
        const y0 = ky * dh;
        const x0 = kx * dw;
        const win = tf.stridedSlice(xp, [0, y0, x0, 0], [n, y0 + (oh - 1) * sh + 1, x0 + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
        taps.push(tf.sum(tf.mul(tf.reshape(win, [n, oh, ow, c, 1]), dy5), [0, 1, 2]));
      }
    }
    return tf.reshape(tf.stack(taps), [fh, fw, c, multiplier]) as tf.Tensor4D;
  });
}
