/**
 * The labelling queue for many hands (issue 20 point 3): leases, reviews and each mask's
 * history.
 *
 * - A lease: `leaseNextFrame` hands a caller the next queued frame nobody else holds and
 *   records them as its holder until `now + leaseMs`. On PostgreSQL it runs in a row-locking
 *   transaction (`SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1`), so concurrent callers each lock
 *   a different row and never wait for each other; on SQLite the same statements run under
 *   the single write lock. A save by the holder renews the lease; marking the frame done,
 *   skipped or todo releases it; an expired lease is free for anyone.
 * - A save or status change by anyone but an unexpired lease's holder is refused (reason
 *   'leased'), naming the holder and when the lease ends.
 * - A review: a reviewer approves a submitted (`done`) mask or sends it back with a comment;
 *   sent back, it returns to `in_progress` and is offered by the queue to its author only.
 *   Any later change of the mask clears an approval (it must be reviewed again).
 * - History: every lease, save, status change and verdict is a row of `mask_events`.
 */
import { lockRows } from './dialect';
import { getMaskRow, lockMaskRow, lockOrCreateMaskRow, writeMaskStatus, type LabelMaskRow, type MaskStatus, type ReviewVerdict } from './maskRepo';
import type { ProjectStore } from './projectStore';
import { all, one, requireRow, rowLockTransaction, run, transaction } from './sql';
import { ProjectStoreError } from './storeErrors';

/** How long a lease lasts without a save: 15 minutes. */
export const DEFAULT_LEASE_MS = 15 * 60_000;

export type MaskEventAction = 'leased' | 'released' | 'saved' | MaskStatus | ReviewVerdict;

/** One thing someone did to a frame's mask. */
export interface MaskEvent {
  id: number;
  frameId: number;
  at: string;
  actor: string;
  action: MaskEventAction;
  /** The mask's version at the time (0: none saved). */
  version: number;
  comment: string | null;
}

/** `store.now()` plus `ms`, as ISO text (comparable as text with other stamps). */
export function timeAfter(now: string, ms: number): string {
  return new Date(Date.parse(now) + ms).toISOString();
}

/** Someone other than `actor` holds the row's frame and the lease has not ended at `now`. */
export function heldByOther(row: Pick<LabelMaskRow, 'leaseHolder' | 'leaseUntil'> | undefined, actor: string, now: string): boolean {
  return !!row && row.leaseHolder !== null && row.leaseHolder !== actor && row.leaseUntil !== null && row.leaseUntil > now;
}

/** Refuses `what` (a save, a status change) on a frame another annotator holds, naming them and the lease's end. */
export function refuseIfHeldByOther(store: ProjectStore, frameId: number, row: LabelMaskRow | undefined, actor: string, now: string, what: string): void {
  if (!heldByOther(row, actor, now)) return;
  const until = row!.leaseUntil!.slice(0, 16).replace('T', ' ');
  throw new ProjectStoreError(
    store.dbPath,
    'leased',
    `frame ${frameId} is held by ${row!.leaseHolder} in the labelling queue until ${until} UTC; ${what} refused. Take the next frame from the queue, or wait until that lease ends`,
  );
}

export async function recordMaskEvent(
  store: ProjectStore,
  frameId: number,
  actor: string,
  action: MaskEventAction,
  version: number,
  comment: string | null = null,
): Promise<void> {
  await run(store, 'INSERT INTO mask_events (frame_id, at, actor, action, version, comment) VALUES (?, ?, ?, ?, ?, ?)', frameId, store.now(), actor, action, version, comment);
}

/** A frame's history, oldest first. */
export async function maskHistory(store: ProjectStore, frameId: number): Promise<MaskEvent[]> {
  const rows = await all<{ id: number; frame_id: number; at: string; actor: string; action: MaskEventAction; version: number; comment: string | null }>(
    store,
    'SELECT * FROM mask_events WHERE frame_id = ? ORDER BY id',
    frameId,
  );
  return rows.map((r) => ({ id: r.id, frameId: r.frame_id, at: r.at, actor: r.actor, action: r.action, version: r.version, comment: r.comment }));
}

export interface LeaseOptions {
  /** How long the lease lasts (default 15 minutes). */
  leaseMs?: number;
  /**
   * The queue's frames that may have no row yet (keyframes before any selection round): they
   * get a `todo` row first, so the queue can lease them.
   */
  queue?: readonly number[];
}

const QUEUE_CHUNK = 500;

/** The frame's first selection pick: earlier rounds first, then by rank; frames no round picked come last, by id. */
const QUEUE_ORDER = `
  coalesce((SELECT min(p.round_id) FROM selection_picks p WHERE p.frame_id = m.frame_id), 2147483647),
  coalesce((SELECT p.rank FROM selection_picks p WHERE p.frame_id = m.frame_id ORDER BY p.round_id LIMIT 1), 2147483647),
  m.frame_id`;

/**
 * Leases `holder` the next frame of the project's queue (status todo or in_progress) that nobody
 * else holds: first one they already hold, then one sent back to them, then the queue's order.
 * A frame sent back to another annotator is theirs and is skipped. Undefined when none is left.
 */
