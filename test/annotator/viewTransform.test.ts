import { describe, expect, it } from 'vitest';
import {
  fitToView,
  imageToScreen,
  pan,
  screenToImage,
  wheelZoomFactor,
  zoomAbout,
} from '../../src/renderer/src/annotator/viewTransform';

describe('viewTransform', () => {
  it('fits a 2048x1024 image into a 1000x600 view: width-bound, centred vertically', () => {
    const v = fitToView(2048, 1024, 1000, 600);
    expect(v.scale).toBeCloseTo(1000 / 2048, 12); // 0.48828125
    expect(v.offsetX).toBeCloseTo(0, 12);
    expect(v.offsetY).toBeCloseTo(50, 12); // 1024 * 0.488 = 500 px tall, 50 px above and below
    expect(imageToScreen(v, { x: 2048, y: 1024 })).toEqual({ x: 1000, y: 550 });
    // A tall view is height-bound.
    const t = fitToView(2048, 1024, 1000, 300, 10);
    expect(t.scale).toBeCloseTo(280 / 1024, 12);
    expect(t.offsetY).toBeCloseTo(10, 12);
  });

  it('screen and image coordinates convert both ways', () => {
    const v = { scale: 2.5, offsetX: -40, offsetY: 12 };
    const p = { x: 123.25, y: 77.5 };
    const s = imageToScreen(v, p);
    expect(s).toEqual({ x: 123.25 * 2.5 - 40, y: 77.5 * 2.5 + 12 });
    const back = screenToImage(v, s);
    expect(back.x).toBeCloseTo(p.x, 12);
    expect(back.y).toBeCloseTo(p.y, 12);
  });

  it('zooming about a point keeps the image point under it, and clamps the scale', () => {
    const v = fitToView(2048, 1024, 1000, 600);
    const at = { x: 300, y: 200 };
    const before = screenToImage(v, at);
    const z = zoomAbout(v, at, 4);
    expect(z.scale).toBeCloseTo(4 * v.scale, 12);
    const after = screenToImage(z, at);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
    expect(zoomAbout(v, at, 1e6).scale).toBe(64);
    expect(zoomAbout(v, at, 1e-6).scale).toBe(0.02);
  });

  it('wheel zoom in and out by the same distance returns to the same scale', () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100)).toBeLessThan(1);
    const v = { scale: 1, offsetX: 0, offsetY: 0 };
    const at = { x: 50, y: 70 };
    const round = zoomAbout(zoomAbout(v, at, wheelZoomFactor(-240)), at, wheelZoomFactor(240));
    expect(round.scale).toBeCloseTo(1, 12);
    expect(round.offsetX).toBeCloseTo(0, 9);
  });

  it('pans by screen pixels', () => {
    expect(pan({ scale: 3, offsetX: 1, offsetY: 2 }, 10, -5)).toEqual({ scale: 3, offsetX: 11, offsetY: -3 });
  });
});
