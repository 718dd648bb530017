/**
 * What training reads from a dataset index: frames with their label (or none), and where a
 * frame is in a video clip, its neighbours at the given offsets and the clip's intrinsics.
 * Paths only; decoding happens per batch (see batches.ts).
 */
import type { Intrinsics } from '../../data/camera';
import type { DatasetIndex, LabelFile, Split } from '../../data/datasetTypes';

export interface FrameSample {
  key: string;
  imagePath: string;
  label: LabelFile | null;
  /** Paths of the neighbours at `offsets`, where the frame is in a clip with them. */
  neighbourPaths?: string[];
  /** Intrinsics of the stored images (clip's). */
  intrinsics?: Intrinsics;
  /** Ground-truth depth (synthetic data). */
  depthPath?: string;
}

/** The source-frame offsets of a triplet with this frame gap: the frames `gap` before and after. */
export const gapOffsets = (gap: number): number[] => [-gap, gap];

export const DEFAULT_OFFSETS: readonly number[] = gapOffsets(1);

/**
 * Every clip frame of a split that has all neighbours at `offsets`, every `stride`-th one
 * (self-supervised depth trains on these; none has a label).
 */
export function clipSamples(index: DatasetIndex, split: Split, offsets: readonly number[] = DEFAULT_OFFSETS, stride = 1): FrameSample[] {
  const out: FrameSample[] = [];
  const lo = -Math.min(0, ...offsets);
  for (const clip of index.splits[split]?.clips ?? []) {
    const n = clip.framePaths.length;
    const hi = n - 1 - Math.max(0, ...offsets);
    for (let p = lo; p <= hi; p += stride) {
      out.push({
        key: `${clip.key}#${p}`,
        imagePath: clip.framePaths[p]!,
        label: null,
        neighbourPaths: offsets.map((o) => clip.framePaths[p + o]!),
        intrinsics: clip.intrinsics,
        depthPath: clip.depthPaths?.[p],
      });
    }
  }
  return out;
}

/**
 * The single frames of a split (the ones that have or could get a label), with their
 * neighbours where their clip has them. `withLabels: false` drops the labels (unlabelled use).
 */
export function frameSamples(index: DatasetIndex, split: Split, offsets: readonly number[] = DEFAULT_OFFSETS): FrameSample[] {
  const clips = new Map((index.splits[split]?.clips ?? []).map((c) => [c.key, c]));
  return (index.splits[split]?.frames ?? []).map((f) => {
    const s: FrameSample = { key: f.key, imagePath: f.imagePath, label: f.label ?? null, depthPath: f.depthPath };
    const clip = f.clipKey !== undefined ? clips.get(f.clipKey) : undefined;
    const p = f.indexInClip;
    if (clip && p !== undefined && offsets.every((o) => clip.framePaths[p + o] !== undefined)) {
      s.neighbourPaths = offsets.map((o) => clip.framePaths[p + o]!);
      s.intrinsics = clip.intrinsics;
      if (!s.depthPath) s.depthPath = clip.depthPaths?.[p];
    }
    return s;
  });
}

/** Keeps the samples whose keys are in `keys`, in the order of `keys`. */
export function pickSamples(samples: readonly FrameSample[], keys: readonly string[]): FrameSample[] {
  const byKey = new Map(samples.map((s) => [s.key, s]));
  return keys.map((k) => {
    const s = byKey.get(k);
    if (!s) throw new Error(`no frame '${k}' among the samples`);
    return s;
  });
}