export async function leaseNextFrame(store: ProjectStore, projectId: number, holder: string, opts: LeaseOptions = {}): Promise<LabelMaskRow | undefined> {
  return rowLockTransaction(store, async () => {
    const now = store.now();
    const queue = opts.queue ?? [];
    for (let i = 0; i < queue.length; i += QUEUE_CHUNK) {
      const ids = queue.slice(i, i + QUEUE_CHUNK);
      await run(
        store,
        `INSERT INTO label_masks (frame_id, status, created_at, updated_at)
         SELECT f.id, 'todo', ?, ? FROM frames f WHERE f.id IN (${ids.map(() => '?').join(', ')})
           AND NOT EXISTS (SELECT 1 FROM label_masks x WHERE x.frame_id = f.id)
         ON CONFLICT (frame_id) DO NOTHING`,
        now,
        now,
        ...ids,
      );
    }
    const next = await one<{ id: number; frame_id: number; lease_holder: string | null; lease_until: string | null }>(
      store,
      `SELECT m.id, m.frame_id, m.lease_holder, m.lease_until FROM label_masks m
         JOIN frames f ON f.id = m.frame_id JOIN clips c ON c.id = f.clip_id JOIN datasets d ON d.id = c.dataset_id
       WHERE d.project_id = ? AND m.status IN ('todo', 'in_progress')
         AND (m.lease_holder IS NULL OR m.lease_holder = ? OR m.lease_until <= ?)
         AND (m.review_state IS NULL OR m.review_state <> 'sent_back' OR m.author = ?)
       ORDER BY CASE WHEN m.lease_holder = ? AND m.lease_until > ? THEN 0 WHEN m.review_state = 'sent_back' THEN 1 ELSE 2 END, ${QUEUE_ORDER}
       LIMIT 1${lockRows(store.engine, 'm', true)}`,
      projectId,
      holder,
      now,
      holder,
      holder,
      now,
    );
    if (!next) return undefined;
    const renewing = next.lease_holder === holder && next.lease_until !== null && next.lease_until > now;
    await run(store, 'UPDATE label_masks SET lease_holder = ?, lease_until = ? WHERE id = ?', holder, timeAfter(now, opts.leaseMs ?? DEFAULT_LEASE_MS), next.id);
    const row = (await getMaskRow(store, next.frame_id))!;
    if (!renewing) await recordMaskEvent(store, row.frameId, holder, 'leased', row.version);
    return row;
  });
}

/** Gives up `holder`'s lease on a frame (no status change); false when they did not hold it. */
export async function releaseLease(store: ProjectStore, frameId: number, holder: string): Promise<boolean> {
  return rowLockTransaction(store, async () => {
    const row = await lockMaskRow(store, frameId);
    if (!row || row.leaseHolder !== holder) return false;
    await run(store, 'UPDATE label_masks SET lease_holder = NULL, lease_until = NULL WHERE id = ?', row.id);
    await recordMaskEvent(store, frameId, holder, 'released', row.version);
    return true;
  });
}

/**
 * Sets a frame's status as `actor` (refused while another annotator holds it), recording it
 * in the history. done, skipped and todo release the lease; done submits the mask for review
 * (clearing an earlier verdict); in_progress keeps a sent-back verdict and its comment visible.
 */
export async function changeMaskStatus(store: ProjectStore, frameId: number, status: MaskStatus, actor: string): Promise<LabelMaskRow> {
  return transaction(store, async () => {
    requireRow(store, await one(store, 'SELECT id FROM frames WHERE id = ?', frameId), `frame with id ${frameId}`);
    const now = store.now();
    const old = await lockOrCreateMaskRow(store, frameId, now);
    refuseIfHeldByOther(store, frameId, old, actor, now, `marking it ${status.replace('_', ' ')}`);
    const keepLease = status === 'in_progress' && old.leaseHolder === actor;
    // Marking a frame what it already is changes nothing (an approved mask stays approved).
    const keepReview = old.status === status || (status === 'in_progress' && old.review?.state === 'sent_back');
    await writeMaskStatus(store, frameId, status, now);
    if (!keepLease) await run(store, 'UPDATE label_masks SET lease_holder = NULL, lease_until = NULL WHERE frame_id = ?', frameId);
    if (!keepReview) await run(store, 'UPDATE label_masks SET review_state = NULL, review_comment = NULL, reviewed_by = NULL, reviewed_at = NULL WHERE frame_id = ?', frameId);
    if (old.status !== status) await recordMaskEvent(store, frameId, actor, status, old.version);
    return (await getMaskRow(store, frameId))!;
  });
}

/**
 * A reviewer's verdict on a submitted mask (status done, with a saved mask). Approved: it stays
 * done and, where the project trains only approved masks, trains. Sent back: a non-empty
 * comment is required; it returns to in_progress, reserved for its author, with the comment.
 */
export async function reviewMask(store: ProjectStore, frameId: number, reviewer: string, verdict: ReviewVerdict, comment: string | null): Promise<LabelMaskRow> {
  const text = comment?.trim() || null;
  if (verdict === 'sent_back' && text === null) {
    throw new ProjectStoreError(store.dbPath, 'conflict', `sending frame ${frameId} back needs a comment that says what to fix`);
  }
  return transaction(store, async () => {
    const old = await lockMaskRow(store, frameId);
    if (!old || old.status !== 'done' || old.maskPath === null) {
      throw new ProjectStoreError(
        store.dbPath,
        'conflict',
        `frame ${frameId} has no submitted mask to review (it is ${old?.maskPath ? old.status.replace('_', ' ') : 'not painted'}); masks are reviewed once marked done`,
      );
    }
    const now = store.now();
    await run(
      store,
      'UPDATE label_masks SET status = ?, review_state = ?, review_comment = ?, reviewed_by = ?, reviewed_at = ?, lease_holder = NULL, lease_until = NULL, updated_at = ? WHERE id = ?',
      verdict === 'approved' ? 'done' : 'in_progress',
      verdict,
      text,
      reviewer,
      now,
      now,
      old.id,
    );
    await recordMaskEvent(store, frameId, reviewer, verdict, old.version, text);
    return (await getMaskRow(store, frameId))!;
  });
}
