import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDepthNet, saveModelToFolder, TINY } from '../../src/core/ml/nets';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import { listPicks, listSelectionRounds, listSuggestions } from '../../src/core/store';
import { generateSynthDataset } from '../../src/core/synth';
import { freshDirs } from '../data/fixtures';
import { SIZE, useCpuEngine } from '../ml/nets/netSetup';
import { runCli } from './runCli';

const temp = freshDirs();
let project = '';
let sdeModel = '';

beforeAll(async () => {
  await useCpuEngine();
  const work = temp('cli-select');
  const data = join(work, 'synth');
  // 8 sequences: 6 train snippets, so 6 train frames to label
  await generateSynthDataset({ out: data, sequences: 8, size: SIZE, seed: 2 });
  project = join(work, 'proj');
  await (await initProject({ dir: project, dataset: data })).open.close();
  sdeModel = join(work, 'sde');
  const net = buildDepthNet(TINY, SIZE, { seed: 1 });
  await saveModelToFolder(net, sdeModel);
  net.dispose();
});

const engine = ['--backend', 'wasm', '--threads', '1'];

describe('depthseg select (spawned)', () => {
  it('fails with a clear message when the project has no SDE model and none is named', () => {
    const r = runCli(['select', '--project', project, '--budget', '2', ...engine]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--method ds_us needs an SDE depth model, and this project has no finished SDE run: .*--sde-model DIR/);
  });

  it('proposes frames by diversity first, then a second round extends the first with the student', async () => {
    const first = runCli(['select', '--project', project, '--budget', '2', '--sde-model', sdeModel, '--student-steps', '2', '--student-net', 'tiny', '--seed', '1', '--json', ...engine]);
    expect(first.stderr).not.toMatch(/error|select:/i); // --json: no progress lines
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a).toMatchObject({ method: 'ds_us', basis: 'diversity', frames: 6, selectedBefore: 0, featuresComputed: 6, student: null });
    expect(a.picks).toHaveLength(2);

    const second = runCli(['select', '--project', project, '--budget', '2', '--sde-model', sdeModel, '--student-steps', '2', '--student-net', 'tiny', '--seed', '1', ...engine]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/round #2 \(ds_us, by diversity\+uncertainty\): 2 frames proposed from 6 \(2 already selected\)/);
    expect(second.stdout).toMatch(/student trained on 2 frames for 2 steps/);
    expect(second.stdout).toMatch(/score = distance \+ \d+\.\d\d x uncertainty \(weight balanced: both terms spread alike\)/);
    expect(second.stdout).toMatch(/features: 0 computed/);
    expect(second.stderr).toMatch(/select: student/); // progress goes to stderr

    const p = await openProject(project);
    try {
      const rounds = await listSelectionRounds(p.store, p.project.id);
      expect(rounds.map((r) => [r.method, r.params['basis']])).toEqual([
        ['ds_us', 'diversity'],
        ['ds_us', 'diversity+uncertainty'],
      ]);
      expect(rounds[1]!.modelKey).toBe(rounds[0]!.modelKey);
      const firstIds = (await listPicks(p.store, rounds[0]!.id)).map((x) => x.frameId);
      const secondPicks = await listPicks(p.store, rounds[1]!.id);
      expect(firstIds).toEqual(a.picks.map((x: { frameId: number }) => x.frameId));
      for (const x of secondPicks) {
        expect(firstIds).not.toContain(x.frameId);
        expect(x.uncertaintyScore).toBeGreaterThanOrEqual(0);
        expect(x.diversityScore).toBeGreaterThan(0);
      }
      expect(await listSuggestions(p.store, p.project.id)).toHaveLength(4);
    } finally {
      await p.close();
    }
  });

  it('refuses an unknown method', () => {
    const r = runCli(['select', '--project', project, '--budget', '2', '--method', 'best']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--method must be one of random, ds, us, ds_us, entropy/);
  });

  it('refuses a weight that is neither a number >= 0 nor balanced', () => {
    const r = runCli(['select', '--project', project, '--budget', '2', '--weight', 'heavy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--weight must be a number >= 0 or 'balanced' \(got 'heavy'\)/);
  });
});
