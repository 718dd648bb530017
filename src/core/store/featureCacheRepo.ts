import type { ProjectStore } from './projectStore';
import { StoreError } from '../errors';
import { all, each, one, readTransaction, run, transaction } from './sql';

/** Cached per-frame features of one model (e.g. pooled SDE decoder features for selection). */
export interface CachedFeatures {
  /** Frame ids, one per row of `data`, ascending. */
  frameIds: number[];
  dims: number;
  /** Row-major, frameIds.length x dims. */
  data: Float32Array;
}

function toBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Stores feature vectors for frames under `modelKey` in one transaction (replacing any there). */
export async function putFeatures(store: ProjectStore, modelKey: string, entries: ReadonlyArray<{ frameId: number; data: Float32Array }>): Promise<void> {
  await transaction(store, async () => {
    const now = store.now();
    for (const e of entries) {
      await run(
        store,
        `INSERT INTO feature_cache (model_key, frame_id, dims, data, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (model_key, frame_id) DO UPDATE SET dims = excluded.dims, data = excluded.data, created_at = excluded.created_at`,
        modelKey,
        e.frameId,
        e.data.length,
        toBlob(e.data),
        now,
      );
    }
  });
}

/**
 * All cached features of `modelKey` as one matrix (frames ascending), or only those of
 * `frameIds` when given (missing ones are left out; compare frameIds to see which). Rows are
 * streamed into one preallocated matrix, so 100,000 frames never sit in memory twice.
 */
export async function readFeatures(store: ProjectStore, modelKey: string, frameIds?: readonly number[]): Promise<CachedFeatures> {
  return readTransaction(store, async () => {
    const wanted = frameIds ? [...new Set(frameIds)].sort((a, b) => a - b) : undefined;
    const head = (await one<{ n: number; dims: number | null; mixed: number | boolean | null }>(
      store,
      'SELECT count(*) AS n, min(dims) AS dims, max(dims) <> min(dims) AS mixed FROM feature_cache WHERE model_key = ?',
      modelKey,
    ))!;
    if (head.mixed) throw new StoreError(`${store.dbPath}: cached features of '${modelKey}' have mixed sizes`);
    const dims = head.dims ?? 0;
    const ids: number[] = [];
    const data = new Float32Array((wanted ? Math.min(wanted.length, head.n) : head.n) * dims);
    const take = (r: { frame_id: number; data: Buffer } | undefined) => {
      if (!r) return;
      const bytes = new Uint8Array(data.buffer, ids.length * dims * 4, dims * 4);
      bytes.set(r.data.subarray(0, dims * 4));
      ids.push(r.frame_id);
    };
    if (wanted) {
      for (const id of wanted) take(await one(store, 'SELECT frame_id, data FROM feature_cache WHERE model_key = ? AND frame_id = ?', modelKey, id));
    } else {
      await each<{ frame_id: number; data: Buffer }>(store, 'SELECT frame_id, data FROM feature_cache WHERE model_key = ? ORDER BY frame_id', [modelKey], take);
    }
    return { frameIds: ids, dims, data: data.subarray(0, ids.length * dims) };
  });
}

/** The model keys that have cached features, with how many frames each covers. */
export async function featureModels(store: ProjectStore): Promise<Array<{ modelKey: string; frames: number }>> {
  return (await all<{ model_key: string; n: number }>(store, 'SELECT model_key, count(*) AS n FROM feature_cache GROUP BY model_key ORDER BY model_key')).map((r) => ({
    modelKey: r.model_key,
    frames: r.n,
  }));
}

/** Drops the cached features of `modelKey`, or of every model except `keep` (after the model changed). */
export async function dropFeatures(store: ProjectStore, which: { modelKey: string } | { keep: string }): Promise<number> {
  const res = 'modelKey' in which
    ? await run(store, 'DELETE FROM feature_cache WHERE model_key = ?', which.modelKey)
    : await run(store, 'DELETE FROM feature_cache WHERE model_key <> ?', which.keep);
  return res.changes;
}
