import { CAMVID_LABEL_SET } from '../../src/core/labels';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabel } from '../../src/core/data/imageIo';
import { DataError } from '../../src/core/errors';
import { classHistogram, getMaskRow, loadMask, ProjectStoreError, pruneOrphanMaskFiles, removeDataset, saveMask, setMaskStatus } from '../../src/core/store';
import { rawSql, storeEngines, type StoreEngine } from './storeEngines';
import { tempFolder } from './tempProject';

const tmp = tempFolder('store-masks');
const engines = storeEngines();

/** A trigger that makes every update of label_masks fail, in the engine's own words. */
const refuseUpdates: Record<StoreEngine['name'], string> = {
  sqlite: "CREATE TRIGGER refuse BEFORE UPDATE ON label_masks BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END",
  postgres: `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test trigger'; END $$;
    CREATE TRIGGER refuse BEFORE UPDATE ON label_masks FOR EACH ROW EXECUTE FUNCTION refuse()`,
};

/** An 8x4 mask: road (0) on the bottom two rows, sky (10) on top, one ignore pixel and one car (13). */
function mask(variant = 0) {
  const data = new Uint8Array(32);
  for (let i = 0; i < 32; i++) data[i] = i < 16 ? 10 : 0;
  data[5] = 255;
  data[20] = 13;
  data[0] = variant; // lets tests tell versions apart
  return { width: 8, height: 4, data };
}

