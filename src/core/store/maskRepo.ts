import type { ProjectStore } from './projectStore';
import { insideProjectFolder } from './projectPaths';
import { lockRows } from './dialect';
import { all, one, parseJson, requireRow, run, transaction } from './sql';

export type MaskStatus = 'todo' | 'in_progress' | 'done' | 'skipped';

/** Pixel counts of a label mask: `counts[c]` pixels of trainId c, `ignore` pixels of 255. */
export interface ClassHistogram {
  counts: number[];
  ignore: number;
}

/** A frame's place in the labelling work: its mask file (once painted) and status. */
export interface LabelMaskRow {
  id: number;
  frameId: number;
  /** PNG path relative to the project folder (`masks/...`); null until something is saved. */
  maskPath: string | null;
  histogram: ClassHistogram | null;
  author: string | null;
  status: MaskStatus;
  createdAt: string;
  updatedAt: string;
  /** Increases by one with every saved mask; 0 while none is saved. */
  version: number;
  /** Who holds the frame in the team queue (maskWork.ts), until when; null when nobody does. */
  leaseHolder: string | null;
  leaseUntil: string | null;
  /** The reviewer's verdict on the submitted mask; null while none (or since the mask changed). */
  review: MaskReview | null;
}

export type ReviewVerdict = 'approved' | 'sent_back';

export interface MaskReview {
  state: ReviewVerdict;
  /** Required when sent back; optional when approved. */
  comment: string | null;
  by: string;
  at: string;
}

interface LabelMaskSql {
  id: number;
  frame_id: number;
  mask_path: string | null;
  histogram_json: string | null;
  author: string | null;
  status: MaskStatus;
  created_at: string;
  updated_at: string;
  version: number;
  lease_holder: string | null;
  lease_until: string | null;
  review_state: ReviewVerdict | null;
  review_comment: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

function maskRow(store: ProjectStore, r: LabelMaskSql): LabelMaskRow {
  return {
    id: r.id,
    frameId: r.frame_id,
    maskPath: r.mask_path === null ? null : insideProjectFolder(store, r.mask_path, 'masks', `label_masks row ${r.id} (frame ${r.frame_id}) mask_path`),
    histogram: parseJson<ClassHistogram>(store, r.histogram_json, `label_masks row ${r.id} histogram_json`),
    author: r.author,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
    leaseHolder: r.lease_holder,
    leaseUntil: r.lease_until,
    review: r.review_state === null ? null : { state: r.review_state, comment: r.review_comment, by: r.reviewed_by ?? '', at: r.reviewed_at ?? '' },
  };
}

export async function getMaskRow(store: ProjectStore, frameId: number): Promise<LabelMaskRow | undefined> {
  const r = await one<LabelMaskSql>(store, 'SELECT * FROM label_masks WHERE frame_id = ?', frameId);
  return r && maskRow(store, r);
}

/**
 * Inside a transaction: the frame's row, locked until the transaction ends (PostgreSQL FOR
 * UPDATE), so a lease taken meanwhile by the queue (which skips locked rows) cannot slip in
 * between reading the row's lease and writing it.
 */
export async function lockMaskRow(store: ProjectStore, frameId: number): Promise<LabelMaskRow | undefined> {
  const r = await one<LabelMaskSql>(store, `SELECT * FROM label_masks m WHERE m.frame_id = ?${lockRows(store.engine, 'm')}`, frameId);
  return r && maskRow(store, r);
}

/**
 * Like lockMaskRow, creating the frame's `todo` row first where it has none (the frame must
 * exist). A row the queue is creating and leasing at this moment is waited for and then seen
 * with its lease, rather than missed.
 */
export async function lockOrCreateMaskRow(store: ProjectStore, frameId: number, now: string): Promise<LabelMaskRow> {
  const found = await lockMaskRow(store, frameId);
  if (found) return found;
  await run(store, 'INSERT INTO label_masks (frame_id, status, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (frame_id) DO NOTHING', frameId, 'todo', now, now);
  return (await lockMaskRow(store, frameId))!;
}

/** Writes a frame's status, creating its row (without a mask) when it has none; inside the caller's transaction. */
export async function writeMaskStatus(store: ProjectStore, frameId: number, status: MaskStatus, now: string): Promise<void> {
  await run(
    store,
    `INSERT INTO label_masks (frame_id, status, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (frame_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
    frameId,
    status,
    now,
    now,
  );
}

/** Sets a frame's labelling status, creating its row (without a mask) when it has none. */
export async function setMaskStatus(store: ProjectStore, frameId: number, status: MaskStatus): Promise<LabelMaskRow> {
  return transaction(store, async () => {
    requireRow(store, await one(store, 'SELECT id FROM frames WHERE id = ?', frameId), `frame with id ${frameId}`);
    await writeMaskStatus(store, frameId, status, store.now());
    return (await getMaskRow(store, frameId))!;
  });
}

/** Queues frames for labelling: adds a `todo` row for each frame that has none; others keep theirs. */
export async function queueForLabelling(store: ProjectStore, frameIds: readonly number[]): Promise<void> {
  await transaction(store, async () => {
    const now = store.now();
    for (const id of frameIds) {
      await run(store, 'INSERT INTO label_masks (frame_id, status, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (frame_id) DO NOTHING', id, 'todo', now, now);
    }
  });
}

export interface MaskFilter {
  projectId?: number;
  status?: MaskStatus;
}

function maskWhere(filter: MaskFilter): { joins: string; sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  let joins = '';
  if (filter.projectId !== undefined) {
    joins = 'JOIN frames f ON f.id = m.frame_id JOIN clips c ON c.id = f.clip_id JOIN datasets d ON d.id = c.dataset_id';
    parts.push('d.project_id = ?');
    params.push(filter.projectId);
  }
  if (filter.status !== undefined) {
    parts.push('m.status = ?');
    params.push(filter.status);
  }
  return { joins, sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export async function listMasks(store: ProjectStore, filter: MaskFilter = {}): Promise<LabelMaskRow[]> {
  const w = maskWhere(filter);
  return (await all<LabelMaskSql>(store, `SELECT m.* FROM label_masks m ${w.joins} ${w.sql} ORDER BY m.frame_id`, ...w.params)).map((r) => maskRow(store, r));
}

/** How many frames are in each labelling status. */
export async function countMasksByStatus(store: ProjectStore, filter: Omit<MaskFilter, 'status'> = {}): Promise<Record<MaskStatus, number>> {
  const w = maskWhere(filter);
  const out: Record<MaskStatus, number> = { todo: 0, in_progress: 0, done: 0, skipped: 0 };
  for (const r of await all<{ status: MaskStatus; n: number }>(store, `SELECT m.status, count(*) AS n FROM label_masks m ${w.joins} ${w.sql} GROUP BY m.status`, ...w.params)) {
    out[r.status] = r.n;
  }
  return out;
}
