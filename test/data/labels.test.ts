import { describe, expect, it } from 'vitest';
import { CAMVID_CLASSES, CITYSCAPES_LABELS, IGNORE } from '../../src/core/labels';
import {
  camvidToTrainIds,
  checkSameSize,
  checkTrainIds,
  labelIdsToTrainIds,
  resizeLabelNearest,
  type RasterU8,
} from '../../src/core/data';
import { DataError } from '../../src/core/errors';

const raster = (width: number, height: number, values: number[]): RasterU8 => ({ width, height, channels: 1, data: Uint8Array.from(values) });

describe('label conversion', () => {
  it('maps every Cityscapes labelId to its trainId', () => {
    const ids = CITYSCAPES_LABELS.map((l) => l.id);
    const out = labelIdsToTrainIds(raster(ids.length, 1, ids), 'l.png');
    expect(Array.from(out.data)).toEqual(CITYSCAPES_LABELS.map((l) => l.trainId));
    // spot checks against the Cityscapes table
    expect(Array.from(labelIdsToTrainIds(raster(6, 1, [7, 8, 26, 33, 0, 9]), 'l.png').data)).toEqual([0, 1, 13, 18, IGNORE, IGNORE]);
  });

  it('rejects values outside labelIds 0..33, naming the file and the values with pixel counts', () => {
    const bad = raster(5, 1, [7, 34, 200, 200, 8]);
    expect(() => labelIdsToTrainIds(bad, '/x/a_gtFine_labelIds.png')).toThrow(
      '/x/a_gtFine_labelIds.png: label has values outside Cityscapes labelIds 0..33: 34 (1 px), 200 (2 px)',
    );
    expect(() => labelIdsToTrainIds(raster(1, 1, [255]), 'b.png')).toThrow(DataError);
    // long lists are cut short
    const many = raster(20, 1, Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(() => labelIdsToTrainIds(many, 'c.png')).toThrow(/109 \(1 px\) and 10 more$/);
  });

  it('checks trainIds files: 0..18 and 255 only', () => {
    expect(Array.from(checkTrainIds(raster(3, 1, [0, 18, 255]), 't.png').data)).toEqual([0, 18, 255]);
    expect(() => checkTrainIds(raster(3, 1, [0, 19, 254]), 't.png')).toThrow('t.png: label has values outside Cityscapes trainIds 0..18 and 255 (ignore): 19 (1 px), 254 (1 px)');
  });

  it('maps CamVid void (11) to 255 and rejects values above 11', () => {
    expect(CAMVID_CLASSES).toHaveLength(11);
    const all = Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(camvidToTrainIds(raster(12, 1, all), 'c.png').data)).toEqual([...all.slice(0, 11), 255]);
    expect(() => camvidToTrainIds(raster(2, 1, [3, 12]), '/cv/trainannot/x.png')).toThrow(
      '/cv/trainannot/x.png: label has values outside CamVid classes 0..10 and 11 (void): 12 (1 px)',
    );
    expect(() => camvidToTrainIds(raster(1, 1, [255]), 'c.png')).toThrow(/255 \(1 px\)/);
  });

  it('refuses a multi-channel map', () => {
    const rgb: RasterU8 = { width: 1, height: 1, channels: 3, data: Uint8Array.from([7, 7, 7]) };
    expect(() => labelIdsToTrainIds(rgb, 'rgb.png')).toThrow('rgb.png: a label map must have one channel; it has 3');
  });
});

describe('nearest resize and the size check', () => {
  it('samples at pixel centres without inventing values', () => {
    // 4x2: columns a b c d
    const l = raster(4, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(resizeLabelNearest(l, { height: 1, width: 2 }).data)).toEqual([6, 8]);
    expect(Array.from(resizeLabelNearest(l, { height: 2, width: 8 }).data)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8]);
    const odd = resizeLabelNearest(l, { height: 3, width: 3 });
    expect([odd.width, odd.height]).toEqual([3, 3]);
    // columns floor((x + 0.5) * 4 / 3) = 0, 2, 3; rows floor((y + 0.5) * 2 / 3) = 0, 1, 1
    expect(Array.from(odd.data)).toEqual([1, 3, 4, 5, 7, 8, 5, 7, 8]);
    expect(resizeLabelNearest(l, { height: 2, width: 4 })).toBe(l);
  });

  it('names the label and its image when their sizes differ', () => {
    expect(() => checkSameSize('img.png', { width: 480, height: 360 }, 'lab.png', { width: 480, height: 360 })).not.toThrow();
    expect(() => checkSameSize('img.png', { width: 480, height: 360 }, 'lab.png', { width: 240, height: 180 })).toThrow(
      'lab.png: label is 240x180 (WxH) but its image img.png is 480x360',
    );
  });
});
