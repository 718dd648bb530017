import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCall } from '../../src/core/api/contract';
import { createService } from '../../src/core/api/service';
import { confinedFile } from '../../src/core/api/confinedFile';
import { freshDirs, writeCityscapesFixture } from '../data/fixtures';

const dirs = freshDirs();

describe('API service over a real project made from a Cityscapes-layout dataset', () => {
  const config = join(dirs('api-config'), 'recent.json');
  const service = createService('host', { version: '1.0.0', recentFile: config, author: 'tester' });
  let projectDir = '';

  beforeAll(async () => {
    const data = dirs('api-data');
    await writeCityscapesFixture(data);
    projectDir = join(dirs('api-project'), 'proj');
    const info = await service.projectCreate({ dir: projectDir, dataset: data, format: 'cityscapes', name: 'Test project' });
    expect(info).toEqual({ dir: projectDir, name: 'Test project' });
  });

  it('remembers the created project as recent, in the injected file', async () => {
    const recent = await service.projectRecent({});
    expect(recent.map((r) => [r.dir, r.name, r.exists])).toEqual([[projectDir, 'Test project', true]]);
    expect(JSON.parse(readFileSync(config, 'utf8'))[0].dir).toBe(projectDir);
  });

  it('gives an overview and a queue of train keyframes when no selection round ran', async () => {
    const o = await service.projectOverview({});
    expect(o.name).toBe('Test project');
    expect(o.frames).toBeGreaterThan(0);
    expect(o.masks.done).toBe(0);
    const q = await service.frameList({});
    expect(q.length).toBeGreaterThan(0);
    expect(q.every((e) => e.source === 'keyframe' && e.status === 'todo' && e.split === 'train')).toBe(true);
  });

  it('serves a frame as a PNG data URL with no mask, saves one, reloads it and refuses a stale save', async () => {
    const [first] = await service.frameList({});
    const f = await service.frameGet({ frameId: first!.frameId });
    expect(f.imageDataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(f.imageDataUrl.split(',')[1]!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(f.maskBase64).toBeNull();
    expect(f.maskVersion).toBe(0);

    const mask = new Uint8Array(f.width * f.height).fill(255);
    mask[3] = 7;
    mask[f.width + 1] = 13;
    const maskBase64 = Buffer.from(mask).toString('base64');
    const saved = await service.maskSave({ frameId: f.frameId, width: f.width, height: f.height, maskBase64, expectedVersion: 0 });
    expect(saved).toEqual({ frameId: f.frameId, version: 1, status: 'in_progress' });

    const again = await service.frameGet({ frameId: f.frameId });
    expect(again.maskVersion).toBe(1);
    expect(new Uint8Array(Buffer.from(again.maskBase64!, 'base64'))).toEqual(mask);

    await expect(
      service.maskSave({ frameId: f.frameId, width: f.width, height: f.height, maskBase64, expectedVersion: 0 }),
    ).rejects.toThrow(/saved elsewhere meanwhile/);

    const done = await service.maskSetStatus({ frameId: f.frameId, status: 'done' });
    expect(done).toEqual({ frameId: f.frameId, version: 1, status: 'done' });
    expect((await service.frameList({ status: 'done' })).map((e) => e.frameId)).toEqual([f.frameId]);
    expect((await service.projectOverview({})).masks.done).toBe(1);
  });

  it('refuses a mask of the wrong size, naming the frame', async () => {
    const [first] = await service.frameList({});
    await expect(
      service.maskSave({ frameId: first!.frameId, width: 2, height: 2, maskBase64: Buffer.alloc(4).toString('base64'), expectedVersion: 1 }),
    ).rejects.toThrow(/frame \d+.*is 2x2/);
  });

  it('opens the project again by folder after closing it', async () => {
    expect(await service.projectClose({})).toEqual({ closed: true });
    await expect(service.projectOverview({})).rejects.toThrow(/no project is open/);
    expect(await service.projectOpen({ dir: projectDir })).toEqual({ dir: projectDir, name: 'Test project' });
    expect((await service.projectOverview({})).masks.done).toBe(1);
  });

  it('refuses to open a folder that holds no project', async () => {
    await expect(service.projectOpen({ dir: dirs('api-empty') })).rejects.toThrow(/not a DepthSeg project/);
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
    await service.projectCreate({ dir, synthetic: { sequences: 2, height: 64, width: 128, seed: 3 } });
    const q = await service.frameList({});
    expect(q.length).toBeGreaterThan(0);
    const f = await service.frameGet({ frameId: q[0]!.frameId });
    expect([f.width, f.height]).toEqual([128, 64]);
    service.close();
  });
});
