import { describe, expect, it } from 'vitest';
import {
  addCheckpoint,
  appendMetrics,
  countFrames,
  createRun,
  getClip,
  insertFrames,
  listRuns,
  openProjectStore,
  ProjectStoreError,
  putFeatures,
  readFeatures,
  readTransaction,
  setSetting,
  getSetting,
  transaction,
} from '../../src/core/store';
import { fixedClock, seededStore, tempFolder } from './tempProject';

const tmp = tempFolder('store-tx');

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('transaction', () => {
  it('a transaction that throws half way leaves nothing behind, and the error comes through unchanged', () => {
    const { store, project } = seededStore(tmp.projectDir());
    const boom = new Error('boom');
    const err = caught(() =>
      transaction(store, () => {
        const run = createRun(store, { projectId: project.id, kind: 'seg' });
        appendMetrics(store, run.id, [{ step: 1, name: 'loss', value: 1 }]);
        addCheckpoint(store, { runId: run.id, step: 1, path: 'checkpoints/x' });
        setSetting(store, 'lastRun', run.id);
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(listRuns(store, project.id)).toEqual([]);
    for (const t of ['training_runs', 'run_metrics', 'checkpoints', 'settings']) {
      expect(store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(0);
    }
    // the connection is usable afterwards
    expect(transaction(store, () => createRun(store, { projectId: project.id, kind: 'sde' }).id)).toBe(1);
    store.close();
  });

  it('a bulk frame insert with one bad frame inserts none and keeps the clip count', () => {
    const { store, clip } = seededStore(tmp.projectDir(), 2);
    const good = (i: number) => ({ clipId: clip.id, index: i, imagePath: `f${i}.png`, split: 'train' as const, width: 8, height: 4 });
    expect(() => insertFrames(store, [good(2), good(3), { ...good(4), width: 0 }, good(5)])).toThrow(/CHECK/);
    expect(countFrames(store)).toBe(2);
    expect(getClip(store, clip.id).frameCount).toBe(2);
    expect(insertFrames(store, [good(2), good(3)])).toHaveLength(2);
    expect(getClip(store, clip.id).frameCount).toBe(4);
    store.close();
  });

  it('nests as savepoints: a caught inner failure undoes only the inner part', () => {
    const { store } = seededStore(tmp.projectDir());
    transaction(store, () => {
      setSetting(store, 'outer', 1);
      try {
        transaction(store, () => {
          setSetting(store, 'inner', 2);
          throw new Error('inner fails');
        });
      } catch {
        // carry on with the outer transaction
      }
    });
    expect(getSetting(store, 'outer')).toBe(1);
    expect(getSetting(store, 'inner')).toBeUndefined();
    store.close();
  });

  it('refuses an async callback and writes nothing', () => {
    const { store } = seededStore(tmp.projectDir());
    const err = caught(() =>
      transaction(store, async () => {
        setSetting(store, 'half', true);
      }),
    );
    expect(String(err)).toMatch(/must be synchronous/);
    expect(getSetting(store, 'half')).toBeUndefined();
    store.close();
  });
});

describe('two connections to one project', () => {
  it('a reader sees the last commit while the writer is inside its transaction, and the new rows after', () => {
    const dir = tmp.projectDir();
    const { store: writer, clip, frameIds } = seededStore(dir, 2);
    putFeatures(writer, 'm', [{ frameId: frameIds[0]!, data: new Float32Array([1, 2]) }]);
    const reader = openProjectStore(dir, { now: fixedClock(), busyTimeoutMs: 50 });
    const seenInside: number[] = [];
    transaction(writer, () => {
      insertFrames(writer, [{ clipId: clip.id, index: 2, imagePath: 'f2.png', split: 'train', width: 8, height: 4 }]);
      seenInside.push(countFrames(writer), countFrames(reader));
      // opening the (up-to-date) project meanwhile takes no write lock, so it does not wait
      const third = openProjectStore(dir, { create: false, busyTimeoutMs: 50 });
      expect(countFrames(third)).toBe(2);
      third.close();
      // reads that need a consistent snapshot do not wait for the writer either
      expect(readFeatures(reader, 'm').frameIds).toEqual([frameIds[0]]);
      // the reader cannot write while the writer holds the lock: it waits, then says so
      const busy = caught(() => setSetting(reader, 'x', 1));
      expect(busy).toBeInstanceOf(ProjectStoreError);
      expect((busy as ProjectStoreError).reason).toBe('busy');
      expect((busy as Error).message).toContain(`${dir}/project.sqlite: the project is in use by another process; try again`);
    });
    expect(seenInside).toEqual([3, 2]);
    expect(countFrames(reader)).toBe(3);
    setSetting(reader, 'x', 1); // free again
    expect(getSetting(writer, 'x')).toBe(1);
    reader.close();
    writer.close();
  });

  it('a long read keeps its snapshot while the other connection commits (WAL: readers do not block writers)', () => {
    const dir = tmp.projectDir();
    const { store: a, clip } = seededStore(dir, 1);
    const b = openProjectStore(dir, { now: fixedClock() });
    const seen = readTransaction(b, () => {
      const before = countFrames(b);
      insertFrames(a, [{ clipId: clip.id, index: 1, imagePath: 'f1.png', split: 'train', width: 8, height: 4 }]);
      return [before, countFrames(b), countFrames(a)];
    });
    expect(seen).toEqual([1, 1, 2]);
    expect(countFrames(b)).toBe(2);
    a.close();
    b.close();
  });
});

describe('errors the user can act on', () => {
  it('a full disk becomes a StoreError naming the database, and the transaction leaves nothing', () => {
    const { store, frameIds } = seededStore(tmp.projectDir());
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages + 2}`); // the database may not grow: SQLite reports SQLITE_FULL
    const err = caught(() => putFeatures(store, 'big', frameIds.map((frameId) => ({ frameId, data: new Float32Array(20_000) }))));
    expect(err).toBeInstanceOf(ProjectStoreError);
    expect((err as ProjectStoreError).reason).toBe('disk-full');
    expect((err as Error).message).toContain(`${store.dbPath}: the disk is full`);
    expect(store.db.prepare('SELECT count(*) FROM feature_cache').pluck().get()).toBe(0);
    store.close();
  });

  it('a read-only database becomes a StoreError saying so', () => {
    const { store } = seededStore(tmp.projectDir());
    store.db.pragma('query_only = 1');
    const err = caught(() => setSetting(store, 'k', 1));
    expect(err).toBeInstanceOf(ProjectStoreError);
    expect((err as ProjectStoreError).reason).toBe('read-only');
    expect((err as Error).message).toContain(store.dbPath);
    store.close();
  });
});
