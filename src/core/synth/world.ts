/**
 * The static part of a sequence's street: road (with lane markings), kerbs, sidewalks,
 * verges, a terrain plane under everything, and along both sides lots of buildings, walls,
 * fences, hedges and trees, plus street lamps, sign poles and a traffic light. Built once
 * per sequence in world coordinates; plus the actors (parked and driving cars, pedestrians,
 * cyclists) that are drawn per frame.
 */
import type { Rng } from '../random';
import { randomActor, type Actor } from './actors';
import { LABEL } from './labels';
import type { Road, Vec3 } from './road';
import { Material, box, quad, type Face, type FaceStyle } from './scene';
import type { SequenceSettings } from './sequenceSettings';
import { shadowOf, shadowsOver, type ShadowPolygon } from './shadows';

export interface World {
  readonly faces: Face[];
  /** Faces behind everything else (the terrain plane), drawn last. */
  readonly background: Face[];
  readonly actors: Actor[];
}

const SEGMENT = 3;

/** Corners of the solids that cast sun shadows, collected while a world is built. */
const casters: Vec3[][] = [];

function caster(faces: Face[]): Face[] {
  casters.push(faces.flatMap((f) => f.verts));
  return faces;
}
const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

const FACADES: Vec3[] = [
  [0.78, 0.72, 0.62], [0.7, 0.66, 0.6], [0.62, 0.45, 0.36], [0.8, 0.78, 0.72], [0.55, 0.55, 0.58],
  [0.72, 0.6, 0.45], [0.6, 0.63, 0.6], [0.82, 0.7, 0.55],
];
const BRICKS: Vec3[] = [[0.58, 0.3, 0.22], [0.5, 0.35, 0.28], [0.65, 0.5, 0.38]];

/** A ground strip between lateral offsets dl < dr at height y, from s0 to s1. */
function strip(road: Road, s0: number, s1: number, dl: number, dr: number, y: number, style: FaceStyle): Face {
  return quad(road.point(s0, dl, y), road.point(s0, dr, y), road.point(s1, dr, y), road.point(s1, dl, y), style);
}

/**
 * Builds the street from s = sStart to sEnd. `travel` is how far the camera drives in the
 * snippet (actors are placed where they will be seen).
 */
