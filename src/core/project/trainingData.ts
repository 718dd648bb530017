/**
 * The training view of a project: its frames as training samples (absolute paths, the clip's
 * video neighbours and intrinsics, ground-truth depth where the dataset has it) and which of
 * them are labelled: a frame counts as labelled once its mask is `done` (painted by an
 * annotator or imported from the dataset's own labels) and, where the project trains only
 * approved masks (projectSettings.ts), a reviewer approved it. Evaluation reads the dataset's own
 * ground truth.
 */
import { join } from 'node:path';
import type { Intrinsics } from '../data/camera';
import { labelEncodingOf } from '../data/labels';
import { UsageError } from '../errors';
import type { FrameSample } from '../ml/train/samples';
import { DEFAULT_OFFSETS } from '../ml/train/samples';
import { clipFrames, datasetFile, getMaskRow, listClips, listDatasets, type Clip, type Dataset, type Frame, type LabelMaskRow, type ProjectStore, type Split } from '../store';
import { masksTrainOn, readProjectSettings } from './projectSettings';
import type { OpenProject } from './openProject';

export interface ProjectFrameSample extends FrameSample {
  frameId: number;
  isKeyframe: boolean;
  /** The dataset's own label (evaluation), where it has one. */
  groundTruth: FrameSample['label'];
}

/** A clip's intrinsics for one of its frames (the frame's size where the clip does not record one); undefined where unknown. */
export function clipIntrinsics(clip: Clip, frame: Frame): Intrinsics | undefined {
  const k = clip.intrinsics;
  if (!k) return undefined;
  return { fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width: k.width ?? frame.width, height: k.height ?? frame.height };
}

/** Every frame of a split as a sample (labels from `done` masks), in clip order. */
export async function projectSamples(p: OpenProject, split: Split, offsets: readonly number[] = DEFAULT_OFFSETS): Promise<ProjectFrameSample[]> {
  const out: ProjectFrameSample[] = [];
  const trains = masksTrainOn(await readProjectSettings(p.store));
  for (const dataset of await listDatasets(p.store, p.project.id)) {
    for (const clip of await listClips(p.store, dataset.id, split)) {
      const frames = await clipFrames(p.store, clip.id);
      const byIndex = new Map(frames.map((f) => [f.index, f]));
      for (const f of frames) out.push(await sampleOf(p.store, dataset, clip, f, byIndex, offsets, trains));
    }
  }
  return out;
}

async function sampleOf(
  store: ProjectStore,
  dataset: Dataset,
  clip: Clip,
  f: Frame,
  byIndex: Map<number, Frame>,
  offsets: readonly number[],
  trains: (row: LabelMaskRow | undefined) => boolean,
): Promise<ProjectFrameSample> {
  const file = (rel: string) => datasetFile(dataset, rel);
  const mask = await getMaskRow(store, f.id);
  const gtPath = f.gtLabelPath ? file(f.gtLabelPath) : null;
  const s: ProjectFrameSample = {
    key: `${dataset.id}:${f.imagePath}`,
    frameId: f.id,
    imagePath: file(f.imagePath),
    isKeyframe: f.isKeyframe,
    label: trains(mask) ? { path: join(store.dir, mask!.maskPath!), encoding: 'cityscapes-trainIds' } : null,
    groundTruth: gtPath ? { path: gtPath, encoding: labelEncodingOf(dataset.format, gtPath) } : null,
    depthPath: f.depthPath ? file(f.depthPath) : undefined,
  };
  const neighbours = offsets.map((o) => byIndex.get(f.index + o));
  const k = clipIntrinsics(clip, f);
  if (k && neighbours.every((n) => n !== undefined)) {
    s.neighbourPaths = neighbours.map((n) => file(n!.imagePath));
    s.intrinsics = k;
  }
  return s;
}

const NO_CLIPS = 'the project has no video frames with neighbours in its train split: self-supervised depth needs clips';

/** Why self-supervised depth cannot train on this project (no video clips), or null where it can. */
export async function sdeUnavailableReason(p: OpenProject): Promise<string | null> {
  return (await projectSamples(p, 'train', DEFAULT_OFFSETS)).some((s) => s.neighbourPaths) ? null : NO_CLIPS;
}

/** Samples for self-supervised depth: train frames with all their neighbours, every `stride`-th. */
export async function sdeTrainingSamples(p: OpenProject, stride = 1, offsets: readonly number[] = DEFAULT_OFFSETS): Promise<ProjectFrameSample[]> {
  const all = (await projectSamples(p, 'train', offsets)).filter((s) => s.neighbourPaths);
  if (all.length === 0) throw new UsageError(NO_CLIPS);
  return all.filter((_, i) => i % stride === 0);
}

/**
 * Labelled and unlabelled train frames for segmentation. Unlabelled: the frames that could be
 * labelled (the clips' keyframes where the dataset marks them, else every frame) without a
 * done mask.
 */
export async function segTrainingSamples(p: OpenProject, offsets: readonly number[] = DEFAULT_OFFSETS): Promise<{ labelled: ProjectFrameSample[]; unlabelled: ProjectFrameSample[] }> {
  const all = await projectSamples(p, 'train', offsets);
  const hasKeyframes = all.some((s) => s.isKeyframe);
  const candidates = all.filter((s) => !hasKeyframes || s.isKeyframe || s.label);
  return { labelled: candidates.filter((s) => s.label), unlabelled: candidates.filter((s) => !s.label) };
}

/** Validation frames with the dataset's own labels (as `label`) for evaluation. */
export async function evaluationSamples(p: OpenProject, split: Split = 'val'): Promise<ProjectFrameSample[]> {
  return (await projectSamples(p, split))
    .filter((s) => s.groundTruth)
    .map((s) => ({ ...s, label: s.groundTruth }));
}

/** Validation frames with ground-truth depth (synthetic data). */
export async function depthEvaluationSamples(p: OpenProject, split: Split = 'val'): Promise<ProjectFrameSample[]> {
  const all = (await projectSamples(p, split)).filter((s) => s.depthPath);
  const keyframes = all.filter((s) => s.isKeyframe);
  return keyframes.length > 0 ? keyframes : all;
}
