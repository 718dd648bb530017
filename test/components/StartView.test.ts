import { enableAutoUnmount, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import StartView from '../../src/renderer/src/views/StartView.vue';
import { freshPinia, installFakeApi, settle } from './fakeApi';
import { overview, PROJECT } from './fixtures';

const fake = installFakeApi();
let pinia: Pinia;
enableAutoUnmount(afterEach);

beforeEach(() => {
  pinia = freshPinia();
  fake.reset({
    projectRecent: () => [
      { dir: '/projects/street', name: 'street', openedAt: '2025-03-01T10:00:00Z', exists: true },
      { dir: '/projects/gone', name: 'gone', openedAt: '2025-02-01T10:00:00Z', exists: false },
    ],
    projectCreate: (p) => ({ dir: p.dir, name: p.dir.split('/').pop()! }),
    projectOpen: (p) => ({ dir: p.dir, name: p.dir.split('/').pop()! }),
    projectOverview: () => overview(),
  });
});

async function mountStart() {
  const w = mount(StartView, { global: { plugins: [pinia] }, attachTo: document.body });
  await settle();
  return w;
}

describe('StartView', () => {
  it('lists the recent projects; a missing one is marked and cannot be opened', async () => {
    const w = await mountStart();
    const items = w.findAll('[data-testid="recent-list"] li');
    expect(items.map((li) => li.text())).toEqual(['street/projects/street', 'gone/projects/gone (missing)']);
    expect(items[1]!.get('button').attributes('disabled')).toBeDefined();
    expect(items[0]!.get('button').attributes('disabled')).toBeUndefined();

    await items[0]!.get('button').trigger('click');
    await settle();
    expect(fake.paramsOf('projectOpen')).toEqual([{ dir: '/projects/street' }]);
    const project = useProjectStore();
    expect(project.project).toEqual(PROJECT);
    expect(project.view).toBe('overview');
  });

  it('says there are no recent projects when there are none', async () => {
    fake.handlers.projectRecent = () => [];
    const w = await mountStart();
    expect(w.find('[data-testid="recent-list"]').exists()).toBe(false);
    expect(w.text()).toContain('No recent projects.');
  });

  it('refuses to create a project without a folder, then creates one from synthetic data', async () => {
    const w = await mountStart();
    const dir = w.get('[data-testid="project-dir"]');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect((dir.element as HTMLInputElement).validity.valueMissing).toBe(true);
    expect(fake.paramsOf('projectCreate')).toEqual([]);
    expect(useProjectStore().project).toBeNull();

    await dir.setValue('/projects/new');
    await w.get('[data-testid="synth-sequences"]').setValue('4');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(fake.paramsOf('projectCreate')).toEqual([
      { dir: '/projects/new', synthetic: { sequences: 4, height: 64, width: 128, seed: 1 } },
    ]);
    expect(useProjectStore().view).toBe('overview');
  });

  it('from a dataset folder: the dataset folder is required too, and the chosen format is sent', async () => {
    const w = await mountStart();
    await w.get('[data-testid="source-folder"]').setValue(true);
    expect(w.find('[data-testid="synth-sequences"]').exists()).toBe(false);
    await w.get('[data-testid="project-dir"]').setValue('/projects/cam');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect((w.get('[data-testid="dataset-dir"]').element as HTMLInputElement).validity.valueMissing).toBe(true);
    expect(fake.paramsOf('projectCreate')).toEqual([]);

    await w.get('[data-testid="dataset-dir"]').setValue('/data/camvid');
    await w.get('[data-testid="dataset-format"]').setValue('camvid');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(fake.paramsOf('projectCreate')).toEqual([{ dir: '/projects/cam', dataset: '/data/camvid', format: 'camvid' }]);
  });

  it('disables creating while the core is busy', async () => {
    let finish: (p: { dir: string; name: string }) => void = () => undefined;
    fake.handlers.projectCreate = () => new Promise((ok) => (finish = ok));
    const w = await mountStart();
    await w.get('[data-testid="project-dir"]').setValue('/projects/new');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(useProjectStore().busy).toBe('Generating synthetic street data…');
    expect(w.get('[data-testid="create-project"]').attributes('disabled')).toBeDefined();
    finish({ dir: '/projects/new', name: 'new' });
    await settle();
    expect(useProjectStore().busy).toBe('');
  });
});
