/**
 * Training runs on a real project (SQLite file, generated street frames): SDE then
 * multi-task DepthMix segmentation, a stop that pauses with a checkpoint and a second call
 * that continues it, runs left "running" by a dead process, a loss that becomes NaN, and
 * what the user is told when something is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFromFolder, POSE_OUTPUT, poseOutputOf } from '../../src/core/ml/nets';
import { generateSynthDataset } from '../../src/core/synth/generate';
import { initProject } from '../../src/core/project/initProject';
import { importLabels } from '../../src/core/project/importLabels';
import type { OpenProject } from '../../src/core/project/openProject';
import { latestModel } from '../../src/core/project/projectModels';
import { reclaimStaleRuns, type RunProgress } from '../../src/core/project/runLoop';
import { gapOffsets } from '../../src/core/ml/train/samples';
import { trainSde } from '../../src/core/project/trainSde';
import { sdeTrainingSamples, sdeUnavailableReason } from '../../src/core/project/trainingData';
import { trainSeg } from '../../src/core/project/trainSeg';
import { createRun, getRun, latestCheckpoint, listCheckpoints, listFrames, metricHistory, setRunProgress, setRunStatus } from '../../src/core/store';
import { freshDirs, writeCamvidFixture } from '../data/fixtures';
import { nanSdeCheckpoint } from '../reliability/nanModel';
import { startWasm } from '../engine/setup';

const temp = freshDirs();
let data: string;
const sde = { net: 'tiny' as const, height: 32, width: 64, batchSize: 2 };

async function newProject(labelled = 1): Promise<OpenProject> {
  const { open } = await initProject({ dir: temp('proj'), dataset: data });
  const keys = await listFrames(open.store, { split: 'train', keyframesOnly: true });
  await importLabels(open, { frameIds: keys.slice(0, labelled).map((f) => f.id) });
  return open;
}

beforeAll(async () => {
  await startWasm();
  data = temp('data');
  await generateSynthDataset({ out: data, sequences: 4, size: { height: 32, width: 64 }, seed: 5 });
});

describe('training runs on a project', () => {
  it('pauses on a stop request with a checkpoint and continues it by its id with the settings it stored', async () => {
    const p = await newProject();
    const stop = new AbortController();
    const seen: RunProgress[] = [];
    const first = await trainSde(p, { ...sde, steps: 5 }, { signal: stop.signal, checkpointEvery: 2, onProgress: (e) => {
      seen.push(e);
      if (e.phase === 'training' && e.step === 3) stop.abort();
    } });
    expect(first.status).toBe('paused');
    expect(first.step).toBe(3);
    expect((await getRun(p.store, first.run.id)).status).toBe('paused');
    expect((await latestCheckpoint(p.store, first.run.id))!.step).toBe(3);
    const training = seen.filter((e) => e.phase === 'training');
    expect(training[0]).toMatchObject({ step: 1, totalSteps: 5 });
    expect(training[0]!.etaSeconds).toBeGreaterThan(0);
    expect(await latestModel(p.store, p.project.id, 'sde')).toBeUndefined();

    // The settings given are not looked at: the run continues with its own (5 steps, batch 2).
    const second = await trainSde(p, { steps: 999 }, { resume: first.run.id });
    expect(second.run.id).toBe(first.run.id);
    expect(second.run.config).toMatchObject({ steps: 5, batchSize: 2, net: 'tiny' });
    expect(second.resumedFrom).toBe(3);
    expect(second.status).toBe('done');
    expect(second.metrics).toMatchObject({ absRel: expect.any(Number), rmse: expect.any(Number), a1: expect.any(Number) });
    expect((await metricHistory(p.store, first.run.id, 'loss')).map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
    expect((await listCheckpoints(p.store, first.run.id)).length).toBeLessThanOrEqual(2);
    const model = (await latestModel(p.store, p.project.id, 'sde'))!;
    expect(existsSync(join(model.modelDir, 'model.json'))).toBe(true);

    // Without resume every call is a new run, even with the same settings; a finished run does not resume.
    const fresh = await trainSde(p, { ...sde, steps: 5 });
    expect(fresh.run.id).not.toBe(first.run.id);
    await expect(trainSde(p, {}, { resume: first.run.id })).rejects.toThrow(`run #${first.run.id} is done: only a paused run can be resumed`);
    await expect(trainSde(p, {}, { resume: 999 })).rejects.toThrow('there is no training run #999 in this project');

    const seg = await trainSeg(p, { mode: 'multitask', mix: 'depthmix', steps: 2, sdeRunId: first.run.id });
    expect(seg.status).toBe('done');
    expect(seg.run.parentRunId).toBe(first.run.id);
    const m = seg.metrics as { miou: number; perClassIou: unknown[]; confusion: number[][] };
    expect(m.miou).toBeGreaterThanOrEqual(0);
    expect(m.perClassIou).toHaveLength(19);
    expect(m.confusion).toHaveLength(19);
    expect(await metricHistory(p.store, seg.run.id, 'val/miou')).toHaveLength(1);
    const dir = join(p.store.dir, (await latestCheckpoint(p.store, seg.run.id))!.path);
    for (const sub of ['model', 'teacher', 'pose']) expect(existsSync(join(dir, sub, 'model.json')), sub).toBe(true);

    // Another project starts from this project's SDE checkpoint folder.
    const other = await newProject();
    const sdeDir = join(p.store.dir, (await latestCheckpoint(p.store, first.run.id))!.path);
    const moved = await trainSeg(other, { mode: 'transfer', mix: 'none', steps: 1, sdeCheckpoint: sdeDir });
    expect(moved.status).toBe('done');
    expect(moved.run.parentRunId).toBeNull();
    expect(moved.run.config).toMatchObject({ net: 'tiny', height: 32, width: 64 });
    await other.close();
    await p.close();
  });

  it('takes back a run left running by a process that is gone', async () => {
    const p = await newProject();
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    const run = await createRun(p.store, { projectId: p.project.id, kind: 'sde', config: {} });
    await setRunStatus(p.store, run.id, 'running');
    await setRunProgress(p.store, run.id, { pid: dead });
    const mine = await createRun(p.store, { projectId: p.project.id, kind: 'seg', config: {} });
    await expect(setRunStatus(p.store, mine.id, 'running')).rejects.toThrow(/already running/);
    expect(await reclaimStaleRuns(p.store, p.project.id)).toEqual([run.id]);
    expect((await getRun(p.store, run.id)).status).toBe('paused');
    expect((await setRunStatus(p.store, mine.id, 'running')).status).toBe('running');
    await p.close();
  });

  it('stops a run whose loss is no longer a number, with a message, keeping no checkpoint of the bad weights', async () => {
    const p = await newProject();
    // Transfer from a model whose weights are NaN: the first loss is not a number.
    const nan = await nanSdeCheckpoint(p, temp('nan-sde'));
    const r = await trainSeg(p, { mode: 'transfer', mix: 'none', steps: 6, sdeCheckpoint: nan }, { checkpointEvery: 1 });
    expect(r.status).toBe('failed');
    expect(r.error).toBe('training stopped at step 0: the loss became NaN; no good checkpoint to keep; try a lower learning rate');
    const run = await getRun(p.store, r.run.id);
    expect(run).toMatchObject({ status: 'failed', error: r.error });
    // Nothing was saved from the NaN weights (an exploding loss mid-run keeps the last good one: numerics.test.ts).
    expect(await listCheckpoints(p.store, r.run.id)).toEqual([]);
    await p.close();
  });

  it('trains SDE on source frames a gap apart and keeps that gap in multi-task segmentation', async () => {
    const p = await newProject();
    const samples = await sdeTrainingSamples(p, 1, gapOffsets(2));
    const clips = new Set((await listFrames(p.store, { split: 'train' })).map((f) => f.clipId));
    // 30-frame clips: the first and last 2 frames lack a neighbour 2 frames away
    expect(samples).toHaveLength(clips.size * (30 - 4));
    const name = (path: string) => Number(/_(\d+)_leftImg8bit/.exec(path)![1]);
    for (const s of samples) expect(s.neighbourPaths!.map(name)).toEqual([name(s.imagePath) - 2, name(s.imagePath) + 2]);
    const sdeRun = await trainSde(p, { ...sde, steps: 2, frameGap: 2 });
    expect(sdeRun.status).toBe('done');
    expect((await getRun(p.store, sdeRun.run.id)).config).toMatchObject({ frameGap: 2 });
    const seg = await trainSeg(p, { mode: 'multitask', mix: 'none', steps: 1 });
    expect(seg.status).toBe('done');
    expect((await getRun(p.store, seg.run.id)).config).toMatchObject({ sdeRunId: sdeRun.run.id, sdeFrameGap: 2 });
    await p.close();
  });

  it("multi-task segmentation from an SDE run saved by an earlier version keeps that pose network's output scaling", async () => {
    const p = await newProject();
    const sdeRun = await trainSde(p, { ...sde, steps: 1 });
    expect(sdeRun.status).toBe('done');
    // Pose networks saved before PoseOutputScale ended in a Rescaling layer (x0.01, no prior): write the run's that way.
    const poseJson = join((await latestModel(p.store, p.project.id, 'sde'))!.modelDir, '..', 'pose', 'model.json');
    const saved = JSON.parse(readFileSync(poseJson, 'utf8')) as { modelTopology: { config: { layers: Array<{ name: string; class_name: string; config: object }> } } };
    const out = saved.modelTopology.config.layers.find((l) => l.name === POSE_OUTPUT)!;
    expect(out.class_name).toBe('PoseOutputScale');
    Object.assign(out, { class_name: 'Rescaling', config: { name: POSE_OUTPUT, trainable: true, dtype: 'float32', scale: 0.01, offset: 0 } });
    writeFileSync(poseJson, JSON.stringify(saved));

    const seg = await trainSeg(p, { mode: 'multitask', mix: 'none', steps: 1 });
    expect(seg.status).toBe('done');
    const pose = await loadModelFromFolder(join(seg.checkpointDir!, 'pose'));
    expect(poseOutputOf(pose)).toEqual({ rotationScale: 0.01, translationScale: 0.01, translationOffset: [0, 0, 0] });
    pose.dispose();
    await p.close();
  });

  it('without an SDE model the default run trains from scratch and says so; a project without video cannot pretrain SDE', async () => {
    const p = await newProject();
    expect(await sdeUnavailableReason(p)).toBeNull();
    const out = await trainSeg(p, { net: 'tiny', height: 32, width: 64, steps: 1 });
    expect(out.status).toBe('done');
    expect(out.run.mode).toBe('scratch');
    expect(out.run.config).toMatchObject({ mode: 'scratch', mix: 'none', sdeRunId: null });
    expect(out.run.config['settingsNote']).toMatch(/no SDE model yet, so the default transfer became scratch/);
    await p.close();

    const camvid = temp('camvid');
    await writeCamvidFixture(camvid);
    const { open } = await initProject({ dir: temp('camvid-proj'), dataset: camvid });
    expect(await sdeUnavailableReason(open)).toMatch(/no video frames with neighbours/);
    await expect(trainSde(open, { ...sde, steps: 1 })).rejects.toThrow(/no video frames with neighbours/);
    await importLabels(open);
    expect((await trainSeg(open, { net: 'tiny', height: 32, width: 64, steps: 1 })).run.config['settingsNote']).toBe('this project has no video to learn depth from, so the default transfer became scratch');
    await expect(trainSeg(open, { mode: 'transfer', steps: 1 })).rejects.toThrow(/no video clips to learn it from: choose mode scratch without DepthMix, or start from another project's SDE checkpoint \(--sde-checkpoint DIR\)/);
    await open.close();
  });

  it('says what to do first when labels or the SDE model are missing', async () => {
    const p = await newProject(0);
    await expect(trainSeg(p, { mode: 'scratch', mix: 'none', net: 'tiny', height: 32, width: 64, steps: 1 })).rejects.toThrow(/no labelled frames/);
    await expect(trainSeg(p, { mode: 'multitask', steps: 1 })).rejects.toThrow(/no finished SDE run yet: run the SDE pretraining first \(depthseg train-sde\)/);
    await expect(trainSeg(p, { mix: 'depthmix', steps: 1 })).rejects.toThrow(/no finished SDE run yet/);
    await expect(trainSde(p, { ...sde, steps: 0 })).rejects.toThrow(/steps/);
    await p.close();
  });
});
