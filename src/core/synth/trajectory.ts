/**
 * The camera's path: it drives along the right-hand lane following the road's curvature at the
 * sequence's speed, with small smooth yaw, pitch and roll jitter and a little height bounce.
 * Poses are camera-to-world with OpenCV camera axes (x right, y down, z forward).
 */
import type { Pose } from './rasterizer';
import type { Road, Vec3 } from './road';
import type { SequenceSettings } from './sequenceSettings';

export const FPS = 17;

/** Camera arc length along the road at time t (s). */
export function cameraArc(settings: SequenceSettings, t: number): number {
  return settings.speed * t + 0.5 * settings.acceleration * t * t;
}

/** Rotation Ry(yaw) Rx(pitch) Rz(roll), row-major. */
export function rotationYawPitchRoll(yaw: number, pitch: number, roll: number): number[] {
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  const cr = Math.cos(roll);
  const sr = Math.sin(roll);
  // Rx * Rz
  const a = [cr, -sr, 0, cp * sr, cp * cr, -sp, sp * sr, sp * cr, cp];
  // Ry * a
  return [
    cy * a[0]! + sy * a[6]!, cy * a[1]! + sy * a[7]!, cy * a[2]! + sy * a[8]!,
    a[3]!, a[4]!, a[5]!,
    -sy * a[0]! + cy * a[6]!, -sy * a[1]! + cy * a[7]!, -sy * a[2]! + cy * a[8]!,
  ];
}

export function cameraPose(road: Road, settings: SequenceSettings, t: number): Pose {
  const s = cameraArc(settings, t);
  const [ay, ap, ar] = settings.jitterAmplitude;
  const [fy, fp, fr] = settings.jitterFrequency;
  const [py, pp, pr] = settings.jitterPhase;
  const w = 2 * Math.PI * t;
  const lane = settings.laneWidth * 0.5 + 0.15 * Math.sin(0.7 * w + py);
  const bounce = 0.015 * Math.sin(fp * 1.7 * w + pr);
  const pos: Vec3 = road.point(s, lane, -(settings.cameraHeight + bounce));
  const yaw = road.heading(s) + ay * Math.sin(fy * w + py);
  const pitch = ap * Math.sin(fp * w + pp);
  const roll = ar * Math.sin(fr * w + pr);
  return { rot: rotationYawPitchRoll(yaw, pitch, roll), pos };
}

/** The pose as a 4x4 row-major camera-to-world matrix. */
export function poseMatrix(pose: Pose): number[] {
  const R = pose.rot;
  const t = pose.pos;
  return [R[0]!, R[1]!, R[2]!, t[0], R[3]!, R[4]!, R[5]!, t[1], R[6]!, R[7]!, R[8]!, t[2], 0, 0, 0, 1];
}
