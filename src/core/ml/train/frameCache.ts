/**
 * Decoded frames at the training size, kept in memory up to a limit (least recently used
 * out first), so a training run reads each file once per epoch at most and small datasets
 * stay fully in memory.
 */
import { readRgb, type RasterU8, type Size } from '../../data/imageIo';

export class FrameCache {
  private readonly entries = new Map<string, Promise<RasterU8>>();

  constructor(readonly size: Size, private readonly maxEntries = 4096) {}

  get(path: string): Promise<RasterU8> {
    const hit = this.entries.get(path);
    if (hit) {
      this.entries.delete(path);
      this.entries.set(path, hit);
      return hit;
    }
    const p = readRgb(path, this.size);
    p.catch(() => this.entries.delete(path));
    this.entries.set(path, p);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}
