import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, readLabel } from '../data/imageIo';
import { DataError } from '../errors';
import { allowedValuesText, IGNORE_ID, type LabelSet } from '../labels';
import { writeFileAtomic } from '../fsAtomic';
import { getFrame } from './frameRepo';
import { projectOfFrame } from './projectRepo';
import { getMaskRow, lockOrCreateMaskRow, type ClassHistogram, type LabelMaskRow, type MaskStatus } from './maskRepo';
import { DEFAULT_LEASE_MS, recordMaskEvent, refuseIfHeldByOther, timeAfter } from './maskWork';
import { MASKS_DIR, type ProjectStore } from './projectStore';
import { all, run, transaction } from './sql';
import { ProjectStoreError, toStoreError } from './storeErrors';

/** A label mask in memory: one trainId per pixel, row-major, 255 = ignore. */
export interface LabelMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface SaveMaskOptions {
  /** Status to record; by default `done` stays `done` and anything else becomes `in_progress`. */
  status?: MaskStatus;
  /**
   * The version the editor started from: the save is refused (reason 'conflict') when the
   * stored mask has moved on since, e.g. saved from another window.
   */
  expectedVersion?: number;
  /**
   * Team queue: the saver takes (or renews) the frame's lease for this long. Without it a
   * lease the saver already holds is renewed for the default time and none is taken. Either
   * way a save on a frame someone else holds is refused (reason 'leased').
   */
  leaseMs?: number;
}

/** Counts the pixels of each class of `labelSet`, refusing any value outside its ids and 255. */
export function classHistogram(mask: LabelMask, labelSet: LabelSet, where = 'label mask'): ClassHistogram {
  const numClasses = labelSet.classes.length;
  const counts = new Array<number>(numClasses).fill(0);
  const byValue = new Float64Array(256);
  const d = mask.data;
  for (let i = 0; i < d.length; i++) byValue[d[i]!]++;
  for (let v = 0; v < 256; v++) {
    if (byValue[v] === 0) continue;
    if (v < numClasses) counts[v] = byValue[v]!;
    else if (v !== IGNORE_ID) {
      const at = d.indexOf(v);
      throw new DataError(
        where,
        `value ${v} at pixel (x ${at % mask.width}, y ${Math.floor(at / mask.width)}) (${byValue[v]} pixels in all) is not a class of this project: its masks hold ${allowedValuesText(labelSet)}`,
      );
    }
  }
  return { counts, ignore: byValue[IGNORE_ID]! };
}

function maskFileName(frameId: number, version: number): string {
  return `${MASKS_DIR}/frame-${frameId}-v${version}.png`;
}

/**
 * Saves a frame's label mask: the PNG goes to a new file under masks/ (written atomically:
 * temp file, fsync, rename) and the row (path, class histogram, author, status, version) is
 * updated in the same database transaction, which holds the write lock while the file is
 * written, so two savers cannot interleave. If anything fails, the previous PNG and row stay
 * as they were and the new file is removed; the previous PNG is deleted only after the commit.
 */
