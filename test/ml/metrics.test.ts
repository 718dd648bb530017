import { describe, expect, it } from 'vitest';
import { COLLAPSE_SHARE, ConfusionMatrix, DepthMetrics, depthErrors, isCollapsed } from '../../src/core/ml/metrics';

describe('ConfusionMatrix', () => {
  it('names the class predicted most often and its share; over 90% in one class is a collapse', () => {
    const cm = new ConfusionMatrix(3);
    // gt 0,0,1,2 predicted 1,1,1,2: class 1 takes 3 of 4 pixels
    cm.add([1, 1, 1, 2], [0, 0, 1, 2]);
    expect(cm.majorityPrediction()).toEqual({ classId: 1, share: 0.75 });
    expect(isCollapsed(0.75)).toBe(false);
    const one = new ConfusionMatrix(3);
    one.add(new Array(20).fill(2), [...new Array(10).fill(0), ...new Array(10).fill(1)]);
    expect(one.majorityPrediction()).toEqual({ classId: 2, share: 1 });
    expect(isCollapsed(1)).toBe(true);
    expect(COLLAPSE_SHARE).toBe(0.9);
    expect(isCollapsed(0.9)).toBe(false);
    expect(new ConfusionMatrix(2).majorityPrediction().share).toBeNaN();
  });

  // A 2x3 image, 3 classes, computed on paper:
  //   gt   = 0 0 1 / 1 2 255
  //   pred = 0 1 1 / 1 0 2
  // counted pixels (gt, pred): (0,0) (0,1) (1,1) (1,1) (2,0); the 255 pixel is skipped.
  // IoU0 = 1 / (2 + 2 - 1) = 1/3; IoU1 = 2 / (2 + 3 - 2) = 2/3; IoU2 = 0 / (1 + 0 - 0) = 0
  const gt = [0, 0, 1, 1, 2, 255];
  const pred = [0, 1, 1, 1, 0, 2];

  it('counts (gt, pred) pairs and skips ignored pixels', () => {
    const cm = new ConfusionMatrix(3);
    cm.add(pred, gt);
    expect(Array.from(cm.counts)).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 0]);
    expect(cm.total).toBe(5);
  });

  it('gives per-class IoU, mean IoU and pixel accuracy by hand', () => {
    const cm = new ConfusionMatrix(3);
    cm.add(pred, gt);
    const iou = cm.perClassIoU();
    expect(iou[0]).toBeCloseTo(1 / 3, 12);
    expect(iou[1]).toBeCloseTo(2 / 3, 12);
    expect(iou[2]).toBe(0);
    expect(cm.meanIoU()).toBeCloseTo(1 / 3, 12);
    expect(cm.pixelAccuracy()).toBeCloseTo(3 / 5, 12);
  });

  it('leaves classes absent from gt and pred out of the mean', () => {
    const cm = new ConfusionMatrix(5); // classes 3 and 4 never occur
    cm.add(pred, gt);
    expect(Number.isNaN(cm.perClassIoU()[3])).toBe(true);
    expect(cm.meanIoU()).toBeCloseTo(1 / 3, 12);
    // a class only predicted (never in gt) counts, with IoU 0
    cm.add([4], [0]);
    expect(cm.perClassIoU()[4]).toBe(0);
    expect(cm.meanIoU()).toBeCloseTo((1 / 4 + 2 / 3 + 0 + 0) / 4, 12);
  });

  it('accumulates over the split, not per image', () => {
    // image A: all 4 pixels of class 0 right. image B: 1 pixel of class 1 predicted as 0.
    // per-image means would be 1 and 0; over the split: IoU0 = 4/5, IoU1 = 0
    const cm = new ConfusionMatrix(2);
    cm.add([0, 0, 0, 0], [0, 0, 0, 0]);
    cm.add([0], [1]);
    expect(cm.meanIoU()).toBeCloseTo(0.4, 12);
    const other = new ConfusionMatrix(2);
    other.add([1], [1]);
    cm.merge(other);
    expect(cm.perClassIoU()[1]).toBeCloseTo(0.5, 12);
  });

  it('is NaN when empty and rejects bad input', () => {
    const cm = new ConfusionMatrix(3);
    expect(Number.isNaN(cm.meanIoU())).toBe(true);
    expect(Number.isNaN(cm.pixelAccuracy())).toBe(true);
    expect(() => cm.add([0, 1], [0])).toThrow(/pred has 2 pixels but gt has 1/);
    expect(() => cm.add([0], [3])).toThrow(/gt pixel 0 has class 3/);
    expect(() => cm.add([255], [1])).toThrow(/pred pixel 0 has class 255/);
    expect(() => new ConfusionMatrix(0)).toThrow(/positive integer/);
  });
});

