import type { ProjectStore } from './projectStore';
import { all, insertReturningId, one, parseJson, requireRow, run, transaction } from './sql';

export type Split = 'train' | 'val' | 'test';

/** Pinhole intrinsics in pixels of the image as stored on disk. */
export interface ClipIntrinsics {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** Size of the image the intrinsics refer to, where known. */
  width?: number;
  height?: number;
}

export interface Clip {
  id: number;
  datasetId: number;
  /** Unique within the dataset, e.g. `aachen_000000` or a frames sub-folder's name. */
  key: string;
  split: Split;
  /** Number of frame rows of the clip, kept up to date by insertFrames. */
  frameCount: number;
  intrinsics: ClipIntrinsics | null;
}

export interface NewClip {
  datasetId: number;
  key: string;
  split: Split;
  intrinsics?: ClipIntrinsics | null;
}

export interface Frame {
  id: number;
  clipId: number;
  /** Position in the clip, 0-based, in playback order. */
  index: number;
  /** Relative to the dataset root. */
  imagePath: string;
  split: Split;
  /** The clip's labelled frame (Cityscapes: the 20th of the snippet). */
  isKeyframe: boolean;
  width: number;
  height: number;
  /** The dataset's own label for this frame (relative to the dataset root), if any. */
  gtLabelPath: string | null;
  /** Ground-truth depth (16-bit PNG, cm), relative to the dataset root, if any (synthetic data). */
  depthPath: string | null;
}

export type NewFrame = Omit<Frame, 'id' | 'gtLabelPath' | 'depthPath' | 'isKeyframe'> & {
  isKeyframe?: boolean;
  gtLabelPath?: string | null;
  depthPath?: string | null;
};

interface ClipSql {
  id: number;
  dataset_id: number;
  key: string;
  split: Split;
  frame_count: number;
  intrinsics_json: string | null;
}

interface FrameSql {
  id: number;
  clip_id: number;
  idx: number;
  image_path: string;
  split: Split;
  is_keyframe: number;
  width: number;
  height: number;
  gt_label_path: string | null;
  depth_path: string | null;
}

function clip(store: ProjectStore, r: ClipSql): Clip {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    key: r.key,
    split: r.split,
    frameCount: r.frame_count,
    intrinsics: parseJson<ClipIntrinsics>(store, r.intrinsics_json, `clips row ${r.id} intrinsics_json`),
  };
}

function frame(r: FrameSql): Frame {
  return {
    id: r.id,
    clipId: r.clip_id,
    index: r.idx,
    imagePath: r.image_path,
    split: r.split,
    isKeyframe: r.is_keyframe === 1,
    width: r.width,
    height: r.height,
    gtLabelPath: r.gt_label_path,
    depthPath: r.depth_path,
  };
}

export async function addClip(store: ProjectStore, c: NewClip): Promise<Clip> {
  const id = await insertReturningId(
    store,
    'INSERT INTO clips (dataset_id, key, split, intrinsics_json) VALUES (?, ?, ?, ?) RETURNING id',
    c.datasetId,
    c.key,
    c.split,
    c.intrinsics ? JSON.stringify(c.intrinsics) : null,
  );
  return await getClip(store, id);
}

export async function getClip(store: ProjectStore, id: number): Promise<Clip> {
  return clip(store, requireRow(store, await one<ClipSql>(store, 'SELECT * FROM clips WHERE id = ?', id), `clip with id ${id}`));
}

export async function findClip(store: ProjectStore, datasetId: number, key: string): Promise<Clip | undefined> {
  const r = await one<ClipSql>(store, 'SELECT * FROM clips WHERE dataset_id = ? AND key = ?', datasetId, key);
  return r && clip(store, r);
}

export async function listClips(store: ProjectStore, datasetId: number, split?: Split): Promise<Clip[]> {
  const rows = split
    ? await all<ClipSql>(store, 'SELECT * FROM clips WHERE dataset_id = ? AND split = ? ORDER BY id', datasetId, split)
    : await all<ClipSql>(store, 'SELECT * FROM clips WHERE dataset_id = ? ORDER BY id', datasetId);
  return rows.map((r) => clip(store, r));
}

