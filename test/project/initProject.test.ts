import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initProject } from '../../src/core/project/initProject';
import { importLabels } from '../../src/core/project/importLabels';
import { openProject } from '../../src/core/project/openProject';
import { countMasksByStatus, listFrames, loadMask, projectOverview } from '../../src/core/store';
import { FIXTURE_TRAIN_IDS, freshDirs, writeCamvidFixture, writeCityscapesFixture } from '../data/fixtures';

const temp = freshDirs();

describe('creating a project from a dataset', () => {
  it('records every clip and frame of a Cityscapes dataset, with keyframes and labels', async () => {
    const data = temp('ds-cs-');
    await writeCityscapesFixture(data);
    const projectDir = join(temp('ds-proj-'), 'p');
    const { open, summary } = await initProject({ dir: projectDir, dataset: data });
    // seq 0: 30-frame snippet; seq 1: a single labelled frame; val seq 2: frames 38..42
    expect(summary).toMatchObject({ format: 'cityscapes', clips: 3, frames: 36, keyframes: 3, withGroundTruth: 3 });
    const keyframes = await listFrames(open.store, { keyframesOnly: true });
    expect(keyframes.map((f) => f.imagePath).sort()).toEqual([
      'leftImg8bit/train/tc/tc_000000_000019_leftImg8bit.png',
      'leftImg8bit/train/tc/tc_000001_000019_leftImg8bit.png',
      'leftImg8bit/val/tc/tc_000002_000040_leftImg8bit.png',
    ]);
    const snippetKey = keyframes.find((f) => f.imagePath.includes('000000_000019'))!;
    expect(snippetKey.index).toBe(19);
    expect(snippetKey.depthPath).toBe('depth_sequence/train/tc/tc_000000_000019_depth.png');
    await open.close();

    // reopening finds the same project; adding the same dataset again is refused
    const again = await openProject(projectDir);
    expect(await projectOverview(again.store, again.project.id)).toMatchObject({ datasets: 1, clips: 3, frames: 36, keyframes: 3 });
    await again.close();
    await expect(initProject({ dir: projectDir, dataset: data })).rejects.toThrow(/already part of the project/);
  });

  it('imports the dataset labels as finished masks in trainIds, and never overwrites a mask', async () => {
    const data = temp('ds-cs-');
    await writeCityscapesFixture(data);
    const { open } = await initProject({ dir: temp('ds-proj-'), dataset: data });
    const first = await importLabels(open);
    expect(first).toEqual({ imported: 3, kept: 0, candidates: 3 });
    expect(await countMasksByStatus(open.store)).toMatchObject({ done: 3 });
    const frame = (await listFrames(open.store, { keyframesOnly: true }))[0]!;
    const saved = await loadMask(open.store, frame.id);
    expect(new Set(saved!.mask.data)).toEqual(new Set(FIXTURE_TRAIN_IDS));
    expect(saved!.row.author).toBe('import');
    const second = await importLabels(open);
    expect(second).toEqual({ imported: 0, kept: 3, candidates: 3 });
    await open.close();
  });

  it('gives CamVid images a one-frame clip each and converts their labels', async () => {
    const data = temp('ds-cv-');
    await writeCamvidFixture(data);
    const { open, summary } = await initProject({ dir: temp('ds-proj-'), dataset: data });
    expect(summary).toMatchObject({ format: 'camvid', clips: 3, frames: 3, keyframes: 3, withGroundTruth: 3 });
    expect((await importLabels(open)).imported).toBe(3);
    await open.close();
  });

  it('says clearly when a folder is not a project', async () => {
    await expect(openProject(temp('ds-none-'))).rejects.toThrow(/is not a DepthSeg project/);
  });
});
