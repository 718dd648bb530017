/**
 * `depthseg export`: a project's masks in its label set's own formats (labels/encodings.ts
 * exportFiles), in a layout that mirrors the dataset, with a manifest.json that says which
 * label set, which files per mask, and each frame's status and author:
 *
 * - Cityscapes: `gtFine/{split}/{city}/{name}_gtFine_labelIds.png` (labelIds 0..33), `..._labelTrainIds.png`
 *   and `..._color.png` (trainIds, an indexed PNG in Cityscapes colours), as Cityscapes lays out gtFine;
 * - CamVid: `{split}annot/{name}.png` (0..10, void = 11) and `{split}annot/{name}_color.png`, as the SegNet CamVid;
 * - a custom set (plain frames): `labels/{clip}/{name}.png` (class ids, 255 = not labelled) and `..._color.png`.
 *
 * Where two masks would write one file nothing is written and the error names their frames.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors';
import { writePng } from '../data/imageIo';
import { encodeIndexedPng } from '../data/indexedPng';
import { writeFileAtomic } from '../fsAtomic';
import { exportFiles, palette256, type LabelSet } from '../labels';
import { getFrame, listDatasets, listMasks, loadMask, type Frame, type MaskStatus } from '../store';
import { frameOutputLayout, OutputLedger, type OutputPlace } from './frameOutputs';
import type { OpenProject } from './openProject';
import { masksTrainOn, readProjectSettings } from './projectSettings';

export interface ExportLabelsOptions {
  readonly out: string;
  /** Which masks by status. Default: the masks that train (done; approved only where the project trains only approved masks). */
  readonly statuses?: readonly MaskStatus[];
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportLabelsSummary {
  readonly exported: number;
  /** Files written (every format of every mask, and the manifest). */
  readonly files: number;
  readonly out: string;
  readonly manifest: string;
}

/** Where a label set's exported masks go within the dataset's mirrored folders. */
export function exportPlace(set: LabelSet): OutputPlace {
  switch (set.kind) {
    case 'cityscapes':
      return { section: 'gtFine' };
    case 'camvid':
      return { splitSuffix: 'annot' };
    case 'custom':
      return { section: 'labels' };
  }
}

export const MANIFEST_FILE = 'manifest.json';

/** `dir` is `root` or inside it. */
const within = (dir: string, root: string): boolean => {
  const r = relative(resolve(root), resolve(dir));
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

export async function exportLabels(p: OpenProject, opts: ExportLabelsOptions): Promise<ExportLabelsSummary> {
  const { labelSet } = p.project;
  // An export mirrors the dataset's folders: written into the dataset it would replace its own labels.
  for (const root of [p.store.dir, ...(await listDatasets(p.store, p.project.id)).map((d) => d.rootPath)]) {
    if (within(opts.out, root)) {
      throw new UsageError(`${resolve(opts.out)}: exporting there would write into ${root === p.store.dir ? 'the project folder' : `the dataset folder ${root}`}; choose a folder outside the project and its datasets`);
    }
  }
  const statuses = new Set(opts.statuses ?? ['done']);
  // By default what trains: done masks, approved ones only where the project says so.
  const trains = masksTrainOn(await readProjectSettings(p.store));
  const rows = (await listMasks(p.store, { projectId: p.project.id })).filter((m) => m.maskPath && statuses.has(m.status) && (opts.statuses !== undefined || trains(m)));
  const files = exportFiles(labelSet);
  const palette = palette256(labelSet);
  // Every file is claimed before the first is written: a collision stops the export with nothing written.
  const layout = await frameOutputLayout(p.store, p.project.id);
  const ledger = new OutputLedger(opts.out);
  const manifestPath = ledger.claim('the manifest', MANIFEST_FILE);
  const planned: Array<{ row: (typeof rows)[number]; frame: Frame; names: string[] }> = [];
  for (const row of rows) {
    const frame = await getFrame(p.store, row.frameId);
    const stem = layout.pathOf(frame, exportPlace(labelSet));
    const names = files.map((f) => `${stem}${f.suffix}.png`);
    for (const n of names) ledger.claim(layout.imageOf(frame), n);
    planned.push({ row, frame, names });
  }
  ledger.refuseCollisions();
  const exportedFrames: object[] = [];
  for (const [i, { row, frame, names }] of planned.entries()) {
    const loaded = await loadMask(p.store, row.frameId);
    if (!loaded) continue;
    const { width, height, data } = loaded.mask;
    for (const [k, file] of files.entries()) {
      const values = data.map((v) => file.values[v]!);
      await ledger.write(join(opts.out, names[k]!), (path) =>
        file.form === 'grey' ? writePng(path, { width, height, channels: 1, data: values }) : writeFileAtomic(path, encodeIndexedPng(width, height, values, palette)),
      );
    }
    exportedFrames.push({ frameId: frame.id, image: layout.imageOf(frame), split: frame.split, status: row.status, author: row.author, updatedAt: row.updatedAt, version: row.version, files: names });
    opts.onProgress?.(i + 1, planned.length);
  }
  const manifest = {
    labelSet: {
      kind: labelSet.kind,
      title: labelSet.title,
      classes: labelSet.classes.map((c) => ({ id: c.id, name: c.name, color: c.color })),
      notLabelled: labelSet.ignoreId,
    },
    files: files.map((f) => ({ suffix: `${f.suffix}.png`, form: f.form, values: f.description })),
    statuses: [...statuses],
    frames: exportedFrames,
  };
  await ledger.write(manifestPath, (path) => writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`));
  return { exported: exportedFrames.length, files: ledger.files, out: opts.out, manifest: manifestPath };
}
