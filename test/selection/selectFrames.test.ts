import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDepthNet, buildSegNet, saveModelToFolder, TINY } from '../../src/core/ml/nets';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import { checkpointPath, MODEL_SUBDIR } from '../../src/core/project/projectModels';
import { runSelectionRound } from '../../src/core/project/selectFrames';
import {
  addCheckpoint,
  createRun,
  featureModels,
  listFrames,
  listPicks,
  listSelectionRounds,
  listSuggestions,
  setMaskStatus,
  setRunStatus,
} from '../../src/core/store';
import { generateSynthDataset } from '../../src/core/synth';
import { freshDirs } from '../data/fixtures';
import { startWasm } from '../engine/setup';
import { SIZE } from '../ml/nets/netSetup';

const temp = freshDirs();
let data = '';

beforeAll(async () => {
  await startWasm();
  const synth = join(temp('select-data'), 'synth');
  // One train snippet of 30 frames, read as plain frames: every frame is one to label.
  await generateSynthDataset({ out: synth, sequences: 2, size: SIZE, seed: 4 });
  data = join(synth, 'leftImg8bit_sequence', 'train');
});

async function newProject(): Promise<string> {
  const dir = join(temp('select-proj'), 'proj');
  await (await initProject({ dir, dataset: data, format: 'frames', horizontalFovDegrees: 71 })).open.close();
  return dir;
}

/** Saves a tiny untrained depth net as the checkpoint of a finished SDE run of the project. */
async function addSdeRun(dir: string): Promise<{ runId: number; modelDir: string }> {
  const p = await openProject(dir);
  try {
    const run = await createRun(p.store, { projectId: p.project.id, kind: 'sde' });
    const path = checkpointPath(run.id, 10);
    const modelDir = join(dir, path, MODEL_SUBDIR);
    const net = buildDepthNet(TINY, SIZE, { seed: 2 });
    await saveModelToFolder(net, modelDir);
    net.dispose();
    await addCheckpoint(p.store, { runId: run.id, step: 10, path });
    await setRunStatus(p.store, run.id, 'done');
    return { runId: run.id, modelDir };
  } finally {
    await p.close();
  }
}

