import { join } from 'node:path';
import {
  IGNORE,
  TRAIN_CLASSES,
  TRAIN_ID_TO_LABEL_ID,
} from '../data/cityscapesClasses';
import { writePng } from '../data/imageIo';
import { encodeIndexedPng } from '../data/indexedPng';
import { writeFileAtomic } from '../fsAtomic';
import { getFrame, listMasks, loadMask, type MaskStatus } from '../store';
import { frameOutputLayout, OutputLedger } from './frameOutputs';
import type { OpenProject } from './openProject';

/** Palette for the indexed PNG: trainIds 0..18 in Cityscapes colours, 255 (ignore) black. */
export const TRAIN_ID_PALETTE: readonly (readonly [number, number, number])[] = (() => {
  const p: [number, number, number][] = Array.from({ length: 256 }, () => [0, 0, 0]);
  for (const c of TRAIN_CLASSES) p[c.trainId] = [...c.color];
  return p;
})();

export interface ExportLabelsOptions {
  readonly out: string;
  /** Which masks (default: done only). */
  readonly statuses?: readonly MaskStatus[];
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportLabelsSummary {
  /** Masks exported. */
  readonly exported: number;
  /** Files written (three per mask). */
  readonly files: number;
  readonly out: string;
}

/** The files written per mask, after `{stem}_gtFine`. */
const EXPORT_SUFFIXES = ['_labelIds.png', '_labelTrainIds.png', '_palette.png'] as const;

/**
 * Exports masks as Cityscapes `*_gtFine_labelIds.png` and `*_gtFine_labelTrainIds.png` and as
 * a Pascal VOC style indexed PNG (`*_gtFine_palette.png`: trainId per pixel, Cityscapes colours),
 * under `gtFine/` in the frame's folder within its dataset (frameOutputs.ts). Where two masks
 * would write one file, nothing is written and the error names their frames.
 */
export async function exportLabels(p: OpenProject, opts: ExportLabelsOptions): Promise<ExportLabelsSummary> {
  const statuses = new Set(opts.statuses ?? ['done']);
  const rows = listMasks(p.store, { projectId: p.project.id }).filter((m) => m.maskPath && statuses.has(m.status));
  // Every file is claimed before the first is written: a collision stops the export with nothing written.
  const layout = frameOutputLayout(p.store, p.project.id);
  const ledger = new OutputLedger(opts.out);
  const stems = rows.map((row) => {
    const frame = getFrame(p.store, row.frameId);
    const stem = `${layout.pathOf(frame, 'gtFine')}_gtFine`;
    for (const suffix of EXPORT_SUFFIXES) ledger.claim(layout.imageOf(frame), `${stem}${suffix}`);
    return join(opts.out, stem);
  });
  ledger.refuseCollisions();
  let exported = 0;
  for (const [i, row] of rows.entries()) {
    const loaded = await loadMask(p.store, row.frameId);
    if (!loaded) continue;
    const stem = stems[i]!;
    const { width, height, data } = loaded.mask;
    const labelIds = new Uint8Array(data.length);
    for (let k = 0; k < data.length; k++) labelIds[k] = data[k] === IGNORE ? 0 : TRAIN_ID_TO_LABEL_ID[data[k]!]!;
    await ledger.write(`${stem}_labelIds.png`, (path) => writePng(path, { width, height, channels: 1, data: labelIds }));
    await ledger.write(`${stem}_labelTrainIds.png`, (path) => writePng(path, { width, height, channels: 1, data }));
    await ledger.write(`${stem}_palette.png`, (path) => writeFileAtomic(path, encodeIndexedPng(width, height, data, TRAIN_ID_PALETTE)));
    exported++;
    opts.onProgress?.(i + 1, rows.length);
  }
  return { exported, files: ledger.files, out: opts.out };
}
