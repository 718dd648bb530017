import type { LayersModel } from '@tensorflow/tfjs-layers';
import { colouriseClassIds, colouriseDisparity } from '../data/colourise';
import { writePng, writePngU16 } from '../data/imageIo';
import { predictDisparity, predictSegmentation } from '../ml/predict';
import { listFrames, type Split } from '../store';
import { frameOutputLayout, OutputLedger } from './frameOutputs';
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

/** The outputs a model can write per frame (the file suffix after `{stem}_`). */
type Output = 'classIds' | 'seg' | 'disp' | 'disp_color';

export interface PredictSummary {
  readonly frames: number;
  /** Files written (each frame's outputs, one file each). */
  readonly files: number;
  readonly out: string;
  readonly outputs: readonly string[];
}

/**
 * Writes a model's outputs for the project's frames, at the model's input size:
 * `{stem}_classIds.png` (the label set's class ids, 255 never appears) and `{stem}_seg.png` (the label set's
 * colours) where it segments; `{stem}_disp.png` (16-bit, disparity x 65535) and
 * `{stem}_disp_color.png` where it predicts depth. `{stem}` is the frame's output path
 * (frameOutputs.ts: its folder within the dataset and its name), so frames of the same name in
 * different clips keep their own files; where two frames would still write one file, nothing
 * is written and the error names them.
 */
export async function predictFrames(p: OpenProject, model: LayersModel, opts: PredictOptions): Promise<PredictSummary> {
  const size = modelInputSize(model);
  const frames = await listFrames(p.store, { ...(opts.split ? { split: opts.split } : {}), keyframesOnly: !opts.allFrames });
  const segments = hasOutput(model, 'seg');
  const depths = hasOutput(model, 'disp_0');
  const outputs: Output[] = [...(segments ? (['classIds', 'seg'] as const) : []), ...(depths ? (['disp', 'disp_color'] as const) : [])];
  const batch = opts.batchSize ?? 4;
  // Every file is claimed before the first is written: a collision stops the run with nothing written.
  const layout = await frameOutputLayout(p.store, p.project.id);
  const ledger = new OutputLedger(opts.out);
  const paths = frames.map((f) => {
    const stem = layout.pathOf(f);
    return new Map(outputs.map((o) => [o, ledger.claim(layout.imageOf(f), `${stem}_${o}.png`)]));
  });
  ledger.refuseCollisions();
  for (let s = 0; s < frames.length; s += batch) {
    const part = frames.slice(s, s + batch);
    const images = await Promise.all(part.map(async (f) => await frameImage(p.store, f, size)));
    const segs = segments ? await predictSegmentation(model, images, batch) : [];
    const disps = depths ? await predictDisparity(model, images, batch) : [];
    for (let i = 0; i < part.length; i++) {
      const to = (o: Output): string => paths[s + i]!.get(o)!;
      if (segments) {
        const ids = segs[i]!;
        await ledger.write(to('classIds'), (path) => writePng(path, { ...size, channels: 1, data: ids }));
        await ledger.write(to('seg'), (path) => writePng(path, colouriseClassIds(size.width, size.height, ids, p.project.labelSet)));
      }
      if (depths) {
        const d = disps[i]!;
        await ledger.write(to('disp'), (path) => writePngU16(path, { ...size, data: Uint16Array.from(d, (v) => Math.round(v * 65535)) }));
        await ledger.write(to('disp_color'), (path) => writePng(path, colouriseDisparity(size.width, size.height, d)));
      }
    }
    opts.onProgress?.(Math.min(frames.length, s + batch), frames.length);
  }
  return { frames: frames.length, files: ledger.files, out: opts.out, outputs };
}
