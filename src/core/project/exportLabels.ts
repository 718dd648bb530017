import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writePng } from '../data/imageIo';
import { encodeIndexedPng } from '../data/indexedPng';
import { writeFileAtomic } from '../fsAtomic';
import { exportFiles, palette256 } from '../labels';
import { getClip, getFrame, listMasks, loadMask, type MaskStatus } from '../store';
import type { OpenProject } from './openProject';

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
  return join('gtFine', split, city, name);
}

/**
 * Exports masks in the project label set's own formats (labels/encodings.ts exportFiles):
 * Cityscapes labelIds, trainIds and a colour PNG for Cityscapes; the dataset's own values and
 * a palette PNG for CamVid and custom sets.
 */
export async function exportLabels(p: OpenProject, opts: ExportLabelsOptions): Promise<ExportLabelsSummary> {
  const statuses = new Set(opts.statuses ?? ['done']);
  const rows = listMasks(p.store, { projectId: p.project.id }).filter((m) => m.maskPath && statuses.has(m.status));
  const files = exportFiles(p.project.labelSet);
  const palette = palette256(p.project.labelSet);
  let exported = 0;
  for (const [i, row] of rows.entries()) {
    const loaded = await loadMask(p.store, row.frameId);
    if (!loaded) continue;
    const frame = getFrame(p.store, row.frameId);
    const clip = getClip(p.store, frame.clipId);
    const stem = join(opts.out, stemFor(frame.imagePath, frame.split, clip.key));
    mkdirSync(dirname(stem), { recursive: true });
    const { width, height, data } = loaded.mask;
    for (const file of files) {
      const values = data.map((v) => file.values[v]!);
      const path = `${stem}${file.suffix}.png`;
      if (file.form === 'grey') await writePng(path, { width, height, channels: 1, data: values });
      else writeFileAtomic(path, encodeIndexedPng(width, height, values, palette));
    }
    exported++;
    opts.onProgress?.(i + 1, rows.length);
  }
  return { exported, out: opts.out };
}
