/**
 * Writes a synthetic street-scene dataset in the Cityscapes layout of docs/dataset-layout.md
 * (city `synth`): per sequence a 30-frame snippet with per-frame z-depth (16-bit PNG,
 * centimetres, 0 = sky) and camera poses, the labelled frame 19 with its labelIds and
 * labelTrainIds, a Cityscapes camera json, and synth.json with the settings. The same options
 * give byte-identical files.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Intrinsics } from '../data/camera';
import { LABEL_ID_TO_TRAIN_ID } from '../labels';
import type { Size } from '../data/imageIo';
import { writePng, writePngU16 } from '../data/imageIo';
import { DataError, UsageError, errorMessage } from '../errors';
import { writeFileAtomic } from '../fsAtomic';
import { synthIntrinsics } from './intrinsics';
import { createBuffers, type FrameBuffers } from './rasterizer';
import { LABELLED_FRAME, SNIPPET_FRAMES, createSequence, renderFrame } from './sequence';
import type { SequenceSettings } from './sequenceSettings';
import { FPS, poseMatrix } from './trajectory';

export const CITY = 'synth';
export const MIN_SIZE: Size = { height: 32, width: 32 };
export const MAX_SIZE: Size = { height: 1024, width: 2048 };
/** zlib level for the PNGs: fast, the files are regenerated at will. */
const PNG_LEVEL = 1;
/** Frames whose PNGs may be encoding while the next ones render. */
const FRAMES_IN_FLIGHT = 6;

export interface SynthOptions {
  /** Dataset root to write into (created if missing). */
  readonly out: string;
  readonly sequences: number;
  readonly size: Size;
  readonly seed: number;
  /** Share of sequences in val (default 0.25: every 4th); at least one per split when sequences >= 2 and valFraction > 0. */
  readonly valFraction?: number;
  readonly onProgress?: (p: { done: number; total: number; snippet: string }) => void;
}

export interface SynthSummary {
  readonly out: string;
  readonly sequences: number;
  readonly train: number;
  readonly val: number;
  readonly framesWritten: number;
  readonly size: Size;
  readonly intrinsics: { fx: number; fy: number; u0: number; v0: number };
  /** Pixels per Cityscapes labelId over all labelled frames. */
  readonly labelHistogram: Record<string, number>;
}

type Split = 'train' | 'val';

function checkOptions(o: SynthOptions): number {
  if (typeof o.out !== 'string' || o.out.length === 0) throw new UsageError('synth: an output folder is required');
  if (!Number.isInteger(o.sequences) || o.sequences < 1) throw new UsageError(`synth: sequences must be a positive integer (got ${o.sequences})`);
  const { height, width } = o.size ?? ({} as Size);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < MIN_SIZE.height || width < MIN_SIZE.width || height > MAX_SIZE.height || width > MAX_SIZE.width) {
    throw new UsageError(
      `synth: size must be whole pixels between ${MIN_SIZE.height}x${MIN_SIZE.width} and ${MAX_SIZE.height}x${MAX_SIZE.width} (got ${height}x${width})`,
    );
  }
  if (!Number.isFinite(o.seed)) throw new UsageError(`synth: seed must be a number (got ${o.seed})`);
  const vf = o.valFraction ?? 0.25;
  if (!(vf >= 0 && vf < 1)) throw new UsageError(`synth: valFraction must be in [0, 1) (got ${vf})`);
  return vf;
}

/** Split of each sequence: val ones spread evenly (every 1/valFraction-th), at least one of each when possible. */
export function assignSplits(sequences: number, valFraction: number): Split[] {
  let nVal = Math.round(sequences * valFraction);
  if (valFraction > 0 && sequences >= 2) nVal = Math.min(sequences - 1, Math.max(1, nVal));
  return Array.from({ length: sequences }, (_, i) =>
    Math.floor(((i + 1) * nVal) / sequences) > Math.floor((i * nVal) / sequences) ? 'val' : 'train',
  );
}

const pad6 = (n: number): string => String(n).padStart(6, '0');

function depthCentimetres(buf: FrameBuffers): Uint16Array {
  const out = new Uint16Array(buf.depth.length);
  for (let i = 0; i < out.length; i++) {
    const z = buf.depth[i]!;
    out[i] = z === Infinity ? 0 : Math.max(1, Math.min(65535, Math.round(z * 100)));
  }
  return out;
}

function cameraJson(k: Intrinsics, height: number): string {
  return `${JSON.stringify(
    {
      extrinsic: { baseline: 0, pitch: 0, roll: 0, x: 0, y: 0, yaw: 0, z: height },
      intrinsic: { fx: k.fx, fy: k.fy, u0: k.cx, v0: k.cy },
    },
    null,
    2,
  )}\n`;
}

