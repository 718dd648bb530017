import { basename, join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { colouriseClassIds, colouriseDisparity } from '../data/colourise';
import { writePng, writePngU16 } from '../data/imageIo';
import { predictDisparity, predictSegmentation } from '../ml/predict';
import { listFrames, type Frame, type Split } from '../store';
import { frameImage, hasOutput, modelInputSize } from './modelOutputs';
import type { OpenProject } from './openProject';

export interface PredictOptions {
  readonly out: string;
  readonly split?: Split;
  /** Every frame of every clip instead of only the frames to label. */
  readonly allFrames?: boolean;
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PredictSummary {
  readonly frames: number;
  readonly out: string;
  readonly outputs: readonly string[];
}

/** The file name stem of a frame's outputs: its image name without extension and suffix. */
export function outputStem(frame: Frame): string {
  return basename(frame.imagePath).replace(/\.(png|jpe?g)$/i, '').replace(/_leftImg8bit$/, '');
}

/**
 * Writes a model's outputs for the project's frames, at the model's input size:
 * `{stem}_trainIds.png` (raw classes, 255 never appears) and `{stem}_seg.png` (Cityscapes
 * colours) where it segments; `{stem}_disp.png` (16-bit, disparity x 65535) and
 * `{stem}_disp_color.png` where it predicts depth.
 */
export async function predictFrames(p: OpenProject, model: LayersModel, opts: PredictOptions): Promise<PredictSummary> {
  const size = modelInputSize(model);
  const frames = listFrames(p.store, { ...(opts.split ? { split: opts.split } : {}), keyframesOnly: !opts.allFrames });
  const segments = hasOutput(model, 'seg');
  const depths = hasOutput(model, 'disp_0');
  const batch = opts.batchSize ?? 4;
  for (let s = 0; s < frames.length; s += batch) {
    const part = frames.slice(s, s + batch);
    const images = await Promise.all(part.map((f) => frameImage(p.store, f, size)));
    const segs = segments ? await predictSegmentation(model, images, batch) : [];
    const disps = depths ? await predictDisparity(model, images, batch) : [];
    for (const [i, f] of part.entries()) {
      const stem = join(opts.out, outputStem(f));
      if (segments) {
        const ids = segs[i]!;
        await writePng(`${stem}_trainIds.png`, { ...size, channels: 1, data: ids });
        await writePng(`${stem}_seg.png`, colouriseClassIds(size.width, size.height, ids, p.project.labelSet));
      }
      if (depths) {
        const d = disps[i]!;
        await writePngU16(`${stem}_disp.png`, { ...size, data: Uint16Array.from(d, (v) => Math.round(v * 65535)) });
        await writePng(`${stem}_disp_color.png`, colouriseDisparity(size.width, size.height, d));
      }
    }
    opts.onProgress?.(Math.min(frames.length, s + batch), frames.length);
  }
  return {
    frames: frames.length,
    out: opts.out,
    outputs: [...(segments ? ['trainIds', 'seg'] : []), ...(depths ? ['disp', 'disp_color'] : [])],
  };
}