export function buildWorld(road: Road, st: SequenceSettings, rng: Rng, sStart: number, sEnd: number, travel: number): World {
  const faces: Face[] = [];
  casters.length = 0;
  const seed = rng.int(1 << 30);
  const lanes = st.lanesPerDirection;
  const edge = lanes * st.laneWidth;
  const half = edge + st.parkingWidth;
  const kh = st.kerbHeight;
  const sw = st.sidewalkWidth;
  const grassColor: Vec3 = [0.3 + 0.1 * rng.next(), 0.42 + 0.08 * rng.next(), 0.18];

  // Terrain plane under everything, 2 cm below the road.
  const background: Face[] = [];
  background.push(
    quad([-600, 0.02, -600], [600, 0.02, -600], [600, 0.02, 600], [-600, 0.02, 600], {
      label: LABEL.terrain,
      material: Material.Grass,
      color: grassColor,
      params: [seed + 1, 0, 0],
    }),
  );

  const kerbColor: Vec3 = [st.paving[0] * 1.1, st.paving[1] * 1.1, st.paving[2] * 1.1];
  for (let s0 = sStart; s0 < sEnd; s0 += SEGMENT) {
    const s1 = s0 + SEGMENT;
    faces.push(
      strip(road, s0, s1, -half, half, 0, {
        label: LABEL.road,
        material: Material.Asphalt,
        color: st.asphalt,
        params: [seed + 2, s0, -half, st.laneWidth, lanes, st.parkingWidth],
      }),
    );
    for (const side of [-1, 1] as const) {
      const kerb = { label: LABEL.sidewalk, material: Material.Kerb, color: kerbColor, params: [seed + 3, side > 0 ? -s1 : s0] };
      const d = side * half;
      faces.push(
        side > 0
          ? quad(road.point(s1, d, 0), road.point(s0, d, 0), road.point(s0, d, -kh), road.point(s1, d, -kh), kerb)
          : quad(road.point(s0, d, 0), road.point(s1, d, 0), road.point(s1, d, -kh), road.point(s0, d, -kh), kerb),
      );
      const dl = side > 0 ? half : -half - sw;
      faces.push(
        strip(road, s0, s1, dl, dl + sw, -kh, {
          label: LABEL.sidewalk,
          material: Material.Paving,
          color: st.paving,
          params: [seed + 4, s0, dl, 0.5],
        }),
      );
      const verge = st.vergeWidth[side > 0 ? 1 : 0]!;
      const vl = side > 0 ? half + sw : -half - sw - verge - 25;
      faces.push(
        strip(road, s0, s1, vl, vl + verge + 25, -kh, {
          label: LABEL.terrain,
          material: Material.Grass,
          color: grassColor,
          params: [seed + 5, s0, vl],
        }),
      );
    }
  }

  for (const side of [-1, 1] as const) {
    const verge = st.vergeWidth[side > 0 ? 1 : 0]!;
    const line = half + sw + verge; // building line
    let s = sStart + uniform(rng, 0, 6);
    while (s < sEnd) {
      const u = rng.next();
      const len = uniform(rng, 9, 24);
      const mid = s + len / 2;
      const dir = road.forward(mid);
      const inward = side; // +1: lot to the right of the road
      if (u < 0.62) {
        // building
        const depth = uniform(rng, 8, 14);
        const floorH = uniform(rng, 2.8, 3.4);
        const floors = 2 + rng.int(6);
        const height = floors * floorH + uniform(rng, 0, 1.2);
        const brick = rng.next() < 0.3;
        const color = brick ? pick(rng, BRICKS) : pick(rng, FACADES);
        const spacing = uniform(rng, 2.2, 3.6);
        const winW = Math.min(spacing - 0.6, uniform(rng, 1.0, 1.6));
        const winH = Math.min(floorH - 0.8, uniform(rng, 1.2, 1.8));
        const shop = rng.next() < 0.4 ? 1 : 0;
        const bseed = rng.int(1 << 30);
        const setback = uniform(rng, 0, 1);
        const c = road.point(mid, inward * (line + setback + depth / 2), -kh);
        const mat = brick ? Material.Brick : Material.Plaster;
        const facade: FaceStyle = { label: LABEL.building, material: mat, color, params: [bseed, len, spacing, winW, floorH, winH, shop] };
        const gable: FaceStyle = { label: LABEL.building, material: mat, color, params: [bseed + 1, depth, spacing, winW, floorH, winH, 0] };
        const roof: FaceStyle = { label: LABEL.building, material: Material.Concrete, color: [0.35, 0.33, 0.33], params: [bseed] };
        faces.push(...caster(box(c, dir, len - uniform(rng, 0, 1.5), depth, height, facade, { front: gable, back: gable, top: roof })));
      } else if (u < 0.8) {
        // wall or fence with hedge/trees behind
        const isWall = rng.next() < 0.5;
        const h = isWall ? uniform(rng, 1.0, 2.2) : uniform(rng, 1.1, 1.8);
        const a = s + 0.3;
        const b = s + len - 0.3;
        const d = inward * (line + 0.2);
        if (isWall) {
          const c = road.point(mid, d, -kh);
          faces.push(
            ...caster(box(c, dir, b - a, 0.3, h, {
              label: LABEL.wall,
              material: Material.Concrete,
              color: pick(rng, [[0.6, 0.58, 0.55], [0.5, 0.48, 0.45], [0.7, 0.66, 0.6]] as Vec3[]),
              params: [rng.int(1 << 30)],
            })),
          );
        } else {
          const fence: FaceStyle = {
            label: LABEL.fence,
            material: Material.Fence,
            color: pick(rng, [[0.45, 0.32, 0.2], [0.3, 0.32, 0.3], [0.6, 0.58, 0.55]] as Vec3[]),
            doubleSided: true,
            params: [rng.int(1 << 30), h],
          };
          // One quad per road segment so it follows the curve.
          for (let x = a; x < b; x += SEGMENT) {
            const x1 = Math.min(b, x + SEGMENT);
            faces.push(quad(road.point(x, d, -kh), road.point(x1, d, -kh), road.point(x1, d, -kh - h), road.point(x, d, -kh - h), fence));
          }
        }
        hedge(faces, road, rng, mid, inward * (line + 2), len - 1, -kh);
      } else {
        // open lot: grass with trees or a hedge
        if (rng.next() < 0.5) hedge(faces, road, rng, mid, inward * (line + 1), len * 0.8, -kh);
        for (let k = 0; k < 1 + rng.int(3); k++) tree(faces, road, rng, s + uniform(rng, 2, len - 2), inward * (line + uniform(rng, 2, 8)), -kh);
      }
      s += len + (rng.next() < 0.3 ? uniform(rng, 2, 10) : 0);
    }

    // street lamps
    for (let x = sStart + uniform(rng, 0, 20); x < sEnd; x += uniform(rng, 22, 36)) {
      lamp(faces, road, x, side * (half + 0.45), side, -kh);
    }
    // roadside trees
    if (st.trees) {
      for (let x = sStart + uniform(rng, 0, 8); x < sEnd; x += uniform(rng, 8, 15)) {
        tree(faces, road, rng, x, side * (half + sw - 0.9), -kh);
      }
    }
    // traffic signs facing the camera's direction of travel
    for (let x = sStart + uniform(rng, 5, 40); x < sEnd; x += uniform(rng, 25, 60)) {
      sign(faces, road, rng, x, side * (half + 0.35), -kh);
    }
  }
  if (rng.next() < 0.75) trafficLight(faces, road, rng, uniform(rng, travel + 8, travel + 45), half + 0.5, -kh);

  // Sun shadows of the casters on the ground faces.
  const shadows = casters.flatMap((corners) => shadowOf(corners, st.lighting.sunDir, 0) ?? []);
  const shaded = (f: Face): Face => {
    if (f.normal[1] > -0.9 || (f.label !== LABEL.road && f.label !== LABEL.sidewalk && f.label !== LABEL.terrain)) return f;
    const over = shadowsOver(shadows, f.verts);
    return over.length > 0 ? { ...f, shadows: over } : f;
  };
  casters.length = 0;
  return { faces: faces.map(shaded), background, actors: placeActors(rng, st, travel, sEnd) };
}

