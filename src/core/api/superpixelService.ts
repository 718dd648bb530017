/**
 * A frame's superpixels for the annotator's image-aware tools (superpixel brush, region
 * fill): SLIC on the frame's image (src/core/assist/superpixels.ts), computed once per frame
 * and kept for the last few frames opened, handing the event loop back between SLIC's steps
 * so saves and other calls of the window are answered meanwhile.
 */
import { superpixelSdeFeatures } from '../assist/sdeFeatures';
import { computeSuperpixelsAsync, type Superpixels } from '../assist/superpixels';
import { readRgb } from '../data/imageIo';
import { DataError } from '../errors';
import type { OpenProject } from '../project/openProject';
import type { FrameAssistFeatures, FrameSuperpixels } from './contract';
import { frameImageFile } from './labellingService';
import type { ModelCache } from './modelCache';
import { depthModel } from './reviewService';

/** Frames whose superpixels are kept (the one open, the ones before it). */
const KEPT = 4;

/** A frame's superpixels as sent, and what they were made from (for its SDE features). */
interface Entry {
  readonly sent: FrameSuperpixels;
  readonly superpixels: Superpixels;
  readonly rgb: Uint8Array;
}

export class SuperpixelCache {
  private readonly entries = new Map<string, Promise<Entry>>();

  /** The superpixels of a frame of the open project (computed on the first call). */
  async get(open: OpenProject, frameId: number): Promise<FrameSuperpixels> {
    return (await this.entry(open, frameId)).sent;
  }

  /**
   * The SDE features of the frame's superpixels, from the newest depth run's network (or run
   * `runId`'s); a UsageError in words where the project has none.
   */
  async sdeFeatures(open: OpenProject, models: ModelCache, frameId: number, runId?: number): Promise<FrameAssistFeatures> {
    const m = await depthModel(open, models, runId);
    const { superpixels, rgb } = await this.entry(open, frameId);
    const f = await superpixelSdeFeatures(m.model, rgb, superpixels);
    return {
      frameId,
      runId: m.run.id,
      step: m.step,
      dims: f.dims,
      layers: f.layers.map((l) => l.name),
      featuresBase64: Buffer.from(f.features.buffer, f.features.byteOffset, f.features.byteLength).toString('base64'),
    };
  }

  private entry(open: OpenProject, frameId: number): Promise<Entry> {
    const key = `${open.store.dir}\n${frameId}`;
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // most recent last
    } else {
      entry = compute(open, frameId);
      // A failure is not kept: the next call tries again (the file may have been fixed).
      entry.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    }
    this.entries.set(key, entry);
    while (this.entries.size > KEPT) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}

async function compute(open: OpenProject, frameId: number): Promise<Entry> {
  const { frame, file } = await frameImageFile(open, frameId);
  const image = await readRgb(file);
  if (image.width !== frame.width || image.height !== frame.height) {
    throw new DataError(file, `is ${image.width}x${image.height} but the project recorded ${frame.width}x${frame.height}: re-create the project over the changed dataset`);
  }
  const started = performance.now();
  const sp = await computeSuperpixelsAsync(image.data, image.width, image.height);
  return { sent: encode(frameId, sp, performance.now() - started), superpixels: sp, rgb: image.data };
}

/** Labels as 16-bit little-endian base64 (SLIC keeps them below 65,536), colours as numbers. */
function encode(frameId: number, sp: Superpixels, ms: number): FrameSuperpixels {
  const bytes = Buffer.alloc(sp.labels.length * 2);
  for (let i = 0; i < sp.labels.length; i++) bytes.writeUInt16LE(sp.labels[i], 2 * i);
  return {
    frameId,
    width: sp.width,
    height: sp.height,
    count: sp.count,
    regionSize: sp.regionSize,
    labelsBase64: bytes.toString('base64'),
    meanLab: Array.from(sp.meanLab, (v) => Math.round(v * 100) / 100),
    computeMs: Math.round(ms),
  };
}
