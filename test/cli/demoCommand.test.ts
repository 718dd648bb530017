/**
 * `depthseg demo` with the tests' tiny settings (DEPTHSEG_DEMO_TINY=1), spawned: every stage
 * runs, the report and metrics.json hold this run's numbers, and a second start continues
 * (finished stages skipped, no new training runs) instead of starting over.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProject } from '../../src/core/project/openProject';
import { listMasks, listRuns } from '../../src/core/store';
import { freshDirs } from '../data/fixtures';
import { spawnCli } from './spawnCli';

const temp = freshDirs();
const engine = ['--backend', 'wasm', '--threads', '1'];
const tiny = { DEPTHSEG_DEMO_TINY: '1' };

describe('depthseg demo (spawned, tiny settings)', () => {
  it('writes a self-contained report and metrics.json from its own run, and continues on a second start', async () => {
    const work = temp('cli-demo');
    const out = join(work, 'demo');
    const ablationFile = join(work, 'ablation.json');
    writeFileSync(ablationFile, JSON.stringify({ miou: { scratch: 20.5, transfer: 25, multitask: 27, classmix: 28, depthmix: 30, full: 40 }, caption: 'test numbers' }));

    const first = await spawnCli(['demo', '--out', out, '--ablation', ablationFile, ...engine], { env: tiny }).done;
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`report: ${join(out, 'report.html')}`);
    expect(first.stdout).toMatch(/validation mIoU \d+\.\d% \(pixel accuracy \d+\.\d%\) from 3 labelled of 6 train frames/);
    for (const stage of ['[1/8] generating 8 synthetic sequences', '[3/8] training self-supervised depth', '[4/8] selecting frames', '[5/8] stand-in annotator', '[6/8] training segmentation (transfer + none', '[8/8] writing']) {
      expect(first.stderr).toContain(stage);
    }

    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.dataset).toMatchObject({ clips: { train: 6, val: 2 }, framesToLabel: { train: 6, val: 2 }, labelledTrainFrames: 3 });
    expect(metrics.sde).toMatchObject({ status: 'done', steps: 2 });
    expect(metrics.sde.depth.absRel).toBeGreaterThan(0);
    expect(metrics.selection.rounds.map((r: { basis: string; picks: unknown[] }) => [r.basis, r.picks.length])).toEqual([
      ['diversity', 2],
      ['diversity+uncertainty', 1],
    ]);
    const s = metrics.segmentation;
    expect(s).toMatchObject({ mode: 'transfer', mix: 'none', status: 'done', steps: 2, labelledFrames: 3, evalFrames: 2 });
    expect(s.miou).toBeGreaterThanOrEqual(0);
    expect(s.miou).toBeLessThanOrEqual(100);
    expect(Object.keys(s.perClassIou)).toHaveLength(19);
    expect(metrics.depth.source).toMatch(/SDE run #\d+/); // the default (transfer) keeps no depth branch: depth is the SDE run's
    expect(metrics.ablation.miou.depthmix).toBe(30);
    expect(Object.keys(metrics.timings)).toEqual(expect.arrayContaining(['synth', 'init', 'sde', 'select', 'label', 'seg', 'eval']));

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const section of ['Dataset', 'Results', 'Ablation', 'Training curves', 'Per-class IoU', 'Frames selected for labelling, in selection order', 'Validation frames']) {
      expect(html).toContain(`<h2>${section}`);
    }
    // this run's numbers, Cityscapes class names, inlined images and plots, nothing external
    expect(html).toContain(`${s.miou.toFixed(1)}%`);
    expect(html).toContain('traffic sign');
    expect(html).toContain('DepthMix reaches 75% of the all-labels mIoU');
    for (const panel of ['image', 'ground truth', 'prediction', 'depth (SDE, near = bright)', 'error (red wrong, grey right)']) expect(html).toContain(`<th>${panel}</th>`);
    expect(html.match(/<img class="thumb" alt="" src="data:image\/png;base64,/g)).toHaveLength(3);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<script|(src|href)="https?:/i);

    const p = await openProject(join(out, 'project'));
    try {
      expect((await listMasks(p.store, { projectId: p.project.id, status: 'done' })).map((m) => m.author)).toEqual(Array(3).fill('stand-in annotator (synthetic ground truth)'));
    } finally {
      await p.close();
    }

    // A second start continues: finished stages are skipped, the report is written again.
    const second = await spawnCli(['demo', '--out', out, '--json', ...engine], { env: tiny }).done;
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'done', stage: 'report', reportPath: join(out, 'report.html') });
    expect(second.stderr).not.toMatch(/demo \[|train-s/); // --json: no stage or progress lines
    const q = await openProject(join(out, 'project'));
    try {
      expect((await listRuns(q.store, q.project.id)).map((r) => `${r.kind}:${r.status}`)).toEqual(['sde:done', 'seg:done']);
    } finally {
      await q.close();
    }

    // Other settings in the same folder: refused, nothing touched.
    const other = await spawnCli(['demo', '--out', out, '--quick', ...engine]).done;
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds a demo with other settings \(the tiny preset\); continue it with the same options, or use another --out DIR/);
  }, 180_000);
});
