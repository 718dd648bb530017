/**
 * The road's centreline: a circular arc (or a straight line) on the ground plane y = 0 of a
 * world frame with OpenCV-like axes (x right, y down, z forward at the start). A road point
 * is addressed by arc length s along the centreline and signed lateral offset d (positive to
 * the right of the direction of travel).
 */
export type Vec3 = [number, number, number];

export class Road {
  /** @param curvature 1/radius in 1/m; positive turns right, 0 is straight. */
  constructor(readonly curvature: number) {}

  /** Heading angle (rotation about +y) at arc length s. */
  heading(s: number): number {
    return this.curvature * s;
  }

  /** Unit direction of travel at s. */
  forward(s: number): Vec3 {
    const h = this.heading(s);
    return [Math.sin(h), 0, Math.cos(h)];
  }

  /** Unit vector to the right of the direction of travel at s. */
  right(s: number): Vec3 {
    const h = this.heading(s);
    return [Math.cos(h), 0, -Math.sin(h)];
  }

  /** World point at arc length s, lateral offset d, height y (y down: -1.5 is 1.5 m up). */
  point(s: number, d: number, y = 0): Vec3 {
    const k = this.curvature;
    const h = k * s;
    const cx = Math.abs(k) < 1e-12 ? 0 : (1 - Math.cos(h)) / k;
    const cz = Math.abs(k) < 1e-12 ? s : Math.sin(h) / k;
    return [cx + d * Math.cos(h), y, cz - d * Math.sin(h)];
  }
}