function hedge(faces: Face[], road: Road, rng: Rng, s: number, d: number, len: number, y: number): void {
  const h = uniform(rng, 0.9, 2.2);
  const w = uniform(rng, 0.8, 1.4);
  const leafSeed = rng.int(1 << 30);
  const color: Vec3 = [0.16 + 0.08 * rng.next(), 0.3 + 0.1 * rng.next(), 0.1];
  const side: FaceStyle = { label: LABEL.vegetation, material: Material.Leaves, color, params: [leafSeed, len, h] };
  const end: FaceStyle = { label: LABEL.vegetation, material: Material.Leaves, color, params: [leafSeed + 1, w, h] };
  const top: FaceStyle = { label: LABEL.vegetation, material: Material.Leaves, color, params: [leafSeed + 2, w, len] };
  faces.push(...caster(box(road.point(s, d, y), road.forward(s), len, w, h, side, { front: end, back: end, top })));
}

function tree(faces: Face[], road: Road, rng: Rng, s: number, d: number, y: number): void {
  const trunkH = uniform(rng, 2.0, 3.2);
  const c = road.point(s, d, y);
  const dir = road.forward(s + uniform(rng, 0, 40)); // any orientation, fixed in the world
  faces.push(
    ...box(c, dir, 0.28, 0.28, trunkH + 0.4, {
      label: LABEL.vegetation,
      material: Material.Bark,
      color: [0.32, 0.25, 0.18],
      params: [rng.int(1 << 30)],
    }),
  );
  const w = uniform(rng, 2.4, 4.2);
  const h = uniform(rng, 2.2, 4.0);
  const color: Vec3 = [0.18 + 0.1 * rng.next(), 0.33 + 0.12 * rng.next(), 0.1 + 0.06 * rng.next()];
  const leafSeed = rng.int(1 << 30);
  const side: FaceStyle = { label: LABEL.vegetation, material: Material.Leaves, color, params: [leafSeed, w, h] };
  const top: FaceStyle = { label: LABEL.vegetation, material: Material.Leaves, color, params: [leafSeed + 1, w, w] };
  faces.push(...caster(box([c[0], y - trunkH, c[2]], dir, w, w, h, side, { top })));
}

const METAL: Vec3 = [0.45, 0.46, 0.48];

function lamp(faces: Face[], road: Road, s: number, d: number, side: number, y: number): void {
  const style = { label: LABEL.pole, material: Material.Metal, color: METAL, params: [Math.round(s * 100)] };
  const c = road.point(s, d, y);
  const f = road.forward(s);
  faces.push(...box(c, f, 0.16, 0.16, 6.5, style));
  // arm reaching over the road
  const armC = road.point(s, d - side * 0.8, y - 6.3);
  faces.push(...box(armC, f, 0.12, 1.6, 0.12, style));
  const head = road.point(s, d - side * 1.6, y - 6.15);
  faces.push(...box(head, f, 0.3, 0.6, 0.18, { ...style, color: [0.3, 0.3, 0.32] }));
}

