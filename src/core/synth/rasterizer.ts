/**
 * Z-buffer rasteriser for flat convex polygons. Each face is clipped against the near plane,
 * projected with a pinhole camera and scan-converted; per pixel the depth comes from the
 * face's plane (1/z is affine in pixel coordinates) and the surface coordinates for texturing
 * from the same plane, so depth is the exact z-depth (along the optical axis) of the surface
 * seen through the pixel centre and textures stay fixed to the surface.
 */
import type { Intrinsics } from '../data/camera';
import { labelIdByName } from '../labels';
import { shade, shaded, view } from './materials';
import { inShadow } from './shadows';
import type { Face, Lighting, Vec3 } from './scene';

/** Camera-to-world pose: rotation (row-major 3x3, columns are the camera axes) and position. */
export interface Pose {
  readonly rot: readonly number[];
  readonly pos: Vec3;
}

export interface FrameBuffers {
  readonly width: number;
  readonly height: number;
  /** z-depth in metres, Infinity where nothing was drawn (sky). */
  readonly depth: Float32Array;
  readonly label: Uint8Array;
  readonly rgb: Uint8Array;
}

const SKY = labelIdByName('sky');
const NEAR = 0.05;
export const FAR = 400;

export function createBuffers(width: number, height: number): FrameBuffers {
  return {
    width,
    height,
    depth: new Float32Array(width * height),
    label: new Uint8Array(width * height),
    rgb: new Uint8Array(width * height * 3),
  };
}

// Scratch arrays for clipping (a quad clipped by one plane has at most 5 vertices; faces have
// few vertices, 16 is plenty).
const cx0 = new Float64Array(16);
const cy0 = new Float64Array(16);
const cz0 = new Float64Array(16);
const cx1 = new Float64Array(16);
const cy1 = new Float64Array(16);
const cz1 = new Float64Array(16);
const sx = new Float64Array(16);
const sy = new Float64Array(16);

let keys = new Float64Array(1024);

/**
 * Indices of the faces that can be visible (in front of the camera, not back-facing), nearest
 * first (by their nearest vertex), so the z-test rejects hidden pixels before they are shaded.
 */
function frontToBack(faces: readonly Face[], pose: Pose): number[] {
  const R = pose.rot;
  const [tx, ty, tz] = pose.pos;
  const r2 = R[2]!;
  const r5 = R[5]!;
  const r8 = R[8]!;
  if (keys.length < faces.length) keys = new Float64Array(faces.length * 2);
  const idx: number[] = [];
  for (let f = 0; f < faces.length; f++) {
    const face = faces[f]!;
    const v0 = face.verts[0]!;
    const n = face.normal;
    if (!face.doubleSided && n[0] * (tx - v0[0]) + n[1] * (ty - v0[1]) + n[2] * (tz - v0[2]) <= 0) continue;
    let minZ = Infinity;
    let maxZ = -Infinity;
    for (const v of face.verts) {
      const z = r2 * (v[0] - tx) + r5 * (v[1] - ty) + r8 * (v[2] - tz);
      if (z < minZ) minZ = z;
      if (z > maxZ) maxZ = z;
    }
    if (maxZ <= NEAR || minZ > FAR) continue;
    keys[f] = minZ;
    idx.push(f);
  }
  idx.sort((a, b) => keys[a]! - keys[b]! || a - b);
  return idx;
}

function faceLight(n: Vec3, light: Lighting, shadowed = false): number {
  const l = light.sunDir;
  const lambert = shadowed ? 0 : Math.max(0, n[0] * l[0] + n[1] * l[1] + n[2] * l[2]);
  // Sky light comes mostly from above (-y): upward faces get all of the ambient term.
  const skyView = 0.75 - 0.25 * n[1];
  return (light.ambient * skyView + light.sunIntensity * lambert) * light.exposure;
}

/**
 * Draws the faces into the buffers (which must have been cleared with clearBuffers) seen from
 * `pose`. Faces may come in several lists (static scene, moving objects).
 */
