import { enableAutoUnmount, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import OverviewView from '../../src/renderer/src/views/OverviewView.vue';
import { freshPinia, installFakeApi, settle } from './fakeApi';
import { CAMVID_LABEL_SET, frameEntry, overview, projectInfo } from './fixtures';

const fake = installFakeApi();
let pinia: Pinia;
enableAutoUnmount(afterEach);

beforeEach(() => {
  pinia = freshPinia();
  fake.reset({
    projectOpen: (p) => projectInfo(p.dir),
    projectOverview: () => overview(),
    frameList: () => [frameEntry(1)],
  });
});

describe('OverviewView', () => {
  it('shows the counts the core gives for the opened project', async () => {
    const w = mount(OverviewView, { global: { plugins: [pinia] } });
    expect(w.text()).toContain('Loading the overview…');
    await useProjectStore().open('/projects/street');
    await settle();
    const stats = Object.fromEntries(w.findAll('dl.stats > div').map((d) => [d.get('dt').text(), d.get('dd').text()]));
    expect(stats).toEqual({
      Frames: '240',
      Clips: '12',
      'Labelled frames of the datasets': '12',
      'Masks done': '4',
      'In progress': '2',
      Skipped: '1',
      Suggested: '16 (2 rounds)',
      'Training runs': '3',
    });
    expect(w.get('[data-testid="stat-frames"]').text()).toBe('240');
    expect(w.get('[data-testid="stat-done"]').text()).toBe('4');
  });

  it('leads to the queue and to the review', async () => {
    const w = mount(OverviewView, { global: { plugins: [pinia] } });
    const project = useProjectStore();
    await project.open('/projects/street');
    await settle();
    await w.get('[data-testid="go-queue"]').trigger('click');
    await settle();
    expect(project.view).toBe('queue');
    expect(project.queue.map((e) => e.frameId)).toEqual([1]);
    await w.get('[data-testid="go-review"]').trigger('click');
    expect(project.view).toBe('review');
  });

  it('says which label set the project has', async () => {
    fake.handlers.projectOpen = (p) => projectInfo(p.dir, { labelSet: CAMVID_LABEL_SET });
    const w = mount(OverviewView, { global: { plugins: [pinia] } });
    await useProjectStore().open('/projects/cam');
    await settle();
    expect(w.get('[data-testid="label-set"]').text()).toContain('Label set: CamVid (11 classes)');
    expect(w.get('[data-testid="label-set"]').text()).toContain('sign/symbol');
  });

  it('"Export labels…" writes the masks into the folder given and says what was written, or why not next to the field', async () => {
    fake.handlers.projectOpen = (p) => projectInfo(p.dir, { labelSet: CAMVID_LABEL_SET });
    const w = mount(OverviewView, { global: { plugins: [pinia] } });
    await useProjectStore().open('/projects/cam');
    await settle();
    expect(w.find('[data-testid="export-form"]').exists()).toBe(false);
    await w.get('[data-testid="export-open"]').trigger('click');
    expect(w.get('[data-testid="export-form"]').text()).toContain('{split}annot/{name}.png (CamVid values 0..10, void 11)');

    // Nothing sent without a folder.
    await w.get('[data-testid="export-form"]').trigger('submit');
    await settle();
    expect(w.get('[data-testid="export-problem"]').text()).toBe('Give the folder to write the labels into (outside the project and its datasets).');
    expect(fake.paramsOf('labelsExport')).toEqual([]);

    fake.handlers.labelsExport = (p) => {
      throw Object.assign(new Error(`${p.out}: exporting there would write into the dataset folder /data/camvid; choose a folder outside the project and its datasets`), { name: 'UsageError' });
    };
    await w.get('[data-testid="export-dir"]').setValue('/data/camvid/out');
    await w.get('[data-testid="export-form"]').trigger('submit');
    await settle();
    expect(fake.paramsOf('labelsExport')).toEqual([{ projectId: 1, out: '/data/camvid/out' }]);
    expect(w.get('[data-testid="export-problem"]').text()).toBe(
      '/data/camvid/out: exporting there would write into the dataset folder /data/camvid; choose a folder outside the project and its datasets',
    );
    expect(w.get('[data-testid="export-dir"]').attributes('aria-invalid')).toBe('true');

    fake.handlers.labelsExport = (p) => ({ exported: 3, files: 7, out: p.out, manifest: `${p.out}/manifest.json` });
    await w.get('[data-testid="export-dir"]').setValue('/exports/cam');
    expect(w.find('[data-testid="export-problem"]').exists()).toBe(false);
    await w.get('[data-testid="export-form"]').trigger('submit');
    await settle();
    expect(w.get('[data-testid="export-result"]').text()).toBe('Wrote 3 masks (7 files) into /exports/cam; the list is in /exports/cam/manifest.json.');
  });
});
