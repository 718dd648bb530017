import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDirs, writeCityscapesFixture } from '../data/fixtures';
import { runCli } from './runCli';

const temp = freshDirs();

describe('depthseg project commands (spawned)', () => {
  it('init, import-labels and status work on a dataset and report JSON', async () => {
    const data = temp('cli-ds');
    const work = temp('cli-proj');
    await writeCityscapesFixture(data);
    const project = join(work, 'proj');

    const init = runCli(['init', '--project', project, '--dataset', data, '--json']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ format: 'cityscapes', frames: 36, keyframes: 3 });

    const imp = runCli(['import-labels', '--project', project, '--json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toEqual({ imported: 3, kept: 0, candidates: 3 });

    const status = runCli(['status', '--project', project, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).overview).toMatchObject({ frames: 36, keyframes: 3, masks: { done: 3 } });

    const human = runCli(['status', '--project', project]);
    expect(human.stdout).toMatch(/labels: 3 done/);

    const exported = runCli(['export', '--project', project, '--out', join(work, 'export'), '--json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout).exported).toBe(3);
    expect(runCli(['export', '--project', project, '--out', join(work, 'x'), '--status', 'finished']).code).toBe(2);
  });

  it('names the folder when a dataset is missing, and exits 1', () => {
    const work = temp('cli-miss');
    const r = runCli(['init', '--project', join(work, 'p'), '--dataset', join(work, 'no-such-folder'), '--format', 'cityscapes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-such-folder/);
  });

  it('exits 2 with usage for unknown commands and options', () => {
    expect(runCli(['frobnicate']).code).toBe(2);
    const r = runCli(['status', '--projekt', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --projekt/);
  });
});