function sign(faces: Face[], road: Road, rng: Rng, s: number, d: number, y: number): void {
  const c = road.point(s, d, y);
  const f = road.forward(s);
  faces.push(...box(c, f, 0.08, 0.08, 2.8, { label: LABEL.pole, material: Material.Metal, color: METAL, params: [rng.int(1000)] }));
  const round = rng.next() < 0.5;
  const size = uniform(rng, 0.55, 0.75);
  const bottom = y - 2.8 + size;
  const sp = s - 0.06;
  const style: FaceStyle = {
    label: LABEL.trafficSign,
    material: Material.Sign,
    color: round ? [0.8, 0.1, 0.1] : [0.1, 0.3, 0.75],
    doubleSided: true,
    params: [rng.int(1 << 30), round ? 0 : 1, size],
  };
  // Facing against the direction of travel (towards the camera): u runs to the right.
  faces.push(
    quad(
      road.point(sp, d - size / 2, bottom),
      road.point(sp, d + size / 2, bottom),
      road.point(sp, d + size / 2, bottom - size),
      road.point(sp, d - size / 2, bottom - size),
      style,
    ),
  );
}

function trafficLight(faces: Face[], road: Road, rng: Rng, s: number, d: number, y: number): void {
  const c = road.point(s, d, y);
  const f = road.forward(s);
  faces.push(...box(c, f, 0.14, 0.14, 3.2, { label: LABEL.pole, material: Material.Metal, color: [0.3, 0.3, 0.3], params: [7] }));
  const back: Vec3 = [-f[0], 0, -f[2]];
  const housing: FaceStyle = { label: LABEL.trafficLight, material: Material.Plain, color: [0.12, 0.12, 0.12], params: [3] };
  const front: FaceStyle = { label: LABEL.trafficLight, material: Material.TrafficLight, color: [0.1, 0.1, 0.1], params: [5, rng.int(3)] };
  const hc = road.point(s - 0.22, d, y - 3.2);
  faces.push(...box(hc, back, 0.3, 0.3, 0.8, housing, { front }));
}

function placeActors(rng: Rng, st: SequenceSettings, travel: number, sEnd: number): Actor[] {
  const actors: Actor[] = [];
  const lanes = st.lanesPerDirection;
  const edge = lanes * st.laneWidth;
  const half = edge + st.parkingWidth;
  // parked cars
  if (st.parkingWidth > 0) {
    for (const side of [-1, 1]) {
      for (let s = -5 + uniform(rng, 0, 4); s < Math.min(sEnd, travel + 90); s += uniform(rng, 5.2, 7)) {
        if (rng.next() < 0.6) actors.push(randomActor(rng, 'car', s, side * (edge + st.parkingWidth / 2), 0, rng.next() < 0.2));
      }
    }
  }
  // traffic in the camera's direction, ahead of it
  const nAhead = 1 + rng.int(2);
  for (let i = 0; i < nAhead; i++) {
    const lane = rng.int(lanes);
    const speed = st.speed * uniform(rng, 0.85, 1.15);
    actors.push(randomActor(rng, 'car', uniform(rng, 12, 45) + i * 12, (lane + 0.5) * st.laneWidth, speed, false));
  }
  // oncoming traffic
  const nOn = 1 + rng.int(3);
  for (let i = 0; i < nOn; i++) {
    const lane = rng.int(lanes);
    actors.push(randomActor(rng, 'car', uniform(rng, 15, 110 + travel), -(lane + 0.5) * st.laneWidth, -uniform(rng, 6, 14), true));
  }
  // pedestrians on the sidewalks
  const nPeople = 3 + rng.int(7);
  for (let i = 0; i < nPeople; i++) {
    const side = rng.next() < 0.5 ? -1 : 1;
    const walking = rng.next() < 0.6;
    const back = rng.next() < 0.5;
    const speed = walking ? (back ? -1 : 1) * uniform(rng, 0.8, 1.6) : 0;
    const d = side * (half + uniform(rng, 0.5, st.sidewalkWidth - 0.4));
    actors.push(randomActor(rng, 'person', uniform(rng, 4, travel + 50), d, speed, walking ? back : rng.next() < 0.5));
  }
  // cyclists near the right edge of the driving lanes
  const nBikes = rng.int(3);
  for (let i = 0; i < nBikes; i++) {
    const oncoming = rng.next() < 0.3;
    const d = oncoming ? -(edge - 0.7) : edge - 0.7;
    actors.push(randomActor(rng, 'cyclist', uniform(rng, 8, 40 + travel), d, (oncoming ? -1 : 1) * uniform(rng, 3, 6), oncoming));
  }
  return actors;
}
