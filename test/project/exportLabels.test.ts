import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readLabel, writePng } from '../../src/core/data/imageIo';
import { CAMVID_CLASSES, TRAIN_CLASSES } from '../../src/core/labels';
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

const SUFFIXES = ['_gtFine_labelIds.png', '_gtFine_labelTrainIds.png', '_gtFine_color.png'];
const OWN = ['.png', '_color.png'];

/** An indexed PNG's colour per pixel. */
async function paletteColours(path: string): Promise<number[][]> {
  expect((await sharp(path).metadata()).isPalette).toBe(true);
  const { data } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return Array.from({ length: data.length / 3 }, (_, i) => [data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!]);
}

describe('exporting labels', () => {
  it('writes Cityscapes labelIds, trainIds and a colour palette PNG per finished mask, and a manifest', async () => {
    const data = temp('exp-ds');
    const proj = temp('exp-proj');
    const out = temp('exp-out');
    await writeCityscapesFixture(data);
    const { open } = await initProject({ dir: proj, dataset: data });
    await importLabels(open);
    const summary = await exportLabels(open, { out });
    await open.close();
    expect(summary).toMatchObject({ exported: 3, files: 3 * 3 + 1 });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.labelSet).toMatchObject({ kind: 'cityscapes', title: 'Cityscapes (19 classes)', notLabelled: 255 });
    expect(manifest.labelSet.classes).toHaveLength(19);
    expect(manifest.files.map((f: { suffix: string }) => f.suffix)).toEqual(SUFFIXES);
    expect(manifest.frames).toHaveLength(3);
    expect(manifest.frames[0]).toMatchObject({ status: 'done', author: 'import', version: 1 });

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

    const rgb = await paletteColours(`${stem}_color.png`);
    for (let i = 0; i < trainIds.data.length; i++) {
      const t = trainIds.data[i]!;
      expect(rgb[i]).toEqual(t === 255 ? [0, 0, 0] : [...TRAIN_CLASSES[t]!.color]);
    }
  });

  it('mirrors the clip folders of plain frames: two clips with the same frame names keep their own labels', async () => {
    const data = await writeTwoClipFramesFixture(temp('exp-frames'));
    const { open } = await initProject({ dir: temp('exp-frames-proj'), dataset: data.root });
    // clip seq1 painted road (trainId 0), clip seq2 car (13), every frame
    const n = FIXTURE_SIZE.width * FIXTURE_SIZE.height;
    const frames = await listFrames(open.store);
    for (const f of frames) {
      const cls = f.imagePath.startsWith('seq1/') ? 0 : 13;
      await saveMask(open.store, f.id, { ...FIXTURE_SIZE, data: new Uint8Array(n).fill(cls) }, 'test', { status: 'done' });
    }
    const out = temp('exp-frames-out');
    const summary = await exportLabels(open, { out });
    await open.close();
    expect(summary).toMatchObject({ exported: frames.length, files: frames.length * SUFFIXES.length + 1 });
    const expected = [...data.clips.flatMap((c) => data.names.flatMap((name) => SUFFIXES.map((s) => `gtFine/${c}/${name.replace('.png', '')}${s}`))), 'manifest.json'].sort();
    expect(filesUnder(out)).toEqual(expected);
    for (const [clip, cls] of [['seq1', 0], ['seq2', 13]] as const) {
      for (const name of data.names) {
        const trainIds = await readLabel(join(out, 'gtFine', clip, `${name.replace('.png', '')}_gtFine_labelTrainIds.png`));
        expect(new Set(trainIds.data)).toEqual(new Set([cls]));
      }
    }
  });

  it("writes CamVid's own values (void = 11) and a palette PNG in CamVid's layout ({split}annot/), which read back as the same labels", async () => {
    const data = temp('exp-camvid');
    await writeCamvidFixture(data);
    const { open } = await initProject({ dir: temp('exp-camvid-proj'), dataset: data });
    await importLabels(open);
    const out = temp('exp-camvid-out');
    const summary = await exportLabels(open, { out });
    await open.close();
    expect(summary).toMatchObject({ exported: 3, files: 7 });
    expect(filesUnder(out)).toEqual([...['trainannot/a_001', 'trainannot/a_002', 'valannot/b_001'].flatMap((f) => OWN.map((s) => `${f}${s}`)), 'manifest.json'].sort());
    // The exported file is the dataset's own label, value for value (0..10 and void 11).
    for (const f of ['trainannot/a_001', 'valannot/b_001']) {
      const exported = await readLabel(join(out, `${f}.png`));
      const original = await readLabel(join(data, `${f}.png`));
      expect(Array.from(exported.data)).toEqual(Array.from(original.data));
      const rgb = await paletteColours(join(out, `${f}_color.png`));
      exported.data.forEach((v, i) => expect(rgb[i]).toEqual(v === 11 ? [0, 0, 0] : [...CAMVID_CLASSES[v]!.color]));
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.labelSet.classes.map((c: { name: string }) => c.name)).toEqual(CAMVID_CLASSES.map((c) => c.name));
    expect(manifest.files).toEqual([
      { suffix: '.png', form: 'grey', values: 'CamVid label values 0..10, 11 = void' },
      { suffix: '_color.png', form: 'palette', values: 'CamVid label values as an indexed PNG in CamVid colours' },
    ]);
  });

  it("writes a custom label set's class ids under labels/ in the clip folders", async () => {
    const data = await writeTwoClipFramesFixture(temp('exp-custom'), 2);
    const { open } = await initProject({ dir: temp('exp-custom-proj'), dataset: data.root, classes: [{ name: 'lane' }, { name: 'kerb', color: '#ff0000' }, { name: 'cone' }] });
    const n = FIXTURE_SIZE.width * FIXTURE_SIZE.height;
    const mask = new Uint8Array(n).map((_, i) => [0, 1, 2, 255][i % 4]!);
    for (const f of await listFrames(open.store)) await saveMask(open.store, f.id, { ...FIXTURE_SIZE, data: mask }, 'test', { status: 'done' });
    const out = temp('exp-custom-out');
    await exportLabels(open, { out });
    await open.close();
    expect(filesUnder(out)).toContain('labels/seq2/000001.png');
    const ids = await readLabel(join(out, 'labels', 'seq2', '000001.png'));
    expect(Array.from(ids.data)).toEqual(Array.from(mask));
    const rgb = await paletteColours(join(out, 'labels', 'seq2', '000001_color.png'));
    expect(rgb[1]).toEqual([255, 0, 0]);
    expect(rgb[3]).toEqual([0, 0, 0]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.labelSet).toMatchObject({ kind: 'custom', title: 'Custom (3 classes)' });
    expect(manifest.labelSet.classes.map((c: { name: string }) => c.name)).toEqual(['lane', 'kerb', 'cone']);
  });

  it('refuses, writing nothing, where two masked frames would share a file, naming both images', async () => {
    const data = await writeTwoClipFramesFixture(temp('exp-dup'), 1);
    await writePng(join(data.root, 'seq1', '000000.jpg'), patternRgb(FIXTURE_SIZE.width, FIXTURE_SIZE.height, 3));
    const { open } = await initProject({ dir: temp('exp-dup-proj'), dataset: data.root });
    const n = FIXTURE_SIZE.width * FIXTURE_SIZE.height;
    for (const f of await listFrames(open.store)) await saveMask(open.store, f.id, { ...FIXTURE_SIZE, data: new Uint8Array(n) }, 'test', { status: 'done' });
    const out = join(temp('exp-dup-out'), 'out');
    await expect(exportLabels(open, { out })).rejects.toThrow(
      `${join(data.root, 'seq1', '000000.jpg')} and ${join(data.root, 'seq1', '000000.png')} would both write ` +
        'gtFine/seq1/000000_gtFine_labelIds.png, gtFine/seq1/000000_gtFine_labelTrainIds.png, gtFine/seq1/000000_gtFine_color.png',
    );
    await open.close();
    expect(existsSync(out)).toBe(false);
  });
});

describe('where an export may go', () => {
  it('refuses a folder inside the dataset or the project, whose own labels or masks it would replace', async () => {
    const data = temp('exp-where');
    await writeCamvidFixture(data);
    const { open } = await initProject({ dir: temp('exp-where-proj'), dataset: data });
    await importLabels(open);
    const before = readFileSync(join(data, 'trainannot', 'a_001.png'));
    await expect(exportLabels(open, { out: data })).rejects.toThrow(`exporting there would write into the dataset folder ${data}`);
    await expect(exportLabels(open, { out: join(open.store.dir, 'export') })).rejects.toThrow('exporting there would write into the project folder');
    expect(readFileSync(join(data, 'trainannot', 'a_001.png')).equals(before)).toBe(true);
    await open.close();
  });
});
