/**
 * Everything random about one sequence, drawn from its own seeded generator: road shape and
 * cross-section, camera motion, lighting and palette. Saved in synth.json so a dataset
 * documents what it contains.
 */
import type { Rng } from '../random';
import type { Lighting, Vec3 } from './scene';

export interface SequenceSettings {
  /** 1/radius of the road (1/m), positive turning right; 0 = straight. */
  readonly curvature: number;
  readonly laneWidth: number;
  readonly lanesPerDirection: number;
  /** Width of the parking strip on each side (0 = none). */
  readonly parkingWidth: number;
  readonly kerbHeight: number;
  readonly sidewalkWidth: number;
  /** Grass/paving between sidewalk and building line, per side [left, right]. */
  readonly vergeWidth: readonly [number, number];
  /** Camera speed at frame 0 (m/s) and acceleration (m/s²). */
  readonly speed: number;
  readonly acceleration: number;
  readonly cameraHeight: number;
  /** Jitter amplitudes (radians) and frequencies (Hz): yaw, pitch, roll. */
  readonly jitterAmplitude: readonly [number, number, number];
  readonly jitterFrequency: readonly [number, number, number];
  readonly jitterPhase: readonly [number, number, number];
  readonly trees: boolean;
  readonly lighting: Lighting;
  readonly asphalt: Vec3;
  readonly paving: Vec3;
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const r3 = (v: Vec3): Vec3 => [round4(v[0]), round4(v[1]), round4(v[2])];
const mix = (a: Vec3, b: Vec3, t: number): Vec3 => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

export function drawSettings(rng: Rng): SequenceSettings {
  const straight = rng.next() < 0.3;
  const radius = uniform(rng, 60, 400);
  const curvature = straight ? 0 : (rng.next() < 0.5 ? -1 : 1) / radius;
  const lanesPerDirection = rng.next() < 0.3 ? 2 : 1;
  const parkingWidth = rng.next() < 0.55 ? uniform(rng, 2.1, 2.5) : 0;

  const elevation = uniform(rng, 0.12, 1.1);
  const azimuth = uniform(rng, 0, 2 * Math.PI);
  const overcast = rng.next() < 0.3 ? uniform(rng, 0.5, 1) : uniform(rng, 0, 0.3);
  const sunset = elevation < 0.35 ? (0.35 - elevation) / 0.23 : 0;
  const sunDir: Vec3 = [Math.cos(elevation) * Math.sin(azimuth), -Math.sin(elevation), Math.cos(elevation) * Math.cos(azimuth)];
  let zenith = mix([0.22, 0.42, 0.82], [0.62, 0.64, 0.68], overcast);
  let horizon = mix([0.72, 0.8, 0.92], [0.8, 0.8, 0.82], overcast);
  horizon = mix(horizon, [0.98, 0.72, 0.5], sunset * (1 - overcast) * 0.8);
  zenith = mix(zenith, [0.35, 0.38, 0.6], sunset * (1 - overcast) * 0.4);
  const lighting: Lighting = {
    sunDir: r3(sunDir),
    sunIntensity: round4(uniform(rng, 0.55, 0.95) * (1 - 0.75 * overcast)),
    ambient: round4(uniform(rng, 0.45, 0.65) + 0.2 * overcast),
    skyZenith: r3(zenith),
    skyHorizon: r3(horizon),
    exposure: round4(uniform(rng, 0.9, 1.15)),
    haze: round4((1 / uniform(rng, 250, 900)) * (1 + 2 * overcast)),
  };
  const grey = uniform(rng, 0.28, 0.42);
  const pav = uniform(rng, 0.55, 0.72);
  return {
    curvature: Math.round(curvature * 1e8) / 1e8,
    laneWidth: round4(uniform(rng, 3.0, 3.6)),
    lanesPerDirection,
    parkingWidth: round4(parkingWidth),
    kerbHeight: round4(uniform(rng, 0.1, 0.16)),
    sidewalkWidth: round4(uniform(rng, 2.0, 4.5)),
    vergeWidth: [round4(rng.next() < 0.5 ? 0 : uniform(rng, 1, 5)), round4(rng.next() < 0.5 ? 0 : uniform(rng, 1, 5))],
    speed: round4(uniform(rng, 5, 15)),
    acceleration: round4(uniform(rng, -0.8, 0.8)),
    cameraHeight: round4(uniform(rng, 1.4, 1.65)),
    jitterAmplitude: [round4(uniform(rng, 0.002, 0.008)), round4(uniform(rng, 0.003, 0.01)), round4(uniform(rng, 0.002, 0.008))],
    jitterFrequency: [round4(uniform(rng, 0.2, 0.8)), round4(uniform(rng, 0.8, 2.5)), round4(uniform(rng, 0.5, 2))],
    jitterPhase: [round4(uniform(rng, 0, 6.28)), round4(uniform(rng, 0, 6.28)), round4(uniform(rng, 0, 6.28))],
    trees: rng.next() < 0.7,
    lighting,
    asphalt: r3([grey, grey, grey * uniform(rng, 1.0, 1.1)]),
    paving: r3([pav, pav * uniform(rng, 0.93, 1.0), pav * uniform(rng, 0.85, 1.0)]),
  };
}
