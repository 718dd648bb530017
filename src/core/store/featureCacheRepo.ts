import type { ProjectStore } from './projectStore';
import { all, run, transaction } from './sql';

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
export function putFeatures(store: ProjectStore, modelKey: string, entries: ReadonlyArray<{ frameId: number; data: Float32Array }>): void {
  transaction(store, () => {
    const now = store.now();
    for (const e of entries) {
      run(
        store,
        'INSERT OR REPLACE INTO feature_cache (model_key, frame_id, dims, data, created_at) VALUES (?, ?, ?, ?, ?)',
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
 * `frameIds` when given (missing ones are left out; compare frameIds to see which).
 */
export function readFeatures(store: ProjectStore, modelKey: string, frameIds?: readonly number[]): CachedFeatures {
  const rows = frameIds
    ? frameIds
        .map((id) => all<{ frame_id: number; dims: number; data: Buffer }>(store, 'SELECT frame_id, dims, data FROM feature_cache WHERE model_key = ? AND frame_id = ?', modelKey, id)[0])
        .filter((r): r is { frame_id: number; dims: number; data: Buffer } => r !== undefined)
        .sort((a, b) => a.frame_id - b.frame_id)
    : all<{ frame_id: number; dims: number; data: Buffer }>(store, 'SELECT frame_id, dims, data FROM feature_cache WHERE model_key = ? ORDER BY frame_id', modelKey);
  const dims = rows[0]?.dims ?? 0;
  const data = new Float32Array(rows.length * dims);
  rows.forEach((r, i) => {
    if (r.dims !== dims) throw new Error(`${store.dbPath}: cached features of '${modelKey}' have mixed sizes (${dims} and ${r.dims})`);
    data.set(new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength)), i * dims);
  });
  return { frameIds: rows.map((r) => r.frame_id), dims, data };
}

/** The model keys that have cached features, with how many frames each covers. */
export function featureModels(store: ProjectStore): Array<{ modelKey: string; frames: number }> {
  return all<{ model_key: string; n: number }>(store, 'SELECT model_key, count(*) AS n FROM feature_cache GROUP BY model_key ORDER BY model_key').map((r) => ({
    modelKey: r.model_key,
    frames: r.n,
  }));
}

/** Drops the cached features of `modelKey`, or of every model except `keep` (after the model changed). */
export function dropFeatures(store: ProjectStore, which: { modelKey: string } | { keep: string }): number {
  const res = 'modelKey' in which
    ? run(store, 'DELETE FROM feature_cache WHERE model_key = ?', which.modelKey)
    : run(store, 'DELETE FROM feature_cache WHERE model_key <> ?', which.keep);
  return res.changes;
}
