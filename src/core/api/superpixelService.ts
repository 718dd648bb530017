/**
 * A frame's superpixels for the annotator's image-aware tools (superpixel brush, region
 * fill): SLIC on the frame's image (src/core/assist/superpixels.ts), computed once per frame
 * and kept for the last few frames opened, handing the event loop back between SLIC's steps
 * so saves and other calls of the window are answered meanwhile.
 */
import { superpixelSdeFeatures } from '../assist/sdeFeatures';
import { superpixelSegFeatures } from '../assist/segFeatures';
import { joinSuperpixelFeatures } from '../assist/superpixelPooling';
import { computeSuperpixelsAsync, type Superpixels } from '../assist/superpixels';
import { readRgb } from '../data/imageIo';
import { DataError, UsageError } from '../errors';
import type { OpenProject } from '../project/openProject';
import type { FrameAssistFeatures, FrameSuperpixels } from './contract';
import { frameImageFile } from './labellingService';
import type { CachedModel, ModelCache } from './modelCache';
import { depthModel, latestDepthRun, segModel } from './reviewService';
import { latestModel } from '../project/projectModels';

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
   * The network features of the frame's superpixels for the live assist: the SDE features of
   * the newest depth run's network (or run `runId`'s), then the class probabilities of the
   * newest segmentation run's (or run `segRunId`'s). A part is left out where the project has
   * no such run; a UsageError in words where it has neither, or a named run does not fit.
   */
  async networkFeatures(open: OpenProject, models: ModelCache, p: { frameId: number; runId?: number | undefined; segRunId?: number | undefined }): Promise<FrameAssistFeatures> {
    const { store, project } = open;
    const hasDepth = p.runId !== undefined || (await latestDepthRun(store, project.id)) !== undefined;
    const hasSeg = p.segRunId !== undefined || (await latestModel(store, project.id, 'seg')) !== undefined;
    if (!hasDepth && !hasSeg) throw new UsageError('no SDE run and no segmentation run has finished in this project yet: the assist uses colour and position only');
    const depth = hasDepth ? await depthModel(open, models, p.runId) : null;
    const seg = hasSeg ? await segModel(open, models, p.segRunId) : null;
    const { superpixels, rgb } = await this.entry(open, p.frameId);
    const segPart = seg ? await superpixelSegFeatures(seg.model, rgb, superpixels) : null;
    const joined = joinSuperpixelFeatures([...(depth ? [await superpixelSdeFeatures(depth.model, rgb, superpixels)] : []), ...(segPart ? [segPart] : [])]);
    const { features } = joined;
    const source = (m: CachedModel | null) => (m ? { runId: m.run.id, step: m.step } : null);
    return {
      frameId: p.frameId,
      sde: source(depth),
      seg: source(seg),
      dims: joined.dims,
      segDims: segPart?.dims ?? 0,
      layers: joined.layers.map((l) => l.name),
      featuresBase64: Buffer.from(features.buffer, features.byteOffset, features.byteLength).toString('base64'),
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
