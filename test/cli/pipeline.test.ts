/**
 * The whole headless loop through the real `depthseg` process, on tiny generated data:
 * synth -> init -> train-sde -> select -> import-labels -> train-seg -> eval -> export ->
 * predict -> status. Each step reads what the one before wrote.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRgb } from '../../src/core/data/imageIo';
import { freshDirs } from '../data/fixtures';
import { runCli } from './runCli';

const temp = freshDirs();
const engine = ['--backend', 'wasm', '--threads', '1'];

function ok(args: string[]): { stdout: string; stderr: string } {
  const r = runCli(args);
  expect(r.code, `depthseg ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}
const json = (args: string[]) => JSON.parse(ok([...args, '--json']).stdout);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('the pipeline through the CLI (spawned)', () => {
  it('goes from generated video to exported labels and predictions', async () => {
    const work = temp('cli-pipeline');
    const data = join(work, 'synth');
    const proj = join(work, 'proj');

    const synth = json(['synth', '--out', data, '--sequences', '8', '--size', '64x128', '--seed', '4']);
    expect(synth).toMatchObject({ sequences: 8, train: 6, val: 2 });

    const init = json(['init', '--project', proj, '--dataset', data]);
    expect(init).toMatchObject({ format: 'cityscapes', clips: 8, frames: 240, keyframes: 8, withGroundTruth: 8 });

    const sde = json(['train-sde', '--project', proj, '--net', 'tiny', '--size', '32x64', '--steps', '2', '--batch', '2', ...engine]);
    expect(sde).toMatchObject({ kind: 'sde', status: 'done', step: 2 });

    // select takes the project's newest SDE model by itself
    const round = json(['select', '--project', proj, '--budget', '2', '--student-steps', '2', '--student-net', 'tiny', ...engine]);
    expect(round).toMatchObject({ method: 'ds_us', basis: 'diversity', frames: 6 });
    expect(round.picks).toHaveLength(2);
    expect(round.sdeModelDir).toBe(sde.modelDir);

    const labels = json(['import-labels', '--project', proj]);
    expect(labels).toMatchObject({ imported: 8, kept: 0 });

    // every train frame is labelled now: transfer from the SDE weights, no mixing
    const seg = json(['train-seg', '--project', proj, '--mode', 'transfer', '--mix', 'none', '--steps', '2', '--batch', '2', ...engine]);
    expect(seg).toMatchObject({ kind: 'seg', mode: 'transfer', status: 'done', step: 2 });
    expect(seg.config).toMatchObject({ net: 'tiny', height: 32, width: 64, labelledFrames: 6, sdeRunId: sde.runId });
    expect(seg.metrics.evalFrames).toBe(2);

    const ev = json(['eval', '--project', proj, '--model', seg.modelDir, ...engine]);
    expect(ev.frames).toBe(2);
    expect(ev.segmentation.miou).toBeGreaterThanOrEqual(0);
    expect(ev.segmentation.miou).toBeLessThanOrEqual(100);
    expect(ev.segmentation.perClass).toHaveLength(19);

    const out = join(work, 'export');
    const exported = json(['export', '--project', proj, '--out', out]);
    expect(exported).toMatchObject({ exported: 8, files: 8 * 3 + 1 });
    const exportedFiles = filesUnder(out);
    expect(exportedFiles).toContain(join(out, 'manifest.json'));
    for (const suffix of ['_gtFine_labelIds.png', '_gtFine_labelTrainIds.png', '_gtFine_color.png']) {
      expect(exportedFiles.filter((f) => f.endsWith(suffix))).toHaveLength(8);
    }

    const predDir = join(work, 'pred');
    const pred = json(['predict', '--project', proj, '--model', seg.modelDir, '--out', predDir, '--split', 'val', ...engine]);
    expect(pred).toMatchObject({ frames: 2, outputs: ['classIds', 'seg'] });
    expect(pred.files).toBe(4);
    // Cityscapes layout: predictions keep the frame's {split}/{city} folder
    const segPngs = filesUnder(predDir).filter((f) => f.endsWith('_seg.png'));
    expect(segPngs).toHaveLength(2);
    expect(segPngs.every((f) => f.startsWith(join(predDir, 'val', 'synth') + '/'))).toBe(true);
    const img = await readRgb(segPngs[0]!);
    expect([img.height, img.width]).toEqual([32, 64]); // the model's size

    const status = json(['status', '--project', proj]);
    expect(status.runs.map((r: { kind: string; status: string }) => `${r.kind}:${r.status}`)).toEqual(['sde:done', 'seg:done']);
    expect(status.overview).toMatchObject({ suggested: 2, selectionRounds: 1 });
    expect(status.overview.masks.done).toBe(8);
    expect(existsSync(join(proj, 'project.sqlite'))).toBe(true);
  }, 240_000); // about 30 s of CPU; the rest is waiting on a shared machine
});
