import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCall } from '../../src/core/api/contract';
import { createService, dispatch } from '../../src/core/api/service';
import { openProject } from '../../src/core/project/openProject';
import { getMaskRow } from '../../src/core/store';
import { confinedFile } from '../../src/core/api/confinedFile';
import { freshDirs, writeCityscapesFixture } from '../data/fixtures';

const dirs = freshDirs();

describe('API service over a real project made from a Cityscapes-layout dataset', () => {
  const config = join(dirs('api-config'), 'recent.json');
  const service = createService('host', { version: '1.0.0', recentFile: config, author: 'tester' });
  let projectDir = '';
  let pid = 0;

  beforeAll(async () => {
    const data = dirs('api-data');
    await writeCityscapesFixture(data);
    projectDir = join(dirs('api-project'), 'proj');
    const info = await service.projectCreate({ dir: projectDir, dataset: data, format: 'cityscapes', name: 'Test project' });
    expect(info).toMatchObject({ dir: projectDir, name: 'Test project', labelSet: { kind: 'cityscapes', title: 'Cityscapes (19 classes)' } });
    expect(info.labelSet.classes[13]).toEqual({ id: 13, name: 'car', color: [0, 0, 142] });
    pid = info.projectId;
  });

  it('remembers the created project as recent, in the injected file', async () => {
    const recent = await service.projectRecent({});
    expect(recent.map((r) => [r.dir, r.name, r.exists])).toEqual([[projectDir, 'Test project', true]]);
    expect(JSON.parse(readFileSync(config, 'utf8'))[0].dir).toBe(projectDir);
  });

  it('gives an overview and a queue of train keyframes when no selection round ran', async () => {
    const o = await service.projectOverview({ projectId: pid });
    expect(o.name).toBe('Test project');
    expect(o.frames).toBeGreaterThan(0);
    expect(o.masks.done).toBe(0);
    const q = await service.frameList({ projectId: pid });
    expect(q.length).toBeGreaterThan(0);
    expect(q.every((e) => e.source === 'keyframe' && e.status === 'todo' && e.split === 'train')).toBe(true);
  });

  it('serves a frame as a PNG data URL with no mask, saves one, reloads it and refuses a stale save', async () => {
    const [first] = await service.frameList({ projectId: pid });
    const f = await service.frameGet({ projectId: pid, frameId: first!.frameId });
    expect(f.imageDataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(f.imageDataUrl.split(',')[1]!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(f.maskBase64).toBeNull();
    expect(f.maskVersion).toBe(0);

    const mask = new Uint8Array(f.width * f.height).fill(255);
    mask[3] = 7;
    mask[f.width + 1] = 13;
    const maskBase64 = Buffer.from(mask).toString('base64');
    const saved = await service.maskSave({ projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64, expectedVersion: 0 });
    expect(saved).toEqual({ frameId: f.frameId, version: 1, status: 'in_progress' });

    const again = await service.frameGet({ projectId: pid, frameId: f.frameId });
    expect(again.maskVersion).toBe(1);
    expect(new Uint8Array(Buffer.from(again.maskBase64!, 'base64'))).toEqual(mask);

    await expect(
      service.maskSave({ projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64, expectedVersion: 0 }),
    ).rejects.toThrow(/saved elsewhere meanwhile/);

    const done = await service.maskSetStatus({ projectId: pid, frameId: f.frameId, status: 'done' });
    expect(done).toEqual({ frameId: f.frameId, version: 1, status: 'done' });
    expect((await service.frameList({ projectId: pid, status: 'done' })).map((e) => e.frameId)).toEqual([f.frameId]);
    expect((await service.projectOverview({ projectId: pid })).masks.done).toBe(1);
  });

  it('stores the caller handed to dispatch as the mask author, the service author without one', async () => {
    const [a] = await service.frameList({ projectId: pid, status: 'done' });
    const [b] = await service.frameList({ projectId: pid, status: 'todo' });
    for (const [entry, caller] of [[a!, { user: 'ana', role: 'annotator' as const }], [b!, undefined]] as const) {
      const f = await service.frameGet({ projectId: pid, frameId: entry.frameId });
      const maskBase64 = Buffer.alloc(f.width * f.height, 1).toString('base64');
      await dispatch(service, 'maskSave', { projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64, expectedVersion: f.maskVersion }, caller);
    }
    const p = await openProject(projectDir);
    try {
      expect((await getMaskRow(p.store, a!.frameId))?.author).toBe('ana');
      expect((await getMaskRow(p.store, b!.frameId))?.author).toBe('tester');
    } finally {
      await p.close();
    }
  });

  it('refuses a mask of the wrong size, naming the frame', async () => {
    const [first] = await service.frameList({ projectId: pid });
    await expect(
      service.maskSave({ projectId: pid, frameId: first!.frameId, width: 2, height: 2, maskBase64: Buffer.alloc(4).toString('base64'), expectedVersion: 1 }),
    ).rejects.toThrow(/frame \d+.*is 2x2/);
  });

  it('refuses a mask value outside the label set, naming the set', async () => {
    const [first] = await service.frameList({ projectId: pid });
    const f = await service.frameGet({ projectId: pid, frameId: first!.frameId });
    const mask = new Uint8Array(f.width * f.height).fill(255);
    mask[0] = 19;
    await expect(
      service.maskSave({ projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64: Buffer.from(mask).toString('base64'), expectedVersion: f.maskVersion }),
    ).rejects.toThrow(/value 19 at pixel \(x 0, y 0\) \(1 pixels in all\) is not a class of this project: its masks hold 0\.\.18 \(Cityscapes \(19 classes\)\) or 255/);
  });

  it("serves a frame's superpixels once per frame: 16-bit labels covering the frame, a mean colour each", async () => {
    const [first] = await service.frameList({ projectId: pid });
    const sp = await service.frameSuperpixels({ projectId: pid, frameId: first!.frameId });
    const f = await service.frameGet({ projectId: pid, frameId: first!.frameId });
    expect([sp.width, sp.height]).toEqual([f.width, f.height]);
    const bytes = Buffer.from(sp.labelsBase64, 'base64');
    expect(bytes.length).toBe(2 * f.width * f.height);
    const labels = new Set<number>();
    for (let i = 0; i < bytes.length; i += 2) labels.add(bytes.readUInt16LE(i));
    expect(labels.size).toBe(sp.count);
    expect(Math.max(...labels)).toBe(sp.count - 1);
    expect(sp.meanLab).toHaveLength(3 * sp.count);
    // The second call is the kept result.
    expect(await service.frameSuperpixels({ projectId: pid, frameId: first!.frameId })).toBe(sp);
    await expect(service.frameSuperpixels({ projectId: pid, frameId: 999999 })).rejects.toThrow(/999999/);
    await expect(service.frameAssistFeatures({ projectId: pid, frameId: first!.frameId })).rejects.toThrow(/no SDE run and no segmentation run has finished in this project yet: the assist uses colour and position only/);
  });

  it('opens the project again by folder after closing it, under a new id; calls naming the old id are refused', async () => {
    expect(await service.projectClose({ projectId: pid })).toEqual({ closed: true });
    await expect(service.projectOverview({ projectId: pid })).rejects.toMatchObject({ name: 'ProjectClosedError', message: expect.stringMatching(/^this window's project was closed in another window: reopen it/) });
    const again = await service.projectOpen({ dir: projectDir });
    expect(again).toMatchObject({ dir: projectDir, name: 'Test project' });
    expect(again.projectId).not.toBe(pid);
    await expect(service.frameList({ projectId: pid })).rejects.toMatchObject({ name: 'ProjectClosedError' });
    // Opening the open project again (another window) keeps its id: both windows go on working.
    expect((await service.projectOpen({ dir: projectDir })).projectId).toBe(again.projectId);
    pid = again.projectId;
    expect((await service.projectOverview({ projectId: pid })).masks.done).toBe(1);
  });

  it('refuses to open a folder that holds no project, or does not exist, in words an app user can act on', async () => {
    await expect(service.projectOpen({ dir: dirs('api-empty') })).rejects.toThrow(/is not a DepthSeg project \(it has no project\.sqlite\): choose the project's folder, or create a new project there/);
    await expect(service.projectOpen({ dir: join(dirs('api-empty'), 'nope') })).rejects.toThrow(/the folder .*nope does not exist: check the path, or create a new project there/);
    // The open project stays open.
    expect((await service.projectOverview({ projectId: pid })).name).toBe('Test project');
  });
});

describe('file confinement', () => {
  it('refuses .. and symbolic links that lead outside the allowed roots', () => {
    const root = dirs('confine-root');
    const outside = dirs('confine-outside');
    writeFileSync(join(outside, 'secret.png'), 'x');
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'ok.png'), 'x');
    symlinkSync(join(outside, 'secret.png'), join(root, 'a', 'link.png'));
    expect(confinedFile(root, 'a/ok.png', [root])).toMatch(/ok\.png$/);
    expect(() => confinedFile(root, '../x.png', [root])).toThrow(/outside/);
    expect(() => confinedFile(root, '/etc/passwd', [root])).toThrow(/outside/);
    expect(() => confinedFile(root, 'a/link.png', [root])).toThrow(/outside the open project/);
  });
});

describe('params validation at the boundary', () => {
  it('wants exactly one of a dataset folder or synthetic settings', () => {
    expect(() => validateCall('projectCreate', { dir: '/tmp/x' })).toThrow(/either a dataset folder or synthetic/);
    expect(() => validateCall('maskSave', { frameId: 0 })).toThrow(/invalid params for maskSave/);
    expect(validateCall('projectCreate', { dir: '/tmp/x', synthetic: { sequences: 2, height: 64, width: 128, seed: 1 } }).method).toBe(
      'projectCreate',
    );
  });
});

describe('a project from synthetic data', () => {
  it('generates a tiny dataset into the project folder data/ and queues its train keyframes', async () => {
    const service = createService('host', { version: '1.0.0', recentFile: join(dirs('api-synth-config'), 'r.json') });
    const dir = join(dirs('api-synth'), 'p');
    const { projectId: pid } = await service.projectCreate({ dir, synthetic: { sequences: 2, height: 64, width: 128, seed: 3 } });
    const q = await service.frameList({ projectId: pid });
    expect(q.length).toBeGreaterThan(0);
    const f = await service.frameGet({ projectId: pid, frameId: q[0]!.frameId });
    expect([f.width, f.height]).toEqual([128, 64]);
    await service.close();
  });
});

describe('two windows on one service: every call names its project', () => {
  it("a window whose project another window replaced is refused, and nothing it sends lands in the other project", async () => {
    const events: { projectId: number; dir: string }[] = [];
    const service = createService('host', {
      version: '1.0.0',
      recentFile: join(dirs('api-two-config'), 'r.json'),
      emit: (e, p) => e === 'project.closed' && events.push(p as { projectId: number; dir: string }),
    });
    const dataA = dirs('api-two-a');
    const dataB = dirs('api-two-b');
    await writeCityscapesFixture(dataA);
    await writeCityscapesFixture(dataB);
    const a = await service.projectCreate({ dir: join(dirs('api-two-pa'), 'a'), dataset: dataA });
    const [frameA] = await service.frameList({ projectId: a.projectId });
    const fa = await service.frameGet({ projectId: a.projectId, frameId: frameA!.frameId });
    // Window 2 opens project B: A closes, and every window hears it.
    const b = await service.projectCreate({ dir: join(dirs('api-two-pb'), 'b'), dataset: dataB });
    expect(events).toEqual([{ projectId: a.projectId, dir: a.dir }]);
    // Window 1 still names A: its reload and its save are refused; B's masks folder stays empty.
    await expect(service.frameGet({ projectId: a.projectId, frameId: frameA!.frameId })).rejects.toMatchObject({ name: 'ProjectClosedError' });
    const mask = Buffer.alloc(fa.width * fa.height, 0).toString('base64');
    await expect(service.maskSave({ projectId: a.projectId, frameId: frameA!.frameId, width: fa.width, height: fa.height, maskBase64: mask, expectedVersion: 0 })).rejects.toMatchObject({
      name: 'ProjectClosedError',
    });
    expect(readdirSync(join(b.dir, 'masks'))).toEqual([]);
    expect((await service.projectOverview({ projectId: b.projectId })).masks).toMatchObject({ in_progress: 0, done: 0 });
    // Closing with a stale id closes nothing.
    expect(await service.projectClose({ projectId: a.projectId })).toEqual({ closed: false });
    expect((await service.projectOverview({ projectId: b.projectId })).dir).toBe(b.dir);
    await service.close();
  });
});
