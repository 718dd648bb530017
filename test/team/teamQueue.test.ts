/**
 * The team queue on both engines (issue 20 points 3 and 5): two annotators never receive the
 * same frame, ten annotators saving at once lose nothing, a lease that ends hands the frame
 * on, and a reviewer approves or sends back. PostgreSQL runs on the file's own server, and
 * there every simulated annotator has a connection pool of its own.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { simulateAnnotator, sha256, type AnnotatorResult } from '../../bench/teamAnnotators';
import {
  changeMaskStatus,
  leaseNextFrame,
  loadMask,
  maskHistory,
  openProjectStore,
  ProjectStoreError,
  queueForLabelling,
  releaseLease,
  reviewMask,
  saveMask,
  type ProjectStore,
} from '../../src/core/store';
import { storeEngines } from '../store/storeEngines';
import { tempFolder } from '../store/tempProject';

const tmp = tempFolder('team-queue');
const RUN_TS = resolve(__dirname, '../../bin/run-ts.mjs');
const SCRIPT = resolve(__dirname, 'scripts/annotatorProcess.ts');
const engines = storeEngines();

const mask = (v: number) => ({ width: 8, height: 4, data: new Uint8Array(32).fill(v) });

async function failure(p: Promise<unknown>): Promise<ProjectStoreError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProjectStoreError);
  return e as ProjectStoreError;
}

describe.each(engines)('the team queue on $name', (engine) => {
  it('ten annotators at once: every frame handed out once, every acknowledged save there byte for byte', { timeout: 60_000 }, async () => {
    const dir = tmp.projectDir();
    const { store, project, frameIds } = await engine.seeded(dir, 40);
    await queueForLabelling(store, frameIds);
    // PostgreSQL: each annotator is a client of its own (own pool); SQLite: one process has one
    // connection, and other processes are the two-process test below.
    const stores: ProjectStore[] = engine.name === 'postgres' ? await Promise.all(Array.from({ length: 10 }, () => openProjectStore(dir))) : Array(10).fill(store);
    let results: AnnotatorResult[];
    try {
      results = await Promise.all(stores.map((s, i) => simulateAnnotator(s, project.id, `ann${i}`, { savesPerFrame: 2 })));
    } finally {
      if (engine.name === 'postgres') await Promise.all(stores.map((s) => s.close()));
    }
    const handed = results.flatMap((r) => r.leased);
    expect(handed.length).toBe(frameIds.length);
    expect(new Set(handed).size).toBe(frameIds.length);
    // more than one annotator got work: they really ran side by side
    expect(results.filter((r) => r.leased.length > 0).length).toBeGreaterThan(1);
    const saves = results.flatMap((r) => r.saves);
    expect(saves.length).toBe(2 * frameIds.length);
    for (const id of frameIds) {
      const acks = saves.filter((s) => s.frameId === id);
      expect(acks.map((a) => a.version)).toEqual([1, 2]);
      const back = (await loadMask(store, id))!;
      expect(back.row).toMatchObject({ version: 2, status: 'done', author: acks[1]!.annotator, leaseHolder: null });
      expect(sha256(back.mask.data)).toBe(acks[1]!.sha256);
      const history = await maskHistory(store, id);
      expect(history.filter((e) => e.action === 'saved').map((e) => [e.actor, e.version])).toEqual(acks.map((a) => [a.annotator, a.version]));
      expect(history.filter((e) => e.action === 'leased').map((e) => e.actor)).toEqual([acks[0]!.annotator]);
    }
    expect(await leaseNextFrame(store, project.id, 'late')).toBeUndefined();
    await store.close();
  });

  it('a frame someone holds goes to nobody else, their save is refused naming the holder; an ended lease hands it on', async () => {
    const { store, project, frameIds } = await engine.seeded(tmp.projectDir(), 3);
    await queueForLabelling(store, frameIds);
    const a = (await leaseNextFrame(store, project.id, 'ann'))!;
    expect(a).toMatchObject({ frameId: frameIds[0], leaseHolder: 'ann' });
    // ann asking again keeps the frame she holds
    expect((await leaseNextFrame(store, project.id, 'ann'))!.frameId).toBe(a.frameId);
    // bob's lease is half a second; the store's clock ticks a second per reading (fixedClock)
    const b = (await leaseNextFrame(store, project.id, 'bob', { leaseMs: 500 }))!;
    expect(b.frameId).toBe(frameIds[1]);
    const refused = await failure(saveMask(store, a.frameId, mask(1), 'bob'));
    expect(refused.reason).toBe('leased');
    expect(refused.message).toMatch(new RegExp(`frame ${a.frameId} is held by ann in the labelling queue until ${a.leaseUntil!.slice(0, 16).replace('T', ' ')} UTC; this save was refused`));
    expect((await failure(changeMaskStatus(store, a.frameId, 'skipped', 'bob'))).message).toMatch(/held by ann .*marking it skipped refused/);
    // ann's save renews her lease; marking done releases it
    const saved = await saveMask(store, a.frameId, mask(2), 'ann', { leaseMs: 60_000 });
    expect(saved.leaseHolder).toBe('ann');
    expect((await changeMaskStatus(store, a.frameId, 'done', 'ann')).leaseHolder).toBeNull();
    // a lease that ended: cid takes bob's frame, and bob's late save is refused naming cid
    expect(await releaseLease(store, b.frameId, 'ann')).toBe(false);
    const c = (await leaseNextFrame(store, project.id, 'cid'))!;
    expect(c.frameId).toBe(b.frameId);
    expect((await failure(saveMask(store, b.frameId, mask(3), 'bob'))).message).toMatch(/held by cid/);
    expect(await releaseLease(store, c.frameId, 'cid')).toBe(true);
    expect((await maskHistory(store, b.frameId)).map((e) => `${e.actor} ${e.action}`)).toEqual(['bob leased', 'cid leased', 'cid released']);
    await store.close();
  });

  it('a reviewer approves or sends back with a comment; sent back, it returns to its author only', async () => {
    const { store, project, frameIds } = await engine.seeded(tmp.projectDir(), 3);
    await queueForLabelling(store, frameIds);
    const id = (await leaseNextFrame(store, project.id, 'ann'))!.frameId;
    expect((await failure(reviewMask(store, id, 'rita', 'approved', null))).message).toMatch(/no submitted mask to review \(it is not painted\)/);
    await saveMask(store, id, mask(1), 'ann', { status: 'done' });
    expect((await failure(reviewMask(store, id, 'rita', 'sent_back', '   '))).message).toMatch(/needs a comment/);
    const back = await reviewMask(store, id, 'rita', 'sent_back', 'the car at the left is road');
    expect(back).toMatchObject({ status: 'in_progress', review: { state: 'sent_back', comment: 'the car at the left is road', by: 'rita' } });
    // bob gets the other frames, never ann's sent-back one; ann gets it first
    const bobs = [(await leaseNextFrame(store, project.id, 'bob'))!.frameId, (await leaseNextFrame(store, project.id, 'bo2'))!.frameId];
    expect(bobs).not.toContain(id);
    expect(await leaseNextFrame(store, project.id, 'bo3')).toBeUndefined();
    expect((await leaseNextFrame(store, project.id, 'ann'))!.frameId).toBe(id);
    // her fix keeps the comment visible until she submits again, which clears the verdict
    expect((await saveMask(store, id, mask(2), 'ann')).review?.comment).toBe('the car at the left is road');
    expect((await changeMaskStatus(store, id, 'done', 'ann')).review).toBeNull();
    const ok = await reviewMask(store, id, 'rita', 'approved', null);
    expect(ok).toMatchObject({ status: 'done', review: { state: 'approved', by: 'rita', comment: null } });
    // marking it done again changes nothing; a later change of the mask needs a new review
    expect((await changeMaskStatus(store, id, 'done', 'ann')).review?.state).toBe('approved');
    expect((await saveMask(store, id, mask(3), 'ann')).review).toBeNull();
    expect((await maskHistory(store, id)).map((e) => `${e.actor} ${e.action} v${e.version}${e.comment ? ` "${e.comment}"` : ''}`)).toEqual([
      'ann leased v0',
      'ann saved v1',
      'ann done v1',
      'rita sent_back v1 "the car at the left is road"',
      'ann leased v1',
      'ann saved v2',
      'ann done v2',
      'rita approved v2',
      'ann saved v3',
    ]);
    await store.close();
  });
});

describe('the team queue on SQLite, two processes', () => {
  it('two annotator processes never receive the same frame and lose no save', { timeout: 60_000 }, async () => {
    const dir = tmp.projectDir();
    const { store, frameIds } = await storeEngines()[0]!.seeded(dir, 40);
    await queueForLabelling(store, frameIds);
    const procs = ['ann', 'bob'].map((name) => {
      const child = spawn(process.execPath, [RUN_TS, SCRIPT, dir, name], { stdio: ['pipe', 'pipe', 'inherit'] });
      return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
    });
    try {
      for (const p of procs) expect((await p.lines.next()).value).toBe('ready');
      for (const p of procs) p.child.stdin!.write('go\n');
      const results = (await Promise.all(procs.map(async (p) => JSON.parse((await p.lines.next()).value as string)))) as AnnotatorResult[];
      const handed = results.flatMap((r) => r.leased);
      expect(handed.length).toBe(frameIds.length);
      expect(new Set(handed).size).toBe(frameIds.length);
      // both really worked the queue side by side
      expect(results.map((r) => r.leased.length > 0)).toEqual([true, true]);
      for (const { saves } of results) {
        for (const last of saves.filter((s) => s.version === 2)) {
          const back = (await loadMask(store, last.frameId))!;
          expect([back.row.author, sha256(back.mask.data)]).toEqual([last.annotator, last.sha256]);
        }
      }
      expect(results.flatMap((r) => r.saves).length).toBe(2 * frameIds.length);
    } finally {
      for (const p of procs) p.child.kill();
      await store.close();
    }
  });
});
