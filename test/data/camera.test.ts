import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  intrinsicsFromHorizontalFov,
  intrinsicsMatrix,
  normalizeIntrinsics,
  parseCameraJson,
  readCameraJson,
  scaleIntrinsics,
} from '../../src/core/data';
import { DataError, UsageError } from '../../src/core/errors';
import { tempDir } from './fixtures';

const dir = tempDir('camera');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CS = { height: 1024, width: 2048 };

describe('camera intrinsics', () => {
  it('parses a Cityscapes camera json (u0, v0 become cx, cy) for the image size given', () => {
    const text = JSON.stringify({
      extrinsic: { baseline: 0.209, pitch: 0.038, roll: 0, x: 1.7, y: 0.1, yaw: -0.019, z: 1.2 },
      intrinsic: { fx: 2262.52, fy: 2265.3, u0: 1096.98, v0: 513.14 },
    });
    expect(parseCameraJson(text, 'cam.json', CS)).toEqual({ fx: 2262.52, fy: 2265.3, cx: 1096.98, cy: 513.14, width: 2048, height: 1024 });
  });

  it('names the file and what is missing or wrong', () => {
    const f = '/data/x_camera.json';
    expect(() => parseCameraJson('{"intrinsic": {"fx": 1', f, CS)).toThrow(/^\/data\/x_camera\.json: camera json is not valid JSON/);
    expect(() => parseCameraJson('[1, 2]', f, CS)).toThrow(`${f}: camera json must be an object`);
    expect(() => parseCameraJson('{"extrinsic": {}}', f, CS)).toThrow(`${f}: camera json has no "intrinsic" object`);
    expect(() => parseCameraJson('{"intrinsic": {"fx": 10, "v0": 5}}', f, CS)).toThrow(`${f}: camera json is missing intrinsic.fy, intrinsic.u0`);
    expect(() => parseCameraJson('{"intrinsic": {"fx": "10", "fy": 10, "u0": 5, "v0": null}}', f, CS)).toThrow(
      `${f}: camera json: intrinsic.fx = "10", intrinsic.v0 = null must be finite numbers`,
    );
    expect(() => parseCameraJson('{"intrinsic": {"fx": -10, "fy": 10, "u0": 5, "v0": 5}}', f, CS)).toThrow(/focal lengths must be positive/);
    expect(() => parseCameraJson('{"intrinsic": {"fx": 10, "fy": 10, "u0": 5, "v0": 5}}', f, CS)).not.toThrow();
    try {
      parseCameraJson('{}', f, CS);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).file).toBe(f);
    }
  });

  it('reads camera json files and names a missing one', () => {
    const p = join(dir, 'camera.json');
    writeFileSync(p, JSON.stringify({ intrinsic: { fx: 100, fy: 100, u0: 64, v0: 32 } }));
    expect(readCameraJson(p, { height: 64, width: 128 }).cx).toBe(64);
    expect(() => readCameraJson(join(dir, 'none.json'), CS)).toThrow(/none\.json: camera json not found/);
  });

  it('derives a centred pinhole from a horizontal field of view', () => {
    const k = intrinsicsFromHorizontalFov(90, { height: 128, width: 256 });
    expect(k.fx).toBeCloseTo(128, 10); // tan(45 deg) = 1: f = W / 2
    expect(k).toMatchObject({ cx: 128, cy: 64, width: 256, height: 128 });
    expect(k.fy).toBe(k.fx);
    const narrow = intrinsicsFromHorizontalFov(60, { height: 100, width: 200 });
    expect(narrow.fx).toBeCloseTo(100 / Math.tan(Math.PI / 6), 10);
    expect(() => intrinsicsFromHorizontalFov(180, CS)).toThrow(UsageError);
    expect(() => intrinsicsFromHorizontalFov(0, CS)).toThrow(/between 0 and 180/);
  });

  it('scales intrinsics with the image, per axis, and normalises them', () => {
    const k = { fx: 2262.52, fy: 2265.3, cx: 1096.98, cy: 513.14, width: 2048, height: 1024 };
    const s = scaleIntrinsics(k, { height: 128, width: 256 });
    expect(s.fx).toBeCloseTo(282.815, 10);
    expect(s.fy).toBeCloseTo(283.1625, 10);
    expect(s.cx).toBeCloseTo(137.1225, 10);
    expect(s.cy).toBeCloseTo(64.1425, 10);
    expect([s.width, s.height]).toEqual([256, 128]);
    // normalised intrinsics do not change with the size (README: [[1.1047, 0, 0.5356], [0, 2.2122, 0.5011]])
    const n = normalizeIntrinsics(s);
    const n0 = normalizeIntrinsics(k);
    expect(n.fx).toBeCloseTo(n0.fx, 12);
    expect(n.fx).toBeCloseTo(1.1047, 4);
    expect(n.fy).toBeCloseTo(2.2122, 4);
    expect(n.cx).toBeCloseTo(0.5356, 4);
    expect(n.cy).toBeCloseTo(0.5011, 4);
    expect(intrinsicsMatrix(s)).toEqual([s.fx, 0, s.cx, 0, s.fy, s.cy, 0, 0, 1]);
    // non-uniform resize
    const squash = scaleIntrinsics(k, { height: 512, width: 2048 });
    expect([squash.fx, squash.fy, squash.cx, squash.cy]).toEqual([k.fx, k.fy / 2, k.cx, k.cy / 2]);
  });
});