describe('depth metrics', () => {
  // valid gt pixels 0, 1, 3 (gt 0 is invalid); gt capped: [2, 4, 80]; pred [1, 2, 3]
  // median ratio = median(gt) / median(pred) = 4 / 2 = 2 -> scaled pred [2, 4, 6]
  const gt = [2, 4, 0, 100];
  const pred = [1, 2, 5, 3];

  it('median-scales, caps at 80 m and computes each error by hand', () => {
    const e = depthErrors(pred, gt)!;
    expect(e.ratio).toBe(2);
    expect(e.pixels).toBe(3);
    expect(e.absRel).toBeCloseTo(74 / 80 / 3, 12);
    expect(e.sqRel).toBeCloseTo((74 * 74) / 80 / 3, 10);
    expect(e.rmse).toBeCloseTo(Math.sqrt((74 * 74) / 3), 10);
    expect(e.rmseLog).toBeCloseTo(Math.sqrt(Math.log(80 / 6) ** 2 / 3), 12);
    expect(e.a1).toBeCloseTo(2 / 3, 12);
    expect(e.a2).toBeCloseTo(2 / 3, 12);
    expect(e.a3).toBeCloseTo(2 / 3, 12);
  });

  it('uses the exact median (odd and even counts, duplicates), as a full sort gives it', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const n of [1, 2, 5, 6, 101, 1000]) {
      const pred = Array.from({ length: n }, () => 1 + Math.floor(rand() * 20) / 4); // many duplicates
      const s = [...pred].sort((a, b) => a - b);
      const m = n >> 1;
      const med = n % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
      // gt all 1 -> median(gt) = 1, so the ratio is 1 / median(pred)
      expect(depthErrors(pred, new Array(n).fill(1))!.ratio).toBeCloseTo(1 / med, 12);
    }
  });

  it('counts delta thresholds strictly and can skip median scaling', () => {
    // ratios max(g/p, p/g): 1.2, 1.5, 1.9, 2 (no scaling)
    const e = depthErrors([12, 15, 19, 20], [10, 10, 10, 10], { medianScaling: false })!;
    expect(e.ratio).toBe(1);
    expect(e.a1).toBe(0.25); // 1.2 < 1.25
    expect(e.a2).toBe(0.5); // 1.5 < 1.5625
    expect(e.a3).toBe(0.75); // 1.9 < 1.953125, 2 is not
  });

  it('averages per-image errors over the split, skipping images without valid gt', () => {
    const m = new DepthMetrics();
    m.add(pred, gt);
    m.add([3, 3], [6, 6]); // perfect after scaling (ratio 2)
    m.add([1, 1], [0, 0]); // no valid gt
    expect(m.images).toBe(2);
    const mean = m.mean();
    expect(mean.absRel).toBeCloseTo(74 / 80 / 3 / 2, 12);
    expect(mean.a1).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(m.scaleStats().median).toBe(2);
    expect(m.scaleStats().stdOverMedian).toBe(0);
  });

  it('returns null without valid gt and rejects bad input', () => {
    expect(depthErrors([1, 2], [0, -1])).toBeNull();
    expect(() => depthErrors([1], [1, 2])).toThrow(/pred has 1 pixels but gt has 2/);
    expect(() => depthErrors([NaN], [1])).toThrow(/pred pixel 0 is NaN/);
  });
});
