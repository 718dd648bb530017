import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMultiTaskNet, saveModelToFolder, TINY, withInitSeed } from '../../src/core/ml/nets';
import { initProject } from '../../src/core/project/initProject';
import { generateSynthDataset } from '../../src/core/synth';
import { freshDirs, writeTwoClipFramesFixture } from '../data/fixtures';
import { useCpuEngine } from '../ml/nets/netSetup';
import { runCli } from './runCli';

const temp = freshDirs();
let project = '';
let modelDir = '';

beforeAll(async () => {
  await useCpuEngine();
  const work = temp('cli-model');
  const data = join(work, 'synth');
  await generateSynthDataset({ out: data, sequences: 2, size: { height: 64, width: 128 }, seed: 9 });
  project = join(work, 'proj');
  await (await initProject({ dir: project, dataset: data })).open.close();
  modelDir = join(work, 'model');
  await saveModelToFolder(withInitSeed(1, () => buildMultiTaskNet(TINY, { height: 32, width: 64 })), modelDir);
});

describe('depthseg predict and eval with a model folder (spawned)', () => {
  it('predict writes segmentation and depth PNGs for the frames to label', () => {
    const out = join(temp('cli-pred'), 'out');
    const r = runCli(['predict', '--project', project, '--model', modelDir, '--out', out, '--backend', 'wasm', '--threads', '1', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ frames: 2, files: 8, outputs: ['classIds', 'seg', 'disp', 'disp_color'] });
    // Cityscapes: {split}/{city}/ as in the dataset
    expect(existsSync(join(out, 'train', 'synth', 'synth_000000_000019_seg.png'))).toBe(true);
    expect(existsSync(join(out, 'train', 'synth', 'synth_000000_000019_disp.png'))).toBe(true);
  });

  it('predict --all-frames keeps each clip of plain frames in its own folder when frame names repeat', async () => {
    const work = temp('cli-pred-frames');
    const data = await writeTwoClipFramesFixture(join(work, 'frames'));
    const proj = join(work, 'proj');
    await (await initProject({ dir: proj, dataset: data.root })).open.close();
    const out = join(work, 'out');
    const r = runCli(['predict', '--project', proj, '--model', modelDir, '--out', out, '--all-frames', '--backend', 'wasm', '--threads', '1']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const frames = data.clips.length * data.names.length;
    expect(r.stdout).toContain(`wrote ${frames * 4} files (classIds, seg, disp, disp_color) for ${frames} frames to ${out}`);
    for (const clip of data.clips) {
      expect(readdirSync(join(out, clip)).sort()).toEqual(
        data.names.flatMap((n) => ['classIds', 'disp', 'disp_color', 'seg'].map((o) => `${n.replace('.png', '')}_${o}.png`)).sort(),
      );
    }
  });

  it('eval scores the val split against labels and ground-truth depth', () => {
    const r = runCli(['eval', '--project', project, '--model', modelDir, '--backend', 'wasm', '--threads', '1', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.split).toBe('val');
    expect(result.frames).toBe(1);
    expect(result.segmentation.miou).toBeGreaterThanOrEqual(0);
    expect(result.segmentation.miou).toBeLessThanOrEqual(100);
    expect(result.depth.images).toBe(1);
    expect(result.depth.absRel).toBeGreaterThan(0);
  });

  it('says what is missing when --model is not a model folder', () => {
    const r = runCli(['eval', '--project', project, '--model', temp('empty')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no model.json here/);
  });
});
