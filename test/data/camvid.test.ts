import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexCamvid, loadLabelledFrame, readLabel, writePng } from '../../src/core/data';
import { CAMVID_CLASSES, CAMVID_VOID } from '../../src/core/labels';
import { DataError } from '../../src/core/errors';
import { patternRgb, freshDirs, writeCamvidFixture } from './fixtures';
import { sharedDataset } from './sharedData';

const fresh = freshDirs();

describe('CamVid reader on a fixture', () => {
  it('pairs images and labels by file name and loads void as 255', async () => {
    const root = fresh('camvid');
    await writeCamvidFixture(root);
    const index = await indexCamvid(root);
    expect(index.format).toBe('camvid');
    expect(index.classSet).toBe('camvid');
    expect(index.splits.test).toBeUndefined();
    const train = index.splits.train!.frames;
    expect(train.map((f) => f.key)).toEqual(['train/a_001', 'train/a_002']);
    expect(train[1]!.label).toEqual({ path: join(root, 'trainannot', 'a_002.png'), encoding: 'camvid' });
    expect([train[1]!.width, train[1]!.height]).toEqual([6, 4]);
    expect(index.splits.val!.frames).toHaveLength(1);
    expect(index.splits.train!.clips).toEqual([]);
    const { image, label } = await loadLabelledFrame(train[0]!);
    expect([image.width, image.height]).toEqual([6, 4]);
    // values (x + 6y) % 12: 0..10 stay, 11 -> 255
    expect(Array.from(label!.data)).toEqual(Array.from({ length: 24 }, (_, i) => (i % 12 === 11 ? 255 : i % 12)));
  });

  it('reads test/ without testannot/ as unlabelled', async () => {
    const root = fresh('camvid-test');
    await writeCamvidFixture(root);
    await writePng(join(root, 'test', 'c_001.png'), patternRgb(6, 4, 0));
    const index = await indexCamvid(root);
    expect(index.splits.test!.frames.map((f) => [f.key, f.label])).toEqual([['test/c_001', undefined]]);
  });

  it('names missing folders and unpaired files', async () => {
    const root = fresh('camvid-bad');
    await expect(indexCamvid(join(root, 'x'))).rejects.toThrow(/x: CamVid root folder not found/);
    await writeCamvidFixture(root);
    rmSync(join(root, 'valannot'), { recursive: true });
    await expect(indexCamvid(root)).rejects.toThrow(`${join(root, 'valannot')}: folder not found: CamVid needs`);
    await writeCamvidFixture(root);
    await writePng(join(root, 'train', 'lonely.png'), patternRgb(6, 4, 0));
    await expect(indexCamvid(root)).rejects.toThrow(`${join(root, 'train', 'lonely.png')}: image has no label: expected ${join(root, 'trainannot', 'lonely.png')}`);
    rmSync(join(root, 'train', 'lonely.png'));
    await writePng(join(root, 'valannot', 'orphan.png'), patternRgb(6, 4, 0));
    await expect(indexCamvid(root)).rejects.toThrow(`${join(root, 'valannot', 'orphan.png')}: label has no image of the same name`);
    await expect(indexCamvid(root)).rejects.toBeInstanceOf(DataError);
  });

  it('exposes the 11 class names and colours', () => {
    expect(CAMVID_CLASSES.map((c) => c.name)).toEqual([
      'sky', 'building', 'pole', 'road', 'pavement', 'tree', 'sign/symbol', 'fence', 'car', 'pedestrian', 'bicyclist',
    ]);
    expect(CAMVID_CLASSES[3]!.color).toEqual([128, 64, 128]);
    expect(CAMVID_VOID).toBe(11);
  });
});

const camvidRoot = sharedDataset('camvid');

describe.skipIf(!camvidRoot)('CamVid reader on the real sample (../shared/data/camvid)', () => {
  it('indexes 367 train and 101 val pairs and loads one at its size and resized', async () => {
    const index = await indexCamvid(camvidRoot!);
    expect(index.splits.train!.frames).toHaveLength(367);
    expect(index.splits.val!.frames).toHaveLength(101);
    const frame = index.splits.train!.frames[0]!;
    expect(frame.key).toBe('train/0001TP_006690');
    expect([frame.width, frame.height]).toEqual([480, 360]);

    const raw = await readLabel(frame.label!.path);
    const { image, label } = await loadLabelledFrame(frame);
    expect([image.width, image.height, image.channels]).toEqual([480, 360, 3]);
    expect([label!.width, label!.height]).toEqual([480, 360]);
    const counts = new Map<number, number>();
    for (const v of label!.data) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].every((v) => v <= 10 || v === 255)).toBe(true);
    let voidRaw = 0;
    for (const v of raw.data) if (v === CAMVID_VOID) voidRaw++;
    expect(voidRaw).toBeGreaterThan(0);
    expect(counts.get(255)).toBe(voidRaw);
    expect(counts.get(3)! / label!.data.length).toBeGreaterThan(0.05); // road

    const small = await loadLabelledFrame(frame, { height: 90, width: 120 });
    expect([small.image.width, small.image.height, small.label!.width, small.label!.height]).toEqual([120, 90, 120, 90]);
    const smallValues = new Set(small.label!.data);
    expect([...smallValues].every((v) => counts.has(v))).toBe(true);
    // the mean colour survives an area/bilinear shrink
    const mean = (d: Uint8Array): number => d.reduce((a, b) => a + b, 0) / d.length;
    expect(Math.abs(mean(small.image.data) - mean(image.data))).toBeLessThan(2);
  });
});
