import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexCityscapes, loadClipFrames, loadLabelledFrame, clipOf } from '../../src/core/data';
import { freshDirs } from '../data/fixtures';
import { runCli } from './runCli';

const temp = freshDirs();

describe('depthseg synth (spawned) writes data the Cityscapes reader loads back', () => {
  it('generates, indexes and loads a tiny dataset, then a project is made from it', async () => {
    const work = temp('cli-synth');
    const out = join(work, 'synth');
    const r = runCli(['synth', '--out', out, '--sequences', '3', '--size', '64x128', '--seed', '5', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const index = await indexCityscapes(out);
    const train = index.splits.train!;
    const val = index.splits.val!;
    expect(train.frames.length + val.frames.length).toBe(3);
    expect(val.frames.length).toBeGreaterThanOrEqual(1);
    const frame = train.frames[0]!;
    const clip = clipOf(index, frame);
    expect(clip.framePaths).toHaveLength(30);
    expect(clip.keyframeIndex).toBe(19);
    expect(clip.depthPaths).toHaveLength(30);
    expect([clip.width, clip.height]).toEqual([128, 64]);

    const loaded = await loadLabelledFrame(frame, { height: 32, width: 64 });
    expect([loaded.image.width, loaded.image.height, loaded.image.channels]).toEqual([64, 32, 3]);
    expect(loaded.label).not.toBeNull();
    for (const v of loaded.label!.data) expect(v === 255 || v < 19).toBe(true);
    const [prev, next] = await loadClipFrames(clip, [18, 20]);
    expect(prev!.data).not.toEqual(next!.data);

    const init = runCli(['init', '--project', join(work, 'proj'), '--dataset', out, '--json']);
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ format: 'cityscapes', clips: 3, frames: 90, keyframes: 3, withGroundTruth: 3 });
  });

  it('refuses sizes outside 64x128..1024x2048 with usage', () => {
    const r = runCli(['synth', '--out', '/tmp/never', '--size', '32x64']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--size must be between 64x128 and 1024x2048/);
  });
});
