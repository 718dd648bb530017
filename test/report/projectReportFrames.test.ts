import { describe, expect, it } from 'vitest';
import { initProject } from '../../src/core/project/initProject';
import { buildProjectReport } from '../../src/core/report/projectReport';
import { createSelectionRound, listFrames } from '../../src/core/store';
import { freshDirs, writeTwoClipFramesFixture } from '../data/fixtures';

const temp = freshDirs();

describe('the project report names frames', () => {
  it('by their folder within the dataset, so frames of one name in two clips are told apart', async () => {
    const data = await writeTwoClipFramesFixture(temp('rep-ds'), 2);
    const { open } = await initProject({ dir: temp('rep-proj'), dataset: data.root });
    const same = (await listFrames(open.store)).filter((f) => f.imagePath.endsWith('/000000.png'));
    expect(same).toHaveLength(2);
    await createSelectionRound(open.store, { projectId: open.project.id, method: 'random', picks: same.map((f) => ({ frameId: f.id })) });
    const { metrics, html } = await buildProjectReport(open, { now: () => new Date(0) });
    await open.close();
    expect(metrics.selection.rounds[0]!.picks.map((k) => k.frame)).toEqual(['seq1/000000', 'seq2/000000']);
    expect(html).toContain('seq1/000000 (round 1, random)');
    expect(html).toContain('seq2/000000 (round 1, random)');
  });
});
