/**
 * Small building blocks on tfjs-layers symbolic tensors, shared by the networks: convolution
 * (+ batch norm + activation), the residual basic block, input normalisation and resizing.
 * Every layer gets an explicit name: weights are matched by layer name when one network is
 * initialised from another (see copyWeights.ts), and the names are stable across builds.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { INPUT_MEAN, INPUT_STD } from './config';
import { DilatedConv2D } from './dilatedConv';
import { nextInitSeed } from './initSeed';

export type Sym = tfl.SymbolicTensor;

export function apply1(layer: tfl.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

export function channelsOf(x: Sym): number {
  const c = x.shape[3];
  if (typeof c !== 'number') throw new Error(`tensor ${x.name} has no known channel count`);
  return c;
}

export function spatialOf(x: Sym): [number, number] {
  const [, h, w] = x.shape;
  if (typeof h !== 'number' || typeof w !== 'number') throw new Error(`tensor ${x.name} has no known spatial size`);
  return [h, w];
}

export interface ConvOptions {
  kernel?: number;
  stride?: number;
  dilation?: number;
  activation?: 'relu' | 'elu' | 'sigmoid' | 'linear';
  /** Zero kernel and bias (the output is exactly 0 until trained). */
  zeroInit?: boolean;
  /** Kernel from N(0, smallInitStd^2) instead of He init (classifier heads: logits start near 0). */
  smallInitStd?: number;
  useBias?: boolean;
}

/**
 * A 'same'-padded 2-D convolution named `name`. Dilated ones (stride 1) are DilatedConv2D
 * layers, whose gradient works for dilation > 1 (see dilatedConv.ts).
 */
export function conv(x: Sym, filters: number, name: string, o: ConvOptions = {}): Sym {
  const kernel = o.kernel ?? 3;
  const dilation = o.dilation ?? 1;
  if (dilation > 1) {
    if ((o.stride ?? 1) !== 1) throw new Error(`${name}: a dilated convolution must have stride 1`);
    if (o.zeroInit || (o.activation && o.activation !== 'linear' && o.activation !== 'relu')) {
      throw new Error(`${name}: dilated convolutions support linear or relu activations and random init only`);
    }
    const act = o.activation === 'relu' ? 'relu' : 'linear';
    return apply1(new DilatedConv2D({ name, filters, kernelSize: kernel, dilationRate: dilation, activation: act, useBias: o.useBias ?? true }), x);
  }
  return apply1(
    tfl.layers.conv2d({
      name,
      filters,
      kernelSize: kernel,
      strides: o.stride ?? 1,
      padding: 'same',
      activation: o.activation ?? 'linear',
      useBias: o.useBias ?? true,
      kernelInitializer: o.zeroInit
        ? 'zeros'
        : o.smallInitStd !== undefined
          ? tfl.initializers.randomNormal({ mean: 0, stddev: o.smallInitStd, seed: nextInitSeed() })
          : tfl.initializers.heNormal({ seed: nextInitSeed() }),
      biasInitializer: 'zeros',
    }),
    x,
  );
}

/** conv (no bias) -> batch norm -> optional ReLU; layers `${name}_conv`, `${name}_bn`. */
export function convBn(x: Sym, filters: number, name: string, o: { kernel?: number; stride?: number; dilation?: number; relu: boolean }): Sym {
  const y = conv(x, filters, `${name}_conv`, { kernel: o.kernel, stride: o.stride, dilation: o.dilation, useBias: false });
  const n = apply1(tfl.layers.batchNormalization({ name: `${name}_bn`, axis: 3, momentum: 0.9, epsilon: 1e-5 }), y);
  return o.relu ? apply1(tfl.layers.reLU({ name: `${name}_relu` }), n) : n;
}

/**
 * ResNet basic block: 3x3 conv-BN-ReLU, 3x3 conv-BN, plus the input (through a 1x1 conv-BN
 * where the stride or the width changes), then ReLU. With `dilation` > 1 both 3x3 convs are
 * dilated (stride must then be 1).
 */
export function basicBlock(x: Sym, filters: number, name: string, stride: number, dilation: number): Sym {
  let y = convBn(x, filters, `${name}_a`, { stride, dilation, relu: true });
  y = convBn(y, filters, `${name}_b`, { dilation, relu: false });
  const shortcut = stride !== 1 || channelsOf(x) !== filters ? convBn(x, filters, `${name}_down`, { kernel: 1, stride, relu: false }) : x;
  const sum = apply1(tfl.layers.add({ name: `${name}_add` }), [y, shortcut]);
  return apply1(tfl.layers.reLU({ name: `${name}_out` }), sum);
}

/** (x - 0.45) / 0.225 for images in [0, 1]. */
export function normaliseInput(x: Sym, name: string): Sym {
  return apply1(tfl.layers.rescaling({ name, scale: 1 / INPUT_STD, offset: -INPUT_MEAN / INPUT_STD }), x);
}

/** Upsampling by integer factors (nearest or bilinear). */
export function upsample(x: Sym, fy: number, fx: number, name: string, interpolation: 'nearest' | 'bilinear' = 'nearest'): Sym {
  return apply1(tfl.layers.upSampling2d({ name, size: [fy, fx], interpolation }), x);
}

export function concat(xs: Sym[], name: string): Sym {
  return apply1(tfl.layers.concatenate({ name, axis: 3 }), xs);
}