export async function setClipIntrinsics(store: ProjectStore, clipId: number, intrinsics: ClipIntrinsics | null): Promise<void> {
  const res = await run(store, 'UPDATE clips SET intrinsics_json = ? WHERE id = ?', intrinsics ? JSON.stringify(intrinsics) : null, clipId);
  if (res.changes === 0) requireRow(store, undefined, `clip with id ${clipId}`);
}

/** Inserts frames in one transaction (all or none) and updates their clips' frame counts. Returns the new ids in order. */
export async function insertFrames(store: ProjectStore, frames: readonly NewFrame[]): Promise<number[]> {
  return transaction(store, async () => {
    const ids: number[] = [];
    const clips = new Set<number>();
    for (const f of frames) {
      const id = await insertReturningId(
        store,
        `INSERT INTO frames (clip_id, idx, image_path, split, is_keyframe, width, height, gt_label_path, depth_path)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        f.clipId,
        f.index,
        f.imagePath,
        f.split,
        f.isKeyframe ? 1 : 0,
        f.width,
        f.height,
        f.gtLabelPath ?? null,
        f.depthPath ?? null,
      );
      ids.push(id);
      clips.add(f.clipId);
    }
    for (const c of clips) {
      await run(store, 'UPDATE clips SET frame_count = (SELECT count(*) FROM frames WHERE clip_id = ?) WHERE id = ?', c, c);
    }
    return ids;
  });
}

export async function getFrame(store: ProjectStore, id: number): Promise<Frame> {
  return frame(requireRow(store, await one<FrameSql>(store, 'SELECT * FROM frames WHERE id = ?', id), `frame with id ${id}`));
}

/** A clip's frames in playback order. */
export async function clipFrames(store: ProjectStore, clipId: number): Promise<Frame[]> {
  return (await all<FrameSql>(store, 'SELECT * FROM frames WHERE clip_id = ? ORDER BY idx', clipId)).map(frame);
}

/**
 * The frames at the given offsets from `frameId` in the same clip (e.g. [-1, 1] for SDE's
 * source frames), in the order asked; undefined where the clip has no frame there.
 */
export async function neighbourFrames(store: ProjectStore, frameId: number, offsets: readonly number[]): Promise<Array<Frame | undefined>> {
  const f = await getFrame(store, frameId);
  const found: Array<Frame | undefined> = [];
  for (const o of offsets) {
    const r = await one<FrameSql>(store, 'SELECT * FROM frames WHERE clip_id = ? AND idx = ?', f.clipId, f.index + o);
    found.push(r && frame(r));
  }
  return found;
}

export interface FrameFilter {
  datasetId?: number;
  split?: Split;
  /** Only the labelled frame of each clip. */
  keyframesOnly?: boolean;
  /** Only frames whose dataset brings a ground-truth label. */
  withGroundTruth?: boolean;
}

function whereClause(filter: FrameFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.datasetId !== undefined) {
    parts.push('c.dataset_id = ?');
    params.push(filter.datasetId);
  }
  if (filter.split !== undefined) {
    parts.push('f.split = ?');
    params.push(filter.split);
  }
  if (filter.keyframesOnly) parts.push('f.is_keyframe = 1');
  if (filter.withGroundTruth) parts.push('f.gt_label_path IS NOT NULL');
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Frames matching the filter, ordered by clip and index. */
export async function listFrames(store: ProjectStore, filter: FrameFilter = {}): Promise<Frame[]> {
  const w = whereClause(filter);
  return (await all<FrameSql>(store, `SELECT f.* FROM frames f JOIN clips c ON c.id = f.clip_id ${w.sql} ORDER BY f.clip_id, f.idx`, ...w.params)).map(frame);
}

export async function countFrames(store: ProjectStore, filter: FrameFilter = {}): Promise<number> {
  const w = whereClause(filter);
  return (await one<{ n: number }>(store, `SELECT count(*) AS n FROM frames f JOIN clips c ON c.id = f.clip_id ${w.sql}`, ...w.params))!.n;
}
