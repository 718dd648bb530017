import { describe, expect, it } from 'vitest';
import { colouriseDisparity, colouriseTrainIds, errorMap } from '../../src/core/data/colourise';

describe('colourising outputs', () => {
  it('paints trainIds in Cityscapes colours and ignore black', () => {
    const r = colouriseTrainIds(3, 1, new Uint8Array([0, 13, 255]));
    expect(Array.from(r.data)).toEqual([128, 64, 128, 0, 0, 142, 0, 0, 0]);
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