export async function saveMask(
  store: ProjectStore,
  frameId: number,
  mask: LabelMask,
  author: string,
  opts: SaveMaskOptions = {},
): Promise<LabelMaskRow> {
  const frame = await getFrame(store, frameId);
  const where = `label mask for frame ${frameId} (${frame.imagePath})`;
  if (mask.data.length !== mask.width * mask.height) {
    throw new DataError(where, `has ${mask.data.length} values for ${mask.width}x${mask.height} pixels`);
  }
  if (mask.width !== frame.width || mask.height !== frame.height) {
    throw new DataError(where, `is ${mask.width}x${mask.height} but the image is ${frame.width}x${frame.height}`);
  }
  const histogram = classHistogram(mask, (await projectOfFrame(store, frameId)).labelSet, where);
  const png = await encodePng({ width: mask.width, height: mask.height, channels: 1, data: mask.data });

  let written: string | undefined;
  let result: { row: LabelMaskRow; previous: string | null };
  try {
    result = await transaction(store, async () => {
      const now = store.now();
      const old = await lockOrCreateMaskRow(store, frameId, now);
      refuseIfHeldByOther(store, frameId, old, author, now, 'this save was');
      const oldVersion = old?.version ?? 0;
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== oldVersion) {
        throw new ProjectStoreError(
          store.dbPath,
          'conflict',
          `the mask of frame ${frameId} was saved elsewhere meanwhile (now version ${oldVersion}, this edit started from ${opts.expectedVersion}); reload it before saving`,
        );
      }
      const version = oldVersion + 1;
      const rel = maskFileName(frameId, version);
      const abs = join(store.dir, rel);
      try {
        mkdirSync(store.masksDir, { recursive: true });
        written = abs;
        writeFileAtomic(abs, png);
      } catch (e) {
        throw toStoreError(abs, e);
      }
      const status = opts.status ?? (old?.status === 'done' ? 'done' : 'in_progress');
      const open = status === 'in_progress' || status === 'todo';
      const holds = open && (opts.leaseMs !== undefined || (old?.leaseHolder === author && !!old.leaseUntil && old.leaseUntil > now));
      // A changed mask needs a new review; a sent-back one keeps its comment until it is submitted again.
      const review = open && old?.review?.state === 'sent_back' ? old.review : null;
      await run(
        store,
        `INSERT INTO label_masks (frame_id, mask_path, histogram_json, author, status, created_at, updated_at, version,
           lease_holder, lease_until, review_state, review_comment, reviewed_by, reviewed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (frame_id) DO UPDATE SET mask_path = excluded.mask_path, histogram_json = excluded.histogram_json,
           author = excluded.author, status = excluded.status, updated_at = excluded.updated_at, version = excluded.version,
           lease_holder = excluded.lease_holder, lease_until = excluded.lease_until, review_state = excluded.review_state,
           review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at`,
        frameId,
        rel,
        JSON.stringify(histogram),
        author,
        status,
        now,
        now,
        version,
        holds ? author : null,
        holds ? timeAfter(now, opts.leaseMs ?? DEFAULT_LEASE_MS) : null,
        review?.state ?? null,
        review?.comment ?? null,
        review?.by ?? null,
        review?.at ?? null,
      );
      await recordMaskEvent(store, frameId, author, 'saved', version);
      if (status !== (old?.status ?? 'todo') && status !== 'in_progress') await recordMaskEvent(store, frameId, author, status, version);
      return { row: (await getMaskRow(store, frameId))!, previous: old?.maskPath ?? null };
    });
  } catch (e) {
    // The row was rolled back: the new file (never the old one: its name has the old version)
    // must not linger.
    if (written !== undefined) removeQuietly(written);
    throw e;
  }
  const { row, previous } = result;
  if (previous !== null && previous !== row.maskPath) removeQuietly(join(store.dir, previous));
  return row;
}

/** Removes a file no row points at; failing to is harmless (it is only an orphan). */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // left behind as an orphan; it does not affect what the project shows
  }
}

/** Reads a frame's saved mask back, with its row; undefined when none was saved. */
export async function loadMask(store: ProjectStore, frameId: number): Promise<{ row: LabelMaskRow; mask: LabelMask } | undefined> {
  const row = await getMaskRow(store, frameId);
  if (!row || row.maskPath === null) return undefined;
  const abs = join(store.dir, row.maskPath);
  if (!existsSync(abs)) throw new DataError(abs, `the label mask of frame ${frameId} is missing from the project folder`);
  const img = await readLabel(abs);
  return { row, mask: { width: img.width, height: img.height, data: img.data } };
}

/**
 * Removes files under masks/ that no row points at: leftovers of a save interrupted by a
 * crash (a new version written but never committed, or a temp file). It holds the write lock
 * while it looks, and saveMask writes its file only while holding that lock, so a save in
 * progress in another process is never mistaken for a leftover. Returns the removed names.
 */
export async function pruneOrphanMaskFiles(store: ProjectStore): Promise<string[]> {
  return transaction(store, async () => {
    if (!existsSync(store.masksDir)) return [];
    const used = new Set(
      (await all<{ mask_path: string }>(store, 'SELECT mask_path FROM label_masks WHERE mask_path IS NOT NULL')).map((r) => r.mask_path),
    );
    const removed: string[] = [];
    for (const entry of readdirSync(store.masksDir, { withFileTypes: true })) {
      if (!entry.isFile() || used.has(`${MASKS_DIR}/${entry.name}`)) continue;
      rmSync(join(store.masksDir, entry.name), { force: true });
      removed.push(entry.name);
    }
    return removed.sort();
  });
}
