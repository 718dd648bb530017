import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readLabel, writePng } from '../../src/core/data/imageIo';
import { TRAIN_CLASSES } from '../../src/core/data/cityscapesClasses';
import { exportLabels } from '../../src/core/project/exportLabels';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { listFrames, saveMask } from '../../src/core/store';
import {
  FIXTURE_LABEL_IDS,
  FIXTURE_SIZE,
  FIXTURE_TRAIN_IDS,
  freshDirs,
  patternRgb,
  writeCamvidFixture,
  writeCityscapesFixture,
  writeTwoClipFramesFixture,
} from '../data/fixtures';

const temp = freshDirs();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => relative(dir, join(dir, f)).split('\\').join('/'))
    .sort();
}

const SUFFIXES = ['_gtFine_labelIds.png', '_gtFine_labelTrainIds.png', '_gtFine_palette.png'];

describe('exporting labels', () => {
  it('writes Cityscapes labelIds and trainIds and a VOC-style palette PNG per finished mask', async () => {
    const data = temp('exp-ds');
    const proj = temp('exp-proj');
    const out = temp('exp-out');
    await writeCityscapesFixture(data);
    const { open } = await initProject({ dir: proj, dataset: data });
    await importLabels(open);
    const summary = await exportLabels(open, { out });
    open.close();
    expect(summary.exported).toBe(3);

    const stem = join(out, 'gtFine', 'train', 'tc', 'tc_000000_000019_gtFine');
    const trainIds = await readLabel(`${stem}_labelTrainIds.png`);
    expect(new Set(trainIds.data)).toEqual(new Set(FIXTURE_TRAIN_IDS));
    const labelIds = await readLabel(`${stem}_labelIds.png`);
    // ignore (255) exports as labelId 0 "unlabeled"; the rest map back to their labelIds
    expect(new Set(labelIds.data)).toEqual(new Set(FIXTURE_LABEL_IDS));
    for (let i = 0; i < trainIds.data.length; i++) {
      const t = trainIds.data[i]!;
      const expected = t === 255 ? 0 : TRAIN_CLASSES[t]!.id;
      expect(labelIds.data[i]).toBe(expected);
    }

    const palette = `${stem}_palette.png`;
    expect(existsSync(palette)).toBe(true);
    const meta = await sharp(palette).metadata();
    expect(meta.isPalette).toBe(true);
    const { data: rgb } = await sharp(palette).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < trainIds.data.length; i++) {
      const t = trainIds.data[i]!;
      const colour = t === 255 ? [0, 0, 0] : [...TRAIN_CLASSES[t]!.color];
      expect([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]]).toEqual(colour);
    }
  });

  it('mirrors the clip folders of plain frames: two clips with the same frame names keep their own labels', async () => {
    const data = await writeTwoClipFramesFixture(temp('exp-frames'));
    const { open } = await initProject({ dir: temp('exp-frames-proj'), dataset: data.root });
    // clip seq1 painted road (trainId 0), clip seq2 car (13), every frame
    const n = FIXTURE_SIZE.width * FIXTURE_SIZE.height;
    const frames = listFrames(open.store);
    for (const f of frames) {
      const cls = f.imagePath.startsWith('seq1/') ? 0 : 13;
      await saveMask(open.store, f.id, { ...FIXTURE_SIZE, data: new Uint8Array(n).fill(cls) }, 'test', { status: 'done' });
    }
    const out = temp('exp-frames-out');
    const summary = await exportLabels(open, { out });
    open.close();
    expect(summary).toMatchObject({ exported: frames.length, files: frames.length * SUFFIXES.length });
    const expected = data.clips.flatMap((c) => data.names.flatMap((name) => SUFFIXES.map((s) => `gtFine/${c}/${name.replace('.png', '')}${s}`))).sort();
    expect(filesUnder(out)).toEqual(expected);
    for (const [clip, cls] of [['seq1', 0], ['seq2', 13]] as const) {
      for (const name of data.names) {
        const trainIds = await readLabel(join(out, 'gtFine', clip, `${name.replace('.png', '')}_gtFine_labelTrainIds.png`));
        expect(new Set(trainIds.data)).toEqual(new Set([cls]));
      }
    }
  });

  it('mirrors the CamVid split folder (not gtFine/train/train/<frame>/)', async () => {
    const data = temp('exp-camvid');
    await writeCamvidFixture(data);
    const { open } = await initProject({ dir: temp('exp-camvid-proj'), dataset: data });
    await importLabels(open);
    const out = temp('exp-camvid-out');
    const summary = await exportLabels(open, { out });
    open.close();
    expect(summary).toMatchObject({ exported: 3, files: 9 });
    expect(filesUnder(out)).toEqual(['train/a_001', 'train/a_002', 'val/b_001'].flatMap((f) => SUFFIXES.map((s) => `gtFine/${f}${s}`)).sort());
  });

  it('refuses, writing nothing, where two masked frames would share a file, naming both images', async () => {
    const data = await writeTwoClipFramesFixture(temp('exp-dup'), 1);
    await writePng(join(data.root, 'seq1', '000000.jpg'), patternRgb(FIXTURE_SIZE.width, FIXTURE_SIZE.height, 3));
    const { open } = await initProject({ dir: temp('exp-dup-proj'), dataset: data.root });
    const n = FIXTURE_SIZE.width * FIXTURE_SIZE.height;
    for (const f of listFrames(open.store)) await saveMask(open.store, f.id, { ...FIXTURE_SIZE, data: new Uint8Array(n) }, 'test', { status: 'done' });
    const out = join(temp('exp-dup-out'), 'out');
    await expect(exportLabels(open, { out })).rejects.toThrow(
      `${join(data.root, 'seq1', '000000.jpg')} and ${join(data.root, 'seq1', '000000.png')} would both write ` +
        'gtFine/seq1/000000_gtFine_labelIds.png, gtFine/seq1/000000_gtFine_labelTrainIds.png, gtFine/seq1/000000_gtFine_palette.png',
    );
    open.close();
    expect(existsSync(out)).toBe(false);
  });
});