export async function generateSynthDataset(opts: SynthOptions): Promise<SynthSummary> {
  const valFraction = checkOptions(opts);
  const root = resolve(opts.out);
  const { size, seed } = opts;
  const k = synthIntrinsics(size);
  const splits = assignSplits(opts.sequences, valFraction);
  const histogram = new Float64Array(256);
  const perSequence: { seq: string; split: Split; settings: SequenceSettings }[] = [];
  const pending: Promise<void>[][] = [];
  let framesWritten = 0;

  const dir = (kind: string, split: Split): string => join(root, kind, split, CITY);
  for (const kind of ['leftImg8bit', 'gtFine', 'leftImg8bit_sequence', 'camera', 'depth_sequence', 'poses']) {
    for (const split of new Set(splits)) {
      try {
        mkdirSync(dir(kind, split), { recursive: true });
      } catch (e) {
        throw new DataError(dir(kind, split), `cannot create the output folder: ${errorMessage(e)}`, { cause: e });
      }
    }
  }

  for (let i = 0; i < opts.sequences; i++) {
    const split = splits[i]!;
    const seqId = pad6(i);
    const sequence = createSequence(seed, i);
    perSequence.push({ seq: seqId, split, settings: sequence.settings });
    const poses: { frame: string; cameraToWorld: number[] }[] = [];
    for (let f = 0; f < SNIPPET_FRAMES; f++) {
      const buf = createBuffers(size.width, size.height);
      const pose = renderFrame(sequence, f, k, buf);
      const name = `${CITY}_${seqId}_${pad6(f)}`;
      poses.push({ frame: pad6(f), cameraToWorld: poseMatrix(pose) });
      const rgb = { width: size.width, height: size.height, channels: 3, data: buf.rgb };
      const writes = [
        writePng(join(dir('leftImg8bit_sequence', split), `${name}_leftImg8bit.png`), rgb, PNG_LEVEL),
        writePngU16(join(dir('depth_sequence', split), `${name}_depth.png`), { width: size.width, height: size.height, data: depthCentimetres(buf) }, PNG_LEVEL),
      ];
      if (f === LABELLED_FRAME) {
        const train = new Uint8Array(buf.label.length);
        for (let p = 0; p < train.length; p++) {
          train[p] = LABEL_ID_TO_TRAIN_ID[buf.label[p]!]!;
          histogram[buf.label[p]!]!++;
        }
        const one = (data: Uint8Array) => ({ width: size.width, height: size.height, channels: 1, data });
        writes.push(
          writePng(join(dir('leftImg8bit', split), `${name}_leftImg8bit.png`), rgb, PNG_LEVEL),
          writePng(join(dir('gtFine', split), `${name}_gtFine_labelIds.png`), one(buf.label), PNG_LEVEL),
          writePng(join(dir('gtFine', split), `${name}_gtFine_labelTrainIds.png`), one(train), PNG_LEVEL),
        );
        writeFileAtomic(join(dir('camera', split), `${name}_camera.json`), cameraJson(k, sequence.settings.cameraHeight));
      }
      pending.push(writes);
      framesWritten++;
      if (pending.length >= FRAMES_IN_FLIGHT) await Promise.all(pending.shift()!);
    }
    writeFileAtomic(
      join(dir('poses', split), `${CITY}_${seqId}_poses.json`),
      `${JSON.stringify({ convention: 'camera-to-world, 4x4 row-major; camera axes x right, y down, z forward (OpenCV)', frames: poses })}\n`,
    );
    while (pending.length > 0) await Promise.all(pending.shift()!);
    opts.onProgress?.({ done: i + 1, total: opts.sequences, snippet: `${CITY}_${seqId}_${pad6(LABELLED_FRAME)}` });
  }

  const intrinsics = { fx: k.fx, fy: k.fy, u0: k.cx, v0: k.cy };
  const labelHistogram: Record<string, number> = {};
  histogram.forEach((n, id) => {
    if (n > 0) labelHistogram[String(id)] = n;
  });
  writeFileAtomic(
    join(root, 'synth.json'),
    `${JSON.stringify(
      {
        generator: 'depthseg-workbench procedural street renderer',
        version: 1,
        seed,
        sequences: opts.sequences,
        valFraction,
        size: { height: size.height, width: size.width },
        city: CITY,
        fps: FPS,
        snippetFrames: SNIPPET_FRAMES,
        labelledFrame: LABELLED_FRAME,
        intrinsics,
        depth: '16-bit PNG, z-depth along the optical axis in centimetres, 0 = sky / no depth',
        poses: 'camera-to-world, 4x4 row-major; camera axes x right, y down, z forward (OpenCV); world y down, ground at y = 0',
        labelHistogram,
        sequenceSettings: perSequence,
      },
      null,
      2,
    )}\n`,
  );
  return {
    out: root,
    sequences: opts.sequences,
    train: splits.filter((s) => s === 'train').length,
    val: splits.filter((s) => s === 'val').length,
    framesWritten,
    size: { height: size.height, width: size.width },
    intrinsics,
    labelHistogram,
  };
}
