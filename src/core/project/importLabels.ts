import { labelEncodingOf, loadLabel } from '../data';
import {
  datasetFile,
  getDataset,
  getClip,
  getMaskRow,
  listDatasets,
  listFrames,
  saveMask,
  type Dataset,
  type Frame,
} from '../store';
import type { RasterU8 } from '../data/imageIo';
import type { OpenProject } from './openProject';

export interface ImportLabelsOptions {
  /** Only these frames (default: every frame whose dataset has a label for it). */
  readonly frameIds?: readonly number[];
  /** Replace masks that already exist (default false: annotators' work is never overwritten). */
  readonly overwrite?: boolean;
  /** Recorded as the masks' author. */
  readonly author?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ImportLabelsSummary {
  readonly imported: number;
  /** Frames that already had a mask and were left alone. */
  readonly kept: number;
  readonly candidates: number;
}

/** A frame's own ground-truth label from its dataset, as train ids (the frame must have one). */
export async function loadGroundTruthLabel(store: OpenProject['store'], f: Frame, datasetOfFrame?: Dataset): Promise<RasterU8> {
  const dataset = datasetOfFrame ?? (await getDataset(store, (await getClip(store, f.clipId)).datasetId));
  const path = datasetFile(dataset, f.gtLabelPath!);
  return loadLabel({ path, encoding: labelEncodingOf(dataset.format, path) });
}

/**
 * Imports a dataset's own label PNGs (Cityscapes gtFine, CamVid annotations) as finished masks,
 * counted as annotated. Existing masks are kept unless `overwrite`.
 */
export async function importLabels(p: OpenProject, opts: ImportLabelsOptions = {}): Promise<ImportLabelsSummary> {
  const { store } = p;
  const wanted = opts.frameIds ? new Set(opts.frameIds) : null;
  const datasets = new Map((await listDatasets(store, p.project.id)).map((d) => [d.id, d]));
  const frames: Frame[] = (await listFrames(store, { withGroundTruth: true })).filter((f) => !wanted || wanted.has(f.id));
  let imported = 0;
  let kept = 0;
  for (const [i, f] of frames.entries()) {
    const existing = await getMaskRow(store, f.id);
    if (existing?.maskPath && !opts.overwrite) {
      kept++;
    } else {
      const datasetId = (await getClip(store, f.clipId)).datasetId;
      const label = await loadGroundTruthLabel(store, f, datasets.get(datasetId) ?? await getDataset(store, datasetId));
      await saveMask(store, f.id, { width: label.width, height: label.height, data: label.data }, opts.author ?? 'import', {
        status: 'done',
      });
      imported++;
    }
    opts.onProgress?.(i + 1, frames.length);
  }
  return { imported, kept, candidates: frames.length };
}
