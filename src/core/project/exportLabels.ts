import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  IGNORE,
  TRAIN_CLASSES,
  TRAIN_ID_TO_LABEL_ID,
} from '../data/cityscapesClasses';
import { writePng } from '../data/imageIo';
import { encodeIndexedPng } from '../data/indexedPng';
import { writeFileAtomic } from '../fsAtomic';
import { getClip, getFrame, listMasks, loadMask, type MaskStatus } from '../store';
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
  readonly exported: number;
  readonly out: string;
}

/** Where a frame's exported labels go, mirroring Cityscapes' gtFine naming. */
function stemFor(imagePath: string, split: string, clipKey: string): string {
  const name = basename(imagePath).replace(/\.(png|jpe?g)$/i, '').replace(/_leftImg8bit$/, '');
  const city = /^(.+?)_\d{6}_\d{6}$/.exec(name)?.[1] ?? clipKey;
  return join('gtFine', split, city, `${name}_gtFine`);
}

/**
 * Exports masks as Cityscapes `*_gtFine_labelIds.png` and `*_gtFine_labelTrainIds.png` and as
 * a Pascal VOC style indexed PNG (`*_gtFine_palette.png`: trainId per pixel, Cityscapes colours).
 */
export async function exportLabels(p: OpenProject, opts: ExportLabelsOptions): Promise<ExportLabelsSummary> {
  const statuses = new Set(opts.statuses ?? ['done']);
  const rows = listMasks(p.store, { projectId: p.project.id }).filter((m) => m.maskPath && statuses.has(m.status));
  let exported = 0;
  for (const [i, row] of rows.entries()) {
    const loaded = await loadMask(p.store, row.frameId);
    if (!loaded) continue;
    const frame = getFrame(p.store, row.frameId);
    const clip = getClip(p.store, frame.clipId);
    const stem = join(opts.out, stemFor(frame.imagePath, frame.split, clip.key));
    mkdirSync(dirname(stem), { recursive: true });
    const { width, height, data } = loaded.mask;
    const labelIds = new Uint8Array(data.length);
    for (let k = 0; k < data.length; k++) labelIds[k] = data[k] === IGNORE ? 0 : TRAIN_ID_TO_LABEL_ID[data[k]!]!;
    await writePng(`${stem}_labelIds.png`, { width, height, channels: 1, data: labelIds });
    await writePng(`${stem}_labelTrainIds.png`, { width, height, channels: 1, data });
    writeFileAtomic(`${stem}_palette.png`, encodeIndexedPng(width, height, data, TRAIN_ID_PALETTE));
    exported++;
    opts.onProgress?.(i + 1, rows.length);
  }
  return { exported, out: opts.out };
}
