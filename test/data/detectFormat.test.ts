import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, writePng } from '../../src/core/data';
import { patternRgb, freshDirs, writeCamvidFixture, writeCityscapesFixture } from './fixtures';
import { SHARED_DATA, sharedDataset } from './sharedData';

const fresh = freshDirs();

describe('dataset format detection', () => {
  it('tells Cityscapes, CamVid and plain frames apart', async () => {
    const cs = fresh('det-cs');
    await writeCityscapesFixture(cs);
    expect(detectFormat(cs)).toBe('cityscapes');
    const cv = fresh('det-cv');
    await writeCamvidFixture(cv);
    expect(detectFormat(cv)).toBe('camvid');
    const flat = fresh('det-flat');
    await writePng(join(flat, '0001.png'), patternRgb(4, 4, 0));
    expect(detectFormat(flat)).toBe('frames');
    const nested = fresh('det-nested');
    await writePng(join(nested, 'clip', '1.png'), patternRgb(4, 4, 0));
    expect(detectFormat(nested)).toBe('frames');
  });

  it('names the folder it cannot place, or cannot find', () => {
    const other = fresh('det-other');
    mkdirSync(join(other, 'docs'));
    writeFileSync(join(other, 'readme.txt'), 'hello');
    expect(() => detectFormat(other)).toThrow(`${other}: cannot tell the dataset format`);
    expect(() => detectFormat(join(other, 'gone'))).toThrow(`${join(other, 'gone')}: dataset folder not found`);
  });

  const shared = sharedDataset('camvid') && sharedDataset('cityscapes-seq');
  it.skipIf(!shared)('recognises the real samples', () => {
    expect(detectFormat(join(SHARED_DATA, 'camvid'))).toBe('camvid');
    expect(detectFormat(join(SHARED_DATA, 'cityscapes-seq'))).toBe('frames');
  });
});
