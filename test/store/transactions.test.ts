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
import { constraint, rawSql, storeEngines } from './storeEngines';
import { fixedClock, seededStore, sqliteOf, tempFolder } from './tempProject';

const tmp = tempFolder('store-tx');
const engines = storeEngines();

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe.each(engines)('on $name', (engine) => {
  describe('transaction', () => {
    it('a transaction that throws half way leaves nothing behind, and the error comes through unchanged', async () => {
      const { store, project } = await engine.seeded(tmp.projectDir());
      const boom = new Error('boom');
      const err = await caught(async () =>
        await transaction(store, async () => {
          const run = await createRun(store, { projectId: project.id, kind: 'seg' });
          await appendMetrics(store, run.id, [{ step: 1, name: 'loss', value: 1 }]);
          await addCheckpoint(store, { runId: run.id, step: 1, path: 'checkpoints/x' });
          await setSetting(store, 'lastRun', run.id);
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect(await listRuns(store, project.id)).toEqual([]);
      for (const t of ['training_runs', 'run_metrics', 'checkpoints', 'settings']) {
        expect(await rawSql.count(store, t)).toBe(0);
      }
      // the connection is usable afterwards
      const id = await transaction(store, async () => (await createRun(store, { projectId: project.id, kind: 'sde' })).id);
      expect((await listRuns(store, project.id)).map((r) => [r.id, r.kind])).toEqual([[id, 'sde']]);
      await store.close();
    });

    it('a bulk frame insert with one bad frame inserts none and keeps the clip count', async () => {
      const { store, clip } = await engine.seeded(tmp.projectDir(), 2);
      const good = (i: number) => ({ clipId: clip.id, index: i, imagePath: `f${i}.png`, split: 'train' as const, width: 8, height: 4 });
      await expect(insertFrames(store, [good(2), good(3), { ...good(4), width: 0 }, good(5)])).rejects.toThrow(constraint.check);
      expect(await countFrames(store)).toBe(2);
      expect((await getClip(store, clip.id)).frameCount).toBe(2);
      expect(await insertFrames(store, [good(2), good(3)])).toHaveLength(2);
      expect((await getClip(store, clip.id)).frameCount).toBe(4);
      await store.close();
    });

    it('nests as savepoints: a caught inner failure undoes only the inner part', async () => {
      const { store } = await engine.seeded(tmp.projectDir());
      await transaction(store, async () => {
        await setSetting(store, 'outer', 1);
        try {
          await transaction(store, async () => {
            await setSetting(store, 'inner', 2);
            throw new Error('inner fails');
          });
        } catch {
          // carry on with the outer transaction
        }
      });
      expect(await getSetting(store, 'outer')).toBe(1);
      expect(await getSetting(store, 'inner')).toBeUndefined();
      await store.close();
    });

    it('work elsewhere in the process neither joins an open transaction nor sees its writes before they commit', async () => {
      const { store } = await engine.seeded(tmp.projectDir());
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tx = transaction(store, async () => {
        await setSetting(store, 'draft', 1);
        await gate;
        throw new Error('rolled back');
      });
      // Started outside the transaction's callback, so outside it: a read, and a write of its own.
      const seen = getSetting(store, 'draft');
      const other = setSetting(store, 'other', 2);
      setTimeout(release, 50);
      await expect(tx).rejects.toThrow('rolled back');
      expect(await seen).toBeUndefined();
      await other;
      expect(await getSetting(store, 'draft')).toBeUndefined();
      expect(await getSetting(store, 'other')).toBe(2);
      await store.close();
    });
  });

  describe('two connections to one project', () => {
    it('a reader sees the last commit while the writer is inside its transaction, and the new rows after', async () => {
      const dir = tmp.projectDir();
      const { store: writer, clip, frameIds } = await engine.seeded(dir, 2);
      await putFeatures(writer, 'm', [{ frameId: frameIds[0]!, data: new Float32Array([1, 2]) }]);
      const reader = await openProjectStore(dir, { now: fixedClock(), busyTimeoutMs: 50 });
      const third = await openProjectStore(dir, { create: false, busyTimeoutMs: 50 });
      const seenInside: number[] = [];
      await transaction(writer, async () => {
        await insertFrames(writer, [{ clipId: clip.id, index: 2, imagePath: 'f2.png', split: 'train', width: 8, height: 4 }]);
        seenInside.push(await countFrames(writer), await countFrames(reader));
        // opening the (up-to-date) project meanwhile takes no write lock, so it does not wait
        const fourth = await openProjectStore(dir, { create: false, busyTimeoutMs: 50 });
        expect(await countFrames(fourth)).toBe(2);
        await fourth.close();
        // reads that need a consistent snapshot do not wait for the writer either
        expect((await readFeatures(reader, 'm')).frameIds).toEqual([frameIds[0]]);
        // the reader cannot write while the writer holds the lock: it waits, then says so
        const busy = await caught(async () => await setSetting(reader, 'x', 1));
        expect(busy).toBeInstanceOf(ProjectStoreError);
        expect((busy as ProjectStoreError).reason).toBe('busy');
        expect((busy as Error).message).toContain(`${engine.name === 'sqlite' ? `${dir}/project.sqlite` : reader.dbPath}: the project is in use by another process; try again`);
      });
      expect(seenInside).toEqual([3, 2]);
      expect(await countFrames(third)).toBe(3);
      await third.close();
      expect(await countFrames(reader)).toBe(3);
      await setSetting(reader, 'x', 1); // free again
      expect(await getSetting(writer, 'x')).toBe(1);
      await reader.close();
      await writer.close();
    });

    it('a long read keeps its snapshot while the other connection commits (WAL: readers do not block writers)', async () => {
      const dir = tmp.projectDir();
      const { store: a, clip } = await engine.seeded(dir, 1);
      const b = await openProjectStore(dir, { now: fixedClock() });
      const seen = await readTransaction(b, async () => {
        const before = await countFrames(b);
        await insertFrames(a, [{ clipId: clip.id, index: 1, imagePath: 'f1.png', split: 'train', width: 8, height: 4 }]);
        return [before, await countFrames(b), await countFrames(a)];
      });
      expect(seen).toEqual([1, 1, 2]);
      expect(await countFrames(b)).toBe(2);
      await a.close();
      await b.close();
    });
  });

});

describe('errors the user can act on (SQLite)', () => {
  it('a full disk becomes a StoreError naming the database, and the transaction leaves nothing', async () => {
    const { store, frameIds } = await seededStore(tmp.projectDir());
    const pages = sqliteOf(store).pragma('page_count', { simple: true }) as number;
    sqliteOf(store).pragma(`max_page_count = ${pages + 2}`); // the database may not grow: SQLite reports SQLITE_FULL
    const err = await caught(async () => await putFeatures(store, 'big', frameIds.map((frameId) => ({ frameId, data: new Float32Array(20_000) }))));
    expect(err).toBeInstanceOf(ProjectStoreError);
    expect((err as ProjectStoreError).reason).toBe('disk-full');
    expect((err as Error).message).toContain(`${store.dbPath}: the disk is full`);
    expect(await rawSql.count(store, 'feature_cache')).toBe(0);
    await store.close();
  });

  it('a read-only database becomes a StoreError saying so', async () => {
    const { store } = await seededStore(tmp.projectDir());
    sqliteOf(store).pragma('query_only = 1');
    const err = await caught(async () => await setSetting(store, 'k', 1));
    expect(err).toBeInstanceOf(ProjectStoreError);
    expect((err as ProjectStoreError).reason).toBe('read-only');
    expect((err as Error).message).toContain(store.dbPath);
    await store.close();
  });
});
