import { describe, expect, it } from 'vitest';
import { labelIdByName } from '../../src/core/labels';
import { actorFaces, randomActor } from '../../src/core/synth/actors';
import { clearBuffers, createBuffers, drawFaces, drawSky } from '../../src/core/synth/rasterizer';
import { Road } from '../../src/core/synth/road';
import { Material, box, quad, type Lighting } from '../../src/core/synth/scene';
import { rotationYawPitchRoll } from '../../src/core/synth/trajectory';
import { synthIntrinsics } from '../../src/core/synth/intrinsics';
import { inShadow, shadowOf } from '../../src/core/synth/shadows';
import { createRng } from '../../src/core/random';

const light: Lighting = {
  sunDir: [0, -1, 0],
  sunIntensity: 0.5,
  ambient: 0.5,
  skyZenith: [0.2, 0.4, 0.8],
  skyHorizon: [0.8, 0.8, 0.9],
  exposure: 1,
  haze: 0.002,
};
const ROAD = labelIdByName('road');
const SKY = labelIdByName('sky');
const BUILDING = labelIdByName('building');

describe('rasteriser', () => {
  const size = { height: 64, width: 128 };
  const k = synthIntrinsics(size);
  const ground = quad([-50, 0, 0], [50, 0, 0], [50, 0, 200], [-50, 0, 200], {
    label: ROAD,
    material: Material.Plain,
    color: [0.4, 0.4, 0.4],
  });
  const pose = { rot: rotationYawPitchRoll(0, 0, 0), pos: [0, -1.5, 0] as [number, number, number] };

  it('writes the exact z-depth of a ground plane seen from 1.5 m (z = h fy / (v - cy)) and sky above the horizon', () => {
    const buf = createBuffers(size.width, size.height);
    clearBuffers(buf);
    drawFaces([[ground]], pose, k, light, buf);
    drawSky(pose, k, light, buf);
    for (let row = 0; row < size.height; row++) {
      const v = row + 0.5;
      const i = row * size.width + 40;
      if (v <= k.cy) {
        expect(buf.label[i]).toBe(SKY);
        expect(buf.depth[i]).toBe(Infinity);
      } else {
        const z = (1.5 * k.fy) / (v - k.cy);
        if (z > 190) continue; // beyond the quad's far edge
        expect(buf.label[i]).toBe(ROAD);
        expect(buf.depth[i]).toBeCloseTo(z, 3);
      }
    }
  });

  it('keeps the nearest surface: a wall in front of the ground hides it at its own depth', () => {
    const wall = box([0, 0, 20], [0, 0, 1], 1, 10, 6, { label: BUILDING, material: Material.Plain, color: [0.6, 0.5, 0.4] });
    const buf = createBuffers(size.width, size.height);
    clearBuffers(buf);
    drawFaces([[ground], wall], pose, k, light, buf);
    const centre = Math.floor(size.height / 2) * size.width + size.width / 2;
    expect(buf.label[centre]).toBe(BUILDING);
    expect(buf.depth[centre]).toBeCloseTo(19.5, 3); // the wall's front face
    // back faces are culled and the wall's back never wins
    const below = (size.height - 2) * size.width + size.width / 2;
    expect(buf.label[below]).toBe(ROAD);
  });
});

describe('actors', () => {
  const road = new Road(1 / 100);
  it('driving cars move along the curved road between frames, parked ones stay put', () => {
    const rng = createRng(3);
    const driving = randomActor(rng, 'car', 20, 1.7, 10, false);
    const parked = randomActor(rng, 'car', 20, 5, 0, false);
    const dt = 1 / 17;
    // centre of the car body (mean of the body box's vertices)
    const centre = (t: number) => {
      const vs = actorFaces(road, driving, t).slice(0, 5).flatMap((f) => f.verts);
      return [0, 2].map((c) => vs.reduce((a, v) => a + v[c]!, 0) / vs.length);
    };
    const a0 = centre(0);
    const a1 = centre(dt);
    // 10 m/s along the centreline: a chord of the arc 1.7 m right of it (radius 98.3 m)
    const expected = 2 * (100 - 1.7) * Math.sin((10 * dt) / 100 / 2);
    expect(Math.hypot(a1[0]! - a0[0]!, a1[1]! - a0[1]!)).toBeCloseTo(expected, 6);
    expect(actorFaces(road, parked, dt)).toEqual(actorFaces(road, parked, 0));
  });
  it('cyclists are a bicycle with a rider on it', () => {
    const faces = actorFaces(road, randomActor(createRng(4), 'cyclist', 10, 3, 5, false), 0);
    const labels = new Set(faces.map((f) => f.label));
    expect(labels).toEqual(new Set([labelIdByName('bicycle'), labelIdByName('rider')]));
  });
});

describe('road', () => {
  it('follows a circle of the given radius, with the lateral offset to the right', () => {
    const road = new Road(1 / 50);
    const centre = [50, 0, 0]; // turning right around (50, 0, 0)
    for (const s of [0, 10, 40, 90]) {
      const p = road.point(s, 0);
      expect(Math.hypot(p[0] - centre[0]!, p[2] - centre[2]!)).toBeCloseTo(50, 9);
      const q = road.point(s, 2);
      expect(Math.hypot(q[0] - centre[0]!, q[2] - centre[2]!)).toBeCloseTo(48, 9);
    }
    expect(new Road(0).point(12, 1.5)).toEqual([1.5, 0, 12]);
  });
});

describe('sun shadows', () => {
  it('a 10 m box lit from 45 degrees above +x throws a 10 m shadow towards -x', () => {
    const faces = box([0, 0, 0], [0, 0, 1], 2, 2, 10, { label: BUILDING, material: Material.Plain, color: [1, 1, 1] });
    const s = Math.SQRT1_2;
    const shadow = shadowOf(faces.flatMap((f) => f.verts), [s, -s, 0], 0)!;
    expect(shadow.minX).toBeCloseTo(-11, 9);
    expect(shadow.maxX).toBeCloseTo(1, 9);
    expect(inShadow([shadow], -10.5, 0)).toBe(true);
    expect(inShadow([shadow], -5, 0.9)).toBe(true);
    expect(inShadow([shadow], -11.5, 0)).toBe(false);
    expect(inShadow([shadow], 3, 0)).toBe(false);
    expect(inShadow([shadow], -5, 1.5)).toBe(false);
    expect(shadowOf(faces.flatMap((f) => f.verts), [1, 0, 0], 0)).toBeNull();
  });
});
