import { describe, expect, it } from 'vitest';
import { colouriseClassIds, colouriseDisparity, errorMap } from '../../src/core/data/colourise';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET } from '../../src/core/labels';

describe('colourising outputs', () => {
  it("paints class ids in the label set's colours and unlabelled pixels black", () => {
    const r = colouriseClassIds(3, 1, new Uint8Array([0, 13, 255]), CITYSCAPES_LABEL_SET);
    expect(Array.from(r.data)).toEqual([128, 64, 128, 0, 0, 142, 0, 0, 0]);
    // CamVid: 0 is sky (grey), 8 car; 13 is no CamVid class and stays black
    const c = colouriseClassIds(3, 1, new Uint8Array([0, 8, 13]), CAMVID_LABEL_SET);
    expect(Array.from(c.data)).toEqual([128, 128, 128, 64, 0, 128, 0, 0, 0]);
  });

  it('maps closer (larger disparity) to brighter and invalid to black', () => {
    const disp = new Float32Array(100).map((_, i) => i + 1);
    disp[0] = NaN;
    const r = colouriseDisparity(100, 1, disp);
    const lum = (i: number): number => r.data[i * 3]! + r.data[i * 3 + 1]! + r.data[i * 3 + 2]!;
    expect(lum(0)).toBe(0);
    expect(lum(99)).toBeGreaterThan(lum(50));
    expect(lum(50)).toBeGreaterThan(lum(5));
  });

  it('marks wrong pixels red, right ones grey, ignored ones black', () => {
    const r = errorMap(3, 1, new Uint8Array([1, 2, 3]), new Uint8Array([1, 5, 255]));
    expect(Array.from(r.data)).toEqual([90, 90, 90, 230, 30, 30, 0, 0, 0]);
  });
});
