/**
 * Cars, pedestrians and cyclists built from boxes and textured quads. An actor moves along
 * the road at constant speed (0 for parked cars and standing people); its faces at time t are
 * built fresh, so moving actors change position between frames while static ones never do.
 */
import type { Rng } from '../random';
import { LABEL } from './labels';
import type { Road, Vec3 } from './road';
import { Material, box, quad, type Face } from './scene';

export type ActorKind = 'car' | 'person' | 'cyclist';

export interface Actor {
  readonly kind: ActorKind;
  /** Arc length at t = 0, lateral offset, speed along the road (negative: against travel). */
  readonly s0: number;
  readonly d: number;
  readonly speed: number;
  /** Facing against the direction of travel (oncoming cars, people walking back). */
  readonly reversed: boolean;
  readonly seed: number;
  readonly color: Vec3;
  readonly color2: Vec3;
}

const CAR_COLORS: Vec3[] = [
  [0.75, 0.75, 0.77], [0.12, 0.12, 0.14], [0.55, 0.08, 0.07], [0.1, 0.2, 0.45], [0.85, 0.85, 0.82],
  [0.35, 0.36, 0.38], [0.2, 0.33, 0.22], [0.6, 0.5, 0.3],
];
const CLOTH: Vec3[] = [
  [0.15, 0.15, 0.2], [0.5, 0.1, 0.12], [0.2, 0.3, 0.55], [0.6, 0.55, 0.45], [0.25, 0.25, 0.25], [0.75, 0.7, 0.2],
];

export function randomActor(rng: Rng, kind: ActorKind, s0: number, d: number, speed: number, reversed: boolean): Actor {
  const palette = kind === 'car' ? CAR_COLORS : CLOTH;
  return {
    kind,
    s0,
    d,
    speed,
    reversed,
    seed: rng.int(1 << 30),
    color: palette[rng.int(palette.length)]!,
    color2: CLOTH[rng.int(CLOTH.length)]!,
  };
}

/** The actor's faces at time t (s). */
export function actorFaces(road: Road, a: Actor, t: number): Face[] {
  const s = a.s0 + a.speed * t;
  const fwd = road.forward(s);
  const dir: Vec3 = a.reversed ? [-fwd[0], 0, -fwd[2]] : fwd;
  const c = road.point(s, a.d, 0);
  if (a.kind === 'car') return carFaces(c, dir, a);
  if (a.kind === 'person') return personFaces(c, dir, a, LABEL.person);
  return cyclistFaces(c, dir, a);
}

const at = (c: Vec3, dir: Vec3, along: number, y: number): Vec3 => [c[0] + dir[0] * along, y, c[2] + dir[2] * along];

function carFaces(c: Vec3, dir: Vec3, a: Actor): Face[] {
  const paint = { label: LABEL.car, material: Material.CarPaint, color: a.color, params: [a.seed] };
  const glass = { label: LABEL.car, material: Material.Glass, color: a.color, params: [a.seed] };
  const tyre = { label: LABEL.car, material: Material.Tyre, color: [0.05, 0.05, 0.05] as Vec3 };
  const r: Vec3 = [dir[2], 0, -dir[0]];
  const faces = [
    ...box(at(c, dir, 0, -0.3), dir, 4.2, 1.8, 0.75, paint),
    ...box(at(c, dir, -0.3, -1.05), dir, 2.2, 1.6, 0.55, glass, { top: paint }),
  ];
  for (const along of [-1.35, 1.35]) {
    for (const side of [-0.72, 0.72]) {
      const w = at(c, dir, along, 0);
      faces.push(...box([w[0] + r[0] * side, 0, w[2] + r[2] * side], dir, 0.62, 0.26, 0.62, tyre));
    }
  }
  return faces;
}

function personFaces(c: Vec3, dir: Vec3, a: Actor, label: number): Face[] {
  const legs = { label, material: Material.Cloth, color: a.color2, params: [a.seed] };
  const torso = { label, material: Material.Cloth, color: a.color, params: [a.seed + 1] };
  const skin = { label, material: Material.Plain, color: [0.78, 0.6, 0.48] as Vec3, params: [a.seed + 2] };
  return [
    ...box(c, dir, 0.24, 0.32, 0.85, legs),
    ...box(at(c, dir, 0, -0.85), dir, 0.26, 0.44, 0.6, torso),
    ...box(at(c, dir, 0, -1.47), dir, 0.2, 0.18, 0.24, skin),
  ];
}

function cyclistFaces(c: Vec3, dir: Vec3, a: Actor): Face[] {
  const bike = { label: LABEL.bicycle, material: Material.Bicycle, color: a.color2, doubleSided: true, params: [a.seed] };
  const back = at(c, dir, -0.85, 0);
  const front = at(c, dir, 0.85, 0);
  const faces: Face[] = [quad(back, front, [front[0], -1.0, front[2]], [back[0], -1.0, back[2]], bike)];
  const rider = { label: LABEL.rider, material: Material.Cloth, color: a.color, params: [a.seed + 1] };
  const legs = { label: LABEL.rider, material: Material.Cloth, color: a.color2, params: [a.seed + 2] };
  const skin = { label: LABEL.rider, material: Material.Plain, color: [0.78, 0.6, 0.48] as Vec3, params: [a.seed + 3] };
  faces.push(
    ...box(at(c, dir, -0.1, -0.35), dir, 0.3, 0.3, 0.55, legs),
    ...box(at(c, dir, 0.0, -0.9), dir, 0.34, 0.42, 0.6, rider),
    ...box(at(c, dir, 0.05, -1.5), dir, 0.2, 0.18, 0.24, skin),
  );
  return faces;
}