describe.each(engines)('label masks on $name', (engine) => {
  it('round-trips a mask: PNG beside the database, row with path, histogram, author, status and version', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[2]!;
    const row = await saveMask(store, id, mask(10), 'ann');
    expect(row).toMatchObject({ frameId: id, maskPath: `masks/frame-${id}-v1.png`, author: 'ann', status: 'in_progress', version: 1 });
    const counts = new Array(19).fill(0);
    counts[10] = 15;
    counts[0] = 15;
    counts[13] = 1;
    expect(row.histogram).toEqual({ counts, ignore: 1 });
    // the file on disk is an ordinary one-channel PNG with the trainIds
    const png = await readLabel(join(store.dir, row.maskPath!));
    expect(Array.from(png.data)).toEqual(Array.from(mask(10).data));
    const back = await loadMask(store, id);
    expect(back?.row).toEqual(row);
    expect(Array.from(back!.mask.data)).toEqual(Array.from(mask(10).data));
    expect([back!.mask.width, back!.mask.height]).toEqual([8, 4]);
    expect(await loadMask(store, frameIds[0]!)).toBeUndefined();
    await store.close();
  });

  it('a new save replaces the file and bumps the version; done stays done; the old file goes', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[0]!;
    const v1 = await saveMask(store, id, mask(1), 'ann', { status: 'done' });
    const v2 = await saveMask(store, id, mask(2), 'bob');
    expect(v2).toMatchObject({ version: 2, status: 'done', author: 'bob', maskPath: `masks/frame-${id}-v2.png`, createdAt: v1.createdAt });
    expect(v2.updatedAt > v1.updatedAt).toBe(true);
    expect(existsSync(join(store.dir, v1.maskPath!))).toBe(false);
    expect(readdirSync(store.masksDir)).toEqual([`frame-${id}-v2.png`]);
    expect((await loadMask(store, id))!.mask.data[0]).toBe(2);
    // a frame queued as todo becomes in_progress once painted
    await setMaskStatus(store, frameIds[1]!, 'todo');
    expect((await saveMask(store, frameIds[1]!, mask(), 'ann')).status).toBe('in_progress');
    await store.close();
  });

  it('refuses a save based on an older version (edited in another window meanwhile)', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[0]!;
    await saveMask(store, id, mask(1), 'ann', { expectedVersion: 0 });
    await saveMask(store, id, mask(2), 'bob', { expectedVersion: 1 });
    const err = await saveMask(store, id, mask(3), 'ann', { expectedVersion: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectStoreError);
    expect((err as ProjectStoreError).reason).toBe('conflict');
    expect(await getMaskRow(store, id)).toMatchObject({ version: 2, author: 'bob' });
    expect(readdirSync(store.masksDir)).toEqual([`frame-${id}-v2.png`]);
    await store.close();
  });

  it('refuses bad masks with the frame named: unknown class value, wrong size, wrong length, unknown frame', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[0]!;
    const bad = mask();
    bad.data[9] = 19;
    const err = await saveMask(store, id, bad, 'ann').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(new RegExp(`frame ${id} .*value 19 at pixel \\(x 1, y 1\\)`));
    await expect(saveMask(store, id, { width: 4, height: 8, data: new Uint8Array(32) }, 'ann')).rejects.toThrow(/is 4x8 but the image is 8x4/);
    await expect(saveMask(store, id, { width: 8, height: 4, data: new Uint8Array(31) }, 'ann')).rejects.toThrow(/31 values for 8x4/);
    await expect(saveMask(store, 999, mask(), 'ann')).rejects.toThrow(/no frame with id 999/);
    // CamVid's label set: 11 classes, so 11 is no class (nor is Cityscapes' car, 13)
    expect(() => classHistogram({ width: 2, height: 1, data: new Uint8Array([10, 11]) }, CAMVID_LABEL_SET)).toThrow(
      /value 11 at pixel \(x 1, y 0\) \(1 pixels in all\) is not a class of this project: its masks hold 0\.\.10 \(CamVid \(11 classes\)\) or 255/,
    );
    expect(classHistogram({ width: 3, height: 1, data: new Uint8Array([10, 255, 0]) }, CAMVID_LABEL_SET).counts).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(await getMaskRow(store, id)).toBeUndefined();
    expect(readdirSync(store.masksDir)).toEqual([]);
    await store.close();
  });

  it('a failing file write leaves the previous mask and row intact', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[0]!;
    const v1 = await saveMask(store, id, mask(1), 'ann');
    const before = readFileSync(join(store.dir, v1.maskPath!));
    // a folder where the next version's file must go: the rename onto it fails
    mkdirSync(join(store.masksDir, `frame-${id}-v2.png`));
    await expect(saveMask(store, id, mask(2), 'bob')).rejects.toThrow();
    expect(await getMaskRow(store, id)).toEqual(v1);
    expect(readFileSync(join(store.dir, v1.maskPath!))).toEqual(before);
    expect((await loadMask(store, id))!.mask.data[0]).toBe(1);
    await store.close();
  });

  it('a failing database update after the file was written removes the new file and keeps the old mask', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[0]!;
    const v1 = await saveMask(store, id, mask(1), 'ann');
    await rawSql.run(store, refuseUpdates[engine.name]);
    await expect(saveMask(store, id, mask(2), 'bob')).rejects.toThrow(/refused by test trigger/);
    expect(await getMaskRow(store, id)).toEqual(v1);
    expect(readdirSync(store.masksDir).filter((f) => !f.startsWith('.'))).toEqual([`frame-${id}-v1.png`]);
    expect(readdirSync(store.masksDir).filter((f) => f.startsWith('.'))).toEqual([]); // no temp files left
    expect((await loadMask(store, id))!.mask.data[0]).toBe(1);
    await store.close();
  });

  it('prunes files left by an interrupted save and keeps every saved mask', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[0]!;
    const v1 = await saveMask(store, id, mask(1), 'ann');
    // what a crash between writing the new version and committing its row leaves behind
    writeFileSync(join(store.masksDir, `frame-${id}-v2.png`), readFileSync(join(store.dir, v1.maskPath!)));
    writeFileSync(join(store.masksDir, `.frame-${id}-v2.png.123.456.tmp`), 'half');
    expect(await pruneOrphanMaskFiles(store)).toEqual([`.frame-${id}-v2.png.123.456.tmp`, `frame-${id}-v2.png`]);
    expect(readdirSync(store.masksDir)).toEqual([`frame-${id}-v1.png`]);
    // the next save takes version 2 as usual
    expect((await saveMask(store, id, mask(2), 'ann')).maskPath).toBe(`masks/frame-${id}-v2.png`);
    expect(await pruneOrphanMaskFiles(store)).toEqual([]);
    await store.close();
  });

  it('removing the dataset removes its mask files too', async () => {
    const { store, dataset, frameIds } = await engine.seeded(tmp.projectDir());
    await saveMask(store, frameIds[0]!, mask(), 'ann');
    await saveMask(store, frameIds[1]!, mask(), 'ann');
    expect(readdirSync(store.masksDir)).toHaveLength(2);
    await removeDataset(store, dataset.id);
    expect(readdirSync(store.masksDir)).toEqual([]);
    await store.close();
  });

  it('names the file when a saved mask is missing or corrupt', async () => {
    const { store, frameIds } = await engine.seeded(tmp.projectDir());
    const id = frameIds[0]!;
    const row = await saveMask(store, id, mask(1), 'ann');
    const abs = join(store.dir, row.maskPath!);
    writeFileSync(abs, readFileSync(abs).subarray(0, 20));
    await expect(loadMask(store, id)).rejects.toThrow(DataError);
    await expect(loadMask(store, id)).rejects.toThrow(abs);
    rmSync(abs);
    await expect(loadMask(store, id)).rejects.toThrow(/label mask of frame .* is missing/);
    await store.close();
  });
});
