/**
 * One synthetic sequence: its settings, road and world drawn from (seed, index), and the
 * rendering of any of its frames into colour, z-depth and label buffers.
 */
import type { Intrinsics } from '../data/camera';
import { createRng } from '../random';
import { actorFaces } from './actors';
import { clearBuffers, drawFaces, drawSky, type FrameBuffers, type Pose } from './rasterizer';
import { Road } from './road';
import type { Face } from './scene';
import { drawSettings, type SequenceSettings } from './sequenceSettings';
import { FPS, cameraArc, cameraPose } from './trajectory';
import { buildWorld, type World } from './world';

export const SNIPPET_FRAMES = 30;
export const LABELLED_FRAME = 19;

export interface Sequence {
  readonly index: number;
  readonly settings: SequenceSettings;
  readonly road: Road;
  readonly world: World;
}

/** Mixes the dataset seed and the sequence index into one 32-bit seed. */
function sequenceSeed(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

export function createSequence(seed: number, index: number): Sequence {
  const rng = createRng(sequenceSeed(seed, index));
  const settings = drawSettings(rng);
  const road = new Road(settings.curvature);
  const travel = cameraArc(settings, (SNIPPET_FRAMES - 1) / FPS);
  const world = buildWorld(road, settings, rng, -15, travel + 150, travel);
  return { index, settings, road, world };
}

export function framePose(seq: Sequence, frame: number): Pose {
  return cameraPose(seq.road, seq.settings, frame / FPS);
}

/**
 * Renders frame `frame` (0-based) of the snippet into `buf`; returns the camera pose used.
 * `actorFrame` places the moving actors at another frame's time (default: `frame`), e.g. to
 * see which pixels the actors' own motion changes between two frames.
 */
export function renderFrame(seq: Sequence, frame: number, k: Intrinsics, buf: FrameBuffers, actorFrame = frame): Pose {
  const t = frame / FPS;
  const pose = cameraPose(seq.road, seq.settings, t);
  const moving: Face[] = [];
  for (const a of seq.world.actors) moving.push(...actorFaces(seq.road, a, actorFrame / FPS));
  clearBuffers(buf);
  drawFaces([moving, seq.world.faces, seq.world.background], pose, k, seq.settings.lighting, buf);
  drawSky(pose, k, seq.settings.lighting, buf);
  return pose;
}
