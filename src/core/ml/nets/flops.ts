/**
 * Multiply-accumulates of a built model's convolutions (Conv2D, DilatedConv2D, DepthwiseConv2D, Dense), per
 * image, from the layers' fixed output shapes: MACs = H_out * W_out * C_out * k_h * k_w * C_in
 * (C_in = 1 per output channel for depthwise). FLOPs = 2 x MACs. Batch norm, pooling,
 * resizing and element-wise layers are left out (a few percent of the total).
 */
import type * as tfl from '@tensorflow/tfjs-layers';

export interface LayerFlops {
  name: string;
  className: string;
  macs: number;
  flops: number;
}

export interface ModelFlops {
  /** Forward-pass FLOPs (2 x MACs) per image. */
  forward: number;
  macs: number;
  layers: LayerFlops[];
}

function shapeOf(s: unknown, layer: string, which: string): number[] {
  const shape = (Array.isArray(s) && Array.isArray(s[0]) ? s[0] : s) as Array<number | null>;
  if (!Array.isArray(shape)) throw new Error(`layer ${layer}: no ${which} shape`);
  return shape.slice(1).map((d) => {
    if (typeof d !== 'number') throw new Error(`layer ${layer}: ${which} shape [${shape.join(', ')}] is not fixed`);
    return d;
  });
}

export function countFlops(model: tfl.LayersModel): ModelFlops {
  const layers: LayerFlops[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'DilatedConv2D' && cls !== 'DepthwiseConv2D' && cls !== 'Dense') continue;
    const kernel = layer.weights[0]?.shape;
    if (!kernel) continue;
    const out = shapeOf(layer.outputShape, layer.name, 'output');
    const outPositions = out.slice(0, -1).reduce((a, b) => a * b, 1);
    const outChannels = out[out.length - 1]!;
    let macs: number;
    if (cls === 'Dense') macs = outPositions * (kernel[0] as number) * outChannels;
    else if (cls === 'DepthwiseConv2D') macs = outPositions * outChannels * (kernel[0] as number) * (kernel[1] as number);
    else macs = outPositions * outChannels * (kernel[0] as number) * (kernel[1] as number) * (kernel[2] as number);
    layers.push({ name: layer.name, className: cls, macs, flops: 2 * macs });
  }
  const macs = layers.reduce((a, l) => a + l.macs, 0);
  return { forward: 2 * macs, macs, layers };
}

/** Trainable parameters of a model. */
export function countParams(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y as number), 1), 0);
}
