import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCall } from '../../src/core/api/contract';
import { createService } from '../../src/core/api/service';
import { openProject, type OpenProject } from '../../src/core/project/openProject';
import { freshDirs } from '../data/fixtures';
import { useCpuEngine } from '../ml/nets/netSetup';
import { addFinishedRun } from './savedRuns';

const dirs = freshDirs();
const W = 64;
const H = 32;

describe('"Next frame in clip" and "Previous frame in clip": framePropagate over a synthetic project', () => {
  const service = createService('host', { version: '1.0.0', recentFile: join(dirs('propagate-config'), 'recent.json'), author: 'tester' });
  let pid = 0;
  let p: OpenProject;
  let frameId = 0;
  /** Road (0) on the lower half, sky (10) on the upper half. */
  const mask = Uint8Array.from({ length: W * H }, (_, i) => (i < (W * H) / 2 ? 10 : 0));

  beforeAll(async () => {
    await useCpuEngine();
    const dir = join(dirs('propagate-project'), 'proj');
    pid = (await service.projectCreate({ dir, synthetic: { sequences: 2, height: H, width: W, seed: 4 } })).projectId;
    p = await openProject(dir);
    frameId = (await service.frameList({ projectId: pid }))[0]!.frameId;
  });

  afterAll(async () => {
    service.close();
    await p.close();
  });

  it('names the next frame of the clip in frameGet, and none for the clip\'s last frame', async () => {
    const f = await service.frameGet({ projectId: pid, frameId });
    expect(f.nextInClip).not.toBeNull();
    const next = await service.frameGet({ projectId: pid, frameId: f.nextInClip! });
    // The queue's keyframe is frame 19 of its snippet; the next is frame 20 of the same one.
    const [, clip, index] = /(synth_\d{6})_(\d{6})_leftImg8bit\.png$/.exec(f.imagePath)!;
    expect(index).toBe('000019');
    expect(next.imagePath).toMatch(new RegExp(`${clip}_000020_leftImg8bit\\.png$`));
    let last = next;
    while (last.nextInClip !== null) last = await service.frameGet({ projectId: pid, frameId: last.nextInClip });
    expect(last.imagePath).toMatch(/_000029_leftImg8bit\.png$/);
    await expect(service.framePropagate({ projectId: pid, frameId: last.frameId })).rejects.toThrow(`frame ${last.frameId} is the last frame of its clip: there is no next frame to carry its mask to`);
  });

  it("names the previous frame of the clip in frameGet, and none for the clip's first frame", async () => {
    const f = await service.frameGet({ projectId: pid, frameId });
    expect(f.previousInClip).not.toBeNull();
    const previous = await service.frameGet({ projectId: pid, frameId: f.previousInClip! });
    const [, clip] = /(synth_\d{6})_\d{6}_leftImg8bit\.png$/.exec(f.imagePath)!;
    expect(previous.imagePath).toMatch(new RegExp(`${clip}_000018_leftImg8bit\\.png$`));
    expect(previous.nextInClip).toBe(frameId);
    let first = previous;
    while (first.previousInClip !== null) first = await service.frameGet({ projectId: pid, frameId: first.previousInClip });
    expect(first.imagePath).toMatch(/_000000_leftImg8bit\.png$/);
    await expect(service.framePropagate({ projectId: pid, frameId: first.frameId, offset: -1 })).rejects.toThrow(
      `frame ${first.frameId} is the first frame of its clip: there is no previous frame to carry its mask to`,
    );
  });

  it('takes only +1 or -1 as the offset, saying so', () => {
    expect(validateCall('framePropagate', { projectId: pid, frameId, offset: -1 }).params).toEqual({ projectId: pid, frameId, offset: -1 });
    expect(() => validateCall('framePropagate', { projectId: pid, frameId, offset: 2 })).toThrow(
      'invalid params for framePropagate: offset: must be 1 (the next frame) or -1 (the previous frame)',
    );
  });

  it('says in words that the frame must be finished first, and that an SDE run is needed', async () => {
    await expect(service.framePropagate({ projectId: pid, frameId })).rejects.toThrow(/has no finished mask: paint it and mark it done first, then its mask can be carried to the next frame/);
    await expect(service.framePropagate({ projectId: pid, frameId, offset: -1 })).rejects.toThrow(/has no finished mask: .* carried to the previous frame/);
    await service.maskSave({ projectId: pid, frameId, width: W, height: H, maskBase64: Buffer.from(mask).toString('base64'), expectedVersion: 0, status: 'done' });
    await expect(service.framePropagate({ projectId: pid, frameId })).rejects.toThrow(/no SDE run has finished in this project yet: train one/);
  });

  it("carries the finished mask to the next frame with the newest SDE run's depth and pose networks", async () => {
    const sde = await addFinishedRun(p.store, p.project.id, { kind: 'sde', net: 'depth', seed: 2, pose: true });
    const next = (await service.frameGet({ projectId: pid, frameId })).nextInClip!;
    const r = await service.framePropagate({ projectId: pid, frameId });
    expect([r.fromFrameId, r.frameId, r.offset, r.width, r.height, r.runId, r.step]).toEqual([frameId, next, 1, W, H, sde.id, 100]);
    const proposal = Buffer.from(r.proposalBase64, 'base64');
    expect(proposal.length).toBe(W * H);
    // Only the finished frame's classes, or nothing; every pixel is painted or has its reason.
    expect([...new Set(proposal)].every((v) => v === 0 || v === 10 || v === 255)).toBe(true);
    expect(proposal.filter((v) => v !== 255).length).toBe(r.painted);
    expect(r.painted + r.outOfView + r.occluded + r.mismatch + r.unlabelled).toBe(W * H);
    expect(r.painted).toBeGreaterThan(0);
    // The colour check ran on both frames' images (this untrained network's motion is off, so
    // some colours disagree where the pixels land).
    expect(r.mismatch).toBeGreaterThan(0);
  });

  it('carries the finished mask to the previous frame with the same networks, the motion taken the other way', async () => {
    const previous = (await service.frameGet({ projectId: pid, frameId })).previousInClip!;
    const back = await service.framePropagate({ projectId: pid, frameId, offset: -1 });
    expect([back.fromFrameId, back.frameId, back.offset, back.width, back.height]).toEqual([frameId, previous, -1, W, H]);
    const proposal = Buffer.from(back.proposalBase64, 'base64');
    expect([...new Set(proposal)].every((v) => v === 0 || v === 10 || v === 255)).toBe(true);
    expect(proposal.filter((v) => v !== 255).length).toBe(back.painted);
    expect(back.painted + back.outOfView + back.occluded + back.mismatch + back.unlabelled).toBe(W * H);
    expect(back.painted).toBeGreaterThan(0);
    // Another frame, another motion: not the next frame's proposal.
    const forward = Buffer.from((await service.framePropagate({ projectId: pid, frameId })).proposalBase64, 'base64');
    expect(proposal.equals(forward)).toBe(false);
  });
});
