/**
 * A run stopped at a checkpoint and resumed in fresh networks continues exactly as the run
 * that never stopped: same losses step for step, same weights at the end (the most stateful
 * mode: multi-task with DepthMix, a mean teacher and the pose network; and SDE with Adam).
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDepthNet, buildPoseNet, saveModelToFolder } from '../../../src/core/ml/nets';
import { UsageError } from '../../../src/core/errors';
import { readOptimiserState, restoreNetwork, writeCheckpoint, readCheckpointState } from '../../../src/core/ml/train/checkpoint';
import { allVariables } from '../../../src/core/ml/train/modelIo';
import { SdeTrainer } from '../../../src/core/ml/train/sdeTrainer';
import { SegTrainer } from '../../../src/core/ml/train/segTrainer';
import { freshDirs } from '../../data/fixtures';
import { startWasm } from '../../engine/setup';
import { NET, sdeConfig, segConfig, SIZE, trainFixture, type TrainFixture } from './trainFixture';

const temp = freshDirs();
let fx: TrainFixture;
beforeAll(async () => {
  await startWasm();
  fx = await trainFixture(temp);
});

type Trainer = SegTrainer | SdeTrainer;

async function resumeInto(dir: string, t: Trainer): Promise<void> {
  const state = readCheckpointState(dir);
  for (const [name, m] of Object.entries(t.networks())) await restoreNetwork(dir, name, m);
  const opt = readOptimiserState(dir);
  t.restore(state.step, opt);
  tf.dispose(Object.values(opt));
}

async function save(dir: string, t: Trainer): Promise<void> {
  const st = t.state();
  await writeCheckpoint(dir, t.networks(), st.optimiser, { step: st.step });
  tf.dispose(Object.values(st.optimiser));
}

function weightsOf(t: Trainer): number[][] {
  return Object.values(t.networks()).flatMap((m) => allVariables(m).map((v) => Array.from(v.dataSync())));
}

async function checkExactResume(make: () => Trainer, steps: number, stopAt: number): Promise<void> {
  const straight = make();
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await straight.trainStep()).loss);

  const first = make();
  for (let i = 0; i < stopAt; i++) expect((await first.trainStep()).loss).toBe(losses[i]);
  const dir = join(temp('ckpt'), 'step');
  await save(dir, first);
  first.dispose();

  const resumed = make();
  await resumeInto(dir, resumed);
  expect(resumed.step).toBe(stopAt);
  for (let i = stopAt; i < steps; i++) expect((await resumed.trainStep()).loss, `step ${i}`).toBe(losses[i]);
  expect(weightsOf(resumed)).toEqual(weightsOf(straight));
  straight.dispose();
  resumed.dispose();
}

describe('exact resume from a checkpoint', () => {
  it('multi-task + DepthMix (student, teacher, pose, SGD momentum, augmentation, pairs)', async () => {
    const sde = { depth: buildDepthNet(NET, SIZE, { seed: 3 }), pose: buildPoseNet(NET, SIZE, { seed: 4 }) };
    const make = () =>
      new SegTrainer(segConfig({ steps: 4, mode: 'multitask', mix: 'depthmix', labelledBatch: 1, unlabelledBatch: 2, }), { labelled: fx.labelled, unlabelled: fx.unlabelled, sde }, fx.frames, fx.labels);
    await checkExactResume(make, 4, 2);
  });

  it('SDE pretraining (depth and pose networks, Adam)', async () => {
    const make = () => new SdeTrainer(sdeConfig({ steps: 4, batchSize: 2 }), fx.clips, fx.frames);
    await checkExactResume(make, 4, 1);
  });

  it('refuses a checkpoint of another architecture with a message naming the file', async () => {
    const t = new SdeTrainer(sdeConfig({ steps: 1, batchSize: 1 }), fx.clips, fx.frames);
    const dir = join(temp('ckpt'), 'step');
    await save(dir, t);
    const seg = new SegTrainer(segConfig({ steps: 1 }), { labelled: fx.labelled, unlabelled: [] }, fx.frames, fx.labels);
    await expect(resumeInto(dir, seg)).rejects.toThrow(/model/);
    t.dispose();
    seg.dispose();
  });

  it("refuses a pose network saved with another output scaling (an earlier version's) and leaves the checkpoint", async () => {
    const earlier = { rotationScale: 0.01, translationScale: 0.01, translationOffset: [0, 0, 0] };
    const dir = join(temp('ckpt'), 'step');
    const saved = buildPoseNet(NET, SIZE, { seed: 4, output: earlier });
    await saveModelToFolder(saved, join(dir, 'pose'));
    const now = buildPoseNet(NET, SIZE, { seed: 5 });
    const err = await restoreNetwork(dir, 'pose', now).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError); // not a DataError: the run loop would delete the checkpoint as damaged
    expect((err as Error).message).toMatch(/scales its output as .*"translationScale":0.01.*this version's as .*"translationScale":0.1.*start a new run with the same settings instead/);
    expect(existsSync(join(dir, 'pose', 'model.json'))).toBe(true);
    // a network of the same scaling takes the weights
    const same = buildPoseNet(NET, SIZE, { seed: 5, output: earlier });
    await restoreNetwork(dir, 'pose', same);
    expect(allVariables(same).map((v) => Array.from(v.dataSync()))).toEqual(allVariables(saved).map((v) => Array.from(v.dataSync())));
    [saved, now, same].forEach((m) => m.dispose());
  });
});