describe('runSelectionRound on a project', () => {
  it('says what is missing without an SDE model, and for entropy without a segmentation model', async () => {
    const p = await openProject(await newProject());
    try {
      await expect(runSelectionRound(p, { budget: 2, method: 'ds', seed: 1, studentSteps: 2 })).rejects.toThrow(/no finished SDE run: train one first or name a model folder \(--sde-model DIR\)/);
      await expect(runSelectionRound(p, { budget: 2, method: 'entropy', seed: 1, studentSteps: 2 })).rejects.toThrow(/needs a segmentation model/);
      await expect(runSelectionRound(p, { budget: 0, method: 'ds', seed: 1, studentSteps: 2 })).rejects.toThrow(/budget must be a positive integer/);
      // random needs no model
      const r = await runSelectionRound(p, { budget: 2, method: 'random', seed: 1, studentSteps: 2 });
      expect(r.picks).toHaveLength(2);
      expect(r.picks.every((x) => x.score === null && x.diversity === null)).toBe(true);
      expect(r.modelKey).toBeNull();
    } finally {
      await p.close();
    }
  });

  it('grows the selection round by round from the project SDE model: labelled frames and earlier picks count as selected', async () => {
    const dir = await newProject();
    const sde = await addSdeRun(dir);
    const p = await openProject(dir);
    try {
      const trainFrames = await listFrames(p.store, { split: 'train', keyframesOnly: true });
      expect(trainFrames).toHaveLength(30);
      // one frame is already labelled, one was skipped by the annotator
      const labelled = trainFrames[2]!.id;
      const skipped = trainFrames[4]!.id;
      await setMaskStatus(p.store, labelled, 'done');
      await setMaskStatus(p.store, skipped, 'skipped');
      const phases = new Set<string>();
      const first = await runSelectionRound(p, { budget: 2, method: 'ds_us', seed: 3, studentSteps: 2, studentNet: TINY, onProgress: (x) => phases.add(x.phase) });
      // the labelled frame is selected, so ds_us already has a student to train
      expect(first.selectedBefore).toBe(1);
      expect(first.basis).toBe('diversity+uncertainty');
      expect(first.weight).toBeGreaterThan(0); // balanced by default: the candidates' spread of distance over that of uncertainty
      expect(first.student).toMatchObject({ steps: 2, trainedOn: 1 });
      expect(first.featuresComputed).toBe(30);
      expect([...phases].sort()).toEqual(['features', 'select', 'student', 'uncertainty']);
      expect(first.sdeModelDir).toBe(sde.modelDir);
      const firstIds = first.picks.map((x) => x.frameId);
      expect(firstIds).toHaveLength(2);
      expect(firstIds).not.toContain(labelled);
      expect(firstIds).not.toContain(skipped);
      for (const pk of first.picks) {
        expect(pk.diversity).toBeGreaterThan(0);
        expect(pk.uncertainty).toBeGreaterThanOrEqual(0);
        expect(pk.score).toBeCloseTo(pk.diversity! + first.weight! * pk.uncertainty!, 2);
      }

      // the second round extends the first: nothing picked twice, features from the cache
      const second = await runSelectionRound(p, { budget: 2, method: 'ds', seed: 3, studentSteps: 2 });
      expect(second.selectedBefore).toBe(3);
      expect(second.featuresComputed).toBe(0);
      const secondIds = second.picks.map((x) => x.frameId);
      expect(secondIds).toHaveLength(2);
      for (const id of secondIds) expect([...firstIds, labelled, skipped]).not.toContain(id);
      // the rest: 30 - 1 labelled - 1 skipped - 4 picked
      const rest = await runSelectionRound(p, { budget: 100, method: 'random', seed: 3, studentSteps: 2 });
      expect(rest.picks).toHaveLength(24);
      await expect(runSelectionRound(p, { budget: 2, method: 'ds', seed: 3, studentSteps: 2 })).rejects.toThrow(/no frames left to select/);

      // stored: method, scores, the model that scored them, and the queue in pick order
      const rounds = await listSelectionRounds(p.store, p.project.id);
      expect(rounds.map((r) => r.method)).toEqual(['ds_us', 'ds', 'random']);
      expect(rounds[0]).toMatchObject({ scoredByRunId: sde.runId, modelKey: first.modelKey });
      expect(rounds[0]!.params).toMatchObject({ budget: 2, basis: 'diversity+uncertainty', weight: first.weight, weightRule: 'balanced', featureLayer: 'dec_up0_1', student: { net: 'tiny', steps: 2, trainedOn: 1 } });
      const stored = await listPicks(p.store, rounds[0]!.id);
      expect(stored.map((s) => s.frameId)).toEqual(firstIds);
      expect(stored[0]!.uncertaintyScore).toBeCloseTo(first.picks[0]!.uncertainty!, 5);
      expect(stored[0]!.diversityScore).toBeCloseTo(first.picks[0]!.diversity!, 4);
      expect((await listSuggestions(p.store, p.project.id)).map((s) => s.frameId).slice(0, 4)).toEqual([...firstIds, ...secondIds]);
      // the queue says why: the ds_us picks carry their round's weight, the ds picks none
      expect((await listSuggestions(p.store, p.project.id)).slice(0, 4).map((s) => s.uncertaintyWeight)).toEqual([first.weight, first.weight, null, null]);
      expect(await featureModels(p.store)).toHaveLength(1);
    } finally {
      await p.close();
    }
  });

  it('starts ds_us by diversity alone when nothing is selected; entropy scores with a segmentation model', async () => {
    const dir = await newProject();
    const { modelDir } = await addSdeRun(dir);
    const segDir = join(temp('seg-model'), 'model');
    const seg = buildSegNet(TINY, SIZE, { seed: 5 });
    await saveModelToFolder(seg, segDir);
    seg.dispose();
    const p = await openProject(dir);
    try {
      const before = tf.memory().numTensors;
      const first = await runSelectionRound(p, { budget: 2, method: 'ds_us', sdeModelDir: modelDir, seed: 1, studentSteps: 2, studentNet: TINY });
      expect(first.basis).toBe('diversity');
      expect(first.student).toBeNull();
      expect(first.picks[0]!.diversity).toBeNull(); // the very first pick has nothing before it
      expect(first.picks[1]!.diversity).toBeGreaterThan(0);
      const ent = await runSelectionRound(p, { budget: 2, method: 'entropy', segModelDir: segDir, seed: 1, studentSteps: 2 });
      expect(ent.basis).toBe('entropy');
      expect(ent.picks.every((x) => x.uncertainty! > 0 && x.uncertainty! <= Math.log(19) + 1e-6)).toBe(true);
      expect(ent.picks[0]!.uncertainty!).toBeGreaterThanOrEqual(ent.picks[1]!.uncertainty!);
      expect((await listSelectionRounds(p.store, p.project.id))[1]).toMatchObject({ method: 'entropy', scoredByRunId: null, modelKey: ent.modelKey });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await p.close();
    }
  });
});