export function drawFaces(lists: readonly (readonly Face[])[], pose: Pose, k: Intrinsics, light: Lighting, buf: FrameBuffers): void {
  const R = pose.rot;
  const [tx, ty, tz] = pose.pos;
  const { fx, fy, cx, cy } = k;
  const W = buf.width;
  const H = buf.height;
  const zbuf = buf.depth;
  const lab = buf.label;
  const rgb = buf.rgb;
  const haze = light.haze;
  const [hazeR, hazeG, hazeB] = light.skyHorizon;
  for (const faces of lists) {
    const order = frontToBack(faces, pose);
    for (let oi = 0; oi < order.length; oi++) {
      const face = faces[order[oi]!]!;
      const vs = face.verts;
      const n = face.normal;
      const v0 = vs[0]!;
      const facing = n[0] * (tx - v0[0]) + n[1] * (ty - v0[1]) + n[2] * (tz - v0[2]);
      if (!face.doubleSided && facing <= 0) continue;
      // World -> camera: Xc = R^T (Xw - t)
      const nv = vs.length;
      let anyFront = false;
      let minZ = Infinity;
      for (let i = 0; i < nv; i++) {
        const v = vs[i]!;
        const dx = v[0] - tx;
        const dy = v[1] - ty;
        const dz = v[2] - tz;
        cx0[i] = R[0]! * dx + R[3]! * dy + R[6]! * dz;
        cy0[i] = R[1]! * dx + R[4]! * dy + R[7]! * dz;
        const z = R[2]! * dx + R[5]! * dy + R[8]! * dz;
        cz0[i] = z;
        if (z > NEAR) anyFront = true;
        if (z < minZ) minZ = z;
      }
      if (!anyFront || minZ > FAR) continue;
      // Clip against z = NEAR (Sutherland-Hodgman).
      let m = 0;
      for (let i = 0; i < nv; i++) {
        const j = (i + 1) % nv;
        const zi = cz0[i]!;
        const zj = cz0[j]!;
        const inI = zi >= NEAR;
        const inJ = zj >= NEAR;
        if (inI) {
          cx1[m] = cx0[i]!;
          cy1[m] = cy0[i]!;
          cz1[m] = zi;
          m++;
        }
        if (inI !== inJ) {
          const t = (NEAR - zi) / (zj - zi);
          cx1[m] = cx0[i]! + t * (cx0[j]! - cx0[i]!);
          cy1[m] = cy0[i]! + t * (cy0[j]! - cy0[i]!);
          cz1[m] = NEAR;
          m++;
        }
      }
      if (m < 3) continue;
      let minX = Infinity;
      let maxX = -Infinity;
      let minY = Infinity;
      let maxY = -Infinity;
      for (let i = 0; i < m; i++) {
        const x = (fx * cx1[i]!) / cz1[i]! + cx;
        const y = (fy * cy1[i]!) / cz1[i]! + cy;
        sx[i] = x;
        sy[i] = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      if (maxX < 0 || minX > W || maxY < 0 || minY > H) continue;
      // Plane in camera coordinates: nc . X = h
      const ncx = R[0]! * n[0] + R[3]! * n[1] + R[6]! * n[2];
      const ncy = R[1]! * n[0] + R[4]! * n[1] + R[7]! * n[2];
      const ncz = R[2]! * n[0] + R[5]! * n[1] + R[8]! * n[2];
      const h = ncx * cx1[0]! + ncy * cy1[0]! + ncz * cz1[0]!;
      if (Math.abs(h) < 1e-9) continue; // seen edge-on
      // 1/z = izA u + izB v + izC, with a = (u - cx)/fx, b = (v - cy)/fy
      const izA = ncx / (fx * h);
      const izB = ncy / (fy * h);
      const izC = (ncz - (ncx * cx) / fx - (ncy * cy) / fy) / h;
      // Surface coordinates: p = z * (Uc . (a, b, 1)) + (t - o) . U
      const U = face.uAxis;
      const V = face.vAxis;
      const o = face.origin;
      const ucx = R[0]! * U[0] + R[3]! * U[1] + R[6]! * U[2];
      const ucy = R[1]! * U[0] + R[4]! * U[1] + R[7]! * U[2];
      const ucz = R[2]! * U[0] + R[5]! * U[1] + R[8]! * U[2];
      const vcx = R[0]! * V[0] + R[3]! * V[1] + R[6]! * V[2];
      const vcy = R[1]! * V[0] + R[4]! * V[1] + R[7]! * V[2];
      const vcz = R[2]! * V[0] + R[5]! * V[1] + R[8]! * V[2];
      const pA = ucx / fx;
      const pB = ucy / fy;
      const pC = ucz - (ucx * cx) / fx - (ucy * cy) / fy;
      const qA = vcx / fx;
      const qB = vcy / fy;
      const qC = vcz - (vcx * cx) / fx - (vcy * cy) / fy;
      const p0 = (tx - o[0]) * U[0] + (ty - o[1]) * U[1] + (tz - o[2]) * U[2];
      const q0 = (tx - o[0]) * V[0] + (ty - o[1]) * V[1] + (tz - o[2]) * V[2];
      const lightN: Vec3 = facing >= 0 ? n : [-n[0], -n[1], -n[2]];
      const lit = faceLight(lightN, light);
      const litShadow = faceLight(lightN, light, true);
      const shadows = face.shadows && face.shadows.length > 0 ? face.shadows : null;
      view.back = facing < 0;
      // |cos| of the angle between the view ray and the normal, for the texture footprint
      const nLen = Math.hypot(ncx, ncy, ncz);

      const rowStart = Math.max(0, Math.ceil(minY - 0.5));
      const rowEnd = Math.min(H - 1, Math.floor(maxY - 0.5));
      for (let row = rowStart; row <= rowEnd; row++) {
        const v = row + 0.5;
        let xl = Infinity;
        let xr = -Infinity;
        for (let i = 0; i < m; i++) {
          const j = i + 1 === m ? 0 : i + 1;
          const yi = sy[i]!;
          const yj = sy[j]!;
          if ((yi <= v && v < yj) || (yj <= v && v < yi)) {
            const x = sx[i]! + ((v - yi) * (sx[j]! - sx[i]!)) / (yj - yi);
            if (x < xl) xl = x;
            if (x > xr) xr = x;
          }
        }
        if (!(xl <= xr)) continue;
        const colStart = Math.max(0, Math.ceil(xl - 0.5));
        const colEnd = Math.min(W - 1, Math.ceil(xr - 0.5) - 1);
        const b = (v - cy) / fy;
        for (let col = colStart; col <= colEnd; col++) {
          const u = col + 0.5;
          const iz = izA * u + izB * v + izC;
          if (!(iz > 0)) continue;
          const z = 1 / iz;
          const idx = row * W + col;
          if (z >= zbuf[idx]! || z > FAR) continue;
          const p = z * (pA * u + pB * v + pC) + p0;
          const q = z * (qA * u + qB * v + qC) + q0;
          const a = (u - cx) / fx;
          const rayLen = Math.sqrt(a * a + b * b + 1);
          const cos = Math.abs(iz * h) / (nLen * rayLen);
          const foot = (z * rayLen) / (fx * Math.max(cos, 0.08));
          if (!shade(face, p, q, foot)) continue;
          zbuf[idx] = z;
          lab[idx] = face.label;
          const o3 = idx * 3;
          let L = lit;
          if (shadows) {
            // world x, z of the surface point: R (z a, z b, z) + t
            const wx = z * (R[0]! * a + R[1]! * b + R[2]!) + tx;
            const wz = z * (R[6]! * a + R[7]! * b + R[8]!) + tz;
            if (inShadow(shadows, wx, wz)) L = litShadow;
          }
          const fog = 1 - Math.exp(-haze * z * rayLen);
          rgb[o3] = clamp255(shaded[0]! * L + (hazeR - shaded[0]! * L) * fog);
          rgb[o3 + 1] = clamp255(shaded[1]! * L + (hazeG - shaded[1]! * L) * fog);
          rgb[o3 + 2] = clamp255(shaded[2]! * L + (hazeB - shaded[2]! * L) * fog);
        }
      }
    }
  }
}

function clamp255(x: number): number {
  const v = Math.round(x * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

export function clearBuffers(buf: FrameBuffers): void {
  buf.depth.fill(Infinity);
  buf.label.fill(SKY);
}

/** Fills the pixels nothing was drawn on with the sky gradient (by the world elevation of the ray). */
export function drawSky(pose: Pose, k: Intrinsics, light: Lighting, buf: FrameBuffers): void {
  const R = pose.rot;
  const { fx, fy, cx, cy } = k;
  const W = buf.width;
  const zen = light.skyZenith;
  const hor = light.skyHorizon;
  for (let row = 0; row < buf.height; row++) {
    const b = (row + 0.5 - cy) / fy;
    for (let col = 0; col < W; col++) {
      const idx = row * W + col;
      if (buf.depth[idx] !== Infinity) continue;
      const a = (col + 0.5 - cx) / fx;
      // world y of the ray direction (y down): row 1 of R times (a, b, 1)
      const wy = R[3]! * a + R[4]! * b + R[5]!;
      const len = Math.sqrt(a * a + b * b + 1);
      const elev = Math.max(0, -wy / len);
      const t = Math.sqrt(elev);
      const o3 = idx * 3;
      buf.rgb[o3] = clamp255(hor[0] + (zen[0] - hor[0]) * t);
      buf.rgb[o3 + 1] = clamp255(hor[1] + (zen[1] - hor[1]) * t);
      buf.rgb[o3 + 2] = clamp255(hor[2] + (zen[2] - hor[2]) * t);
    }
  }
}
