import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readLabel } from '../../src/core/data/imageIo';
import { TRAIN_CLASSES } from '../../src/core/labels';
import { exportLabels } from '../../src/core/project/exportLabels';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { FIXTURE_LABEL_IDS, FIXTURE_TRAIN_IDS, freshDirs, writeCityscapesFixture } from '../data/fixtures';

const temp = freshDirs();

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
});
