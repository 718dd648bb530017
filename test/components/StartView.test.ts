import { enableAutoUnmount, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import StartView from '../../src/renderer/src/views/StartView.vue';
import { freshPinia, installFakeApi, settle } from './fakeApi';
import { overview, PROJECT, projectInfo } from './fixtures';

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
    projectCreate: (p) => projectInfo(p.dir),
    projectOpen: (p) => projectInfo(p.dir),
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

  it('refuses to create a project without a folder, saying so next to it, then creates one from synthetic data', async () => {
    const w = await mountStart();
    const dir = w.get('[data-testid="project-dir"]');
    expect(w.find('[data-testid="project-dir-problem"]').exists()).toBe(false);
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(w.get('[data-testid="project-dir-problem"]').text()).toBe('Give a folder for the new project (it is created if missing).');
    expect(dir.attributes('aria-invalid')).toBe('true');
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

  it('from a dataset folder: the dataset folder is required too, and the chosen format is sent with the label set it brings said', async () => {
    const w = await mountStart();
    await w.get('[data-testid="source-folder"]').setValue(true);
    expect(w.find('[data-testid="synth-sequences"]').exists()).toBe(false);
    await w.get('[data-testid="project-dir"]').setValue('/projects/cam');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(w.get('[data-testid="dataset-dir-problem"]').text()).toBe('Give the folder that holds the dataset.');
    expect(fake.paramsOf('projectCreate')).toEqual([]);

    await w.get('[data-testid="dataset-dir"]').setValue('/data/camvid');
    await w.get('[data-testid="dataset-format"]').setValue('camvid');
    expect(w.get('[data-testid="label-set-note"]').text()).toContain('the project uses CamVid (11 classes');
    expect(w.find('[data-testid="class-editor"]').exists()).toBe(false);
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(fake.paramsOf('projectCreate')).toEqual([{ dir: '/projects/cam', dataset: '/data/camvid', format: 'camvid' }]);
  });

  it("shows the core's refusal next to the field it is about", async () => {
    fake.handlers.projectCreate = (p) => {
      throw Object.assign(new Error(`the folder ${p.dataset} does not exist: check the path, or create a new project there`), { name: 'UsageError' });
    };
    const w = await mountStart();
    await w.get('[data-testid="source-folder"]').setValue(true);
    await w.get('[data-testid="project-dir"]').setValue('/projects/cam');
    await w.get('[data-testid="dataset-dir"]').setValue('/data/nowhere');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(w.get('[data-testid="dataset-dir-problem"]').text()).toBe('the folder /data/nowhere does not exist: check the path, or create a new project there');
    expect(w.find('[data-testid="project-dir-problem"]').exists()).toBe(false);
    expect(useProjectStore().project).toBeNull();
    // Typing again clears it: it was about the value before.
    await w.get('[data-testid="dataset-dir"]').setValue('/data/camvid');
    expect(w.find('[data-testid="dataset-dir-problem"]').exists()).toBe(false);
  });

  it('checks the synthetic sizes before sending', async () => {
    const w = await mountStart();
    await w.get('[data-testid="project-dir"]').setValue('/projects/new');
    await w.get('[data-testid="synth-height"]').setValue('8');
    await w.get('[data-testid="synth-sequences"]').setValue('');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(w.get('[data-testid="synth-height-problem"]').text()).toBe('The height must be from 16 to 2048.');
    expect(w.get('[data-testid="synth-sequences-problem"]').text()).toBe('Give the number of sequences.');
    expect(fake.paramsOf('projectCreate')).toEqual([]);
  });

  it('plain frames: an optional class list with names and colours, checked row by row, sent as classes', async () => {
    const w = await mountStart();
    await w.get('[data-testid="source-folder"]').setValue(true);
    await w.get('[data-testid="project-dir"]').setValue('/projects/clips');
    await w.get('[data-testid="dataset-dir"]').setValue('/data/clips');
    await w.get('[data-testid="dataset-format"]').setValue('frames');
    expect(w.get('[data-testid="class-editor"]').text()).toContain('Leave the list empty for the 19 Cityscapes classes.');
    for (let i = 0; i < 3; i++) await w.get('[data-testid="class-add"]').trigger('click');
    const names = () => w.findAll('[data-testid="class-name"]');
    await names()[0]!.setValue('lane');
    await names()[1]!.setValue('Lane');
    await names()[2]!.setValue('kerb');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(w.get('[data-testid="class-row-1"]').text()).toContain("Class name 'Lane' is used twice (classes 1 and 2)");
    expect(fake.paramsOf('projectCreate')).toEqual([]);

    await names()[1]!.setValue('pothole');
    await w.findAll('[data-testid="class-colour"]')[1]!.setValue('#ff0000');
    await w.findAll('[data-testid="class-remove"]')[2]!.trigger('click');
    expect(names()).toHaveLength(2);
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(fake.paramsOf('projectCreate')).toEqual([
      { dir: '/projects/clips', dataset: '/data/clips', format: 'frames', classes: [{ name: 'lane' }, { name: 'pothole', color: '#ff0000' }] },
    ]);
  });

  it("opening a folder that is not a project shows the core's message next to the field", async () => {
    fake.handlers.projectOpen = (p) => {
      throw Object.assign(new Error(`${p.dir} is not a DepthSeg project (it has no project.sqlite): choose the project's folder, or create a new project there`), { name: 'UsageError' });
    };
    const w = await mountStart();
    await w.get('[data-testid="open-dir"]').setValue('/tmp/photos');
    await w.get('[data-testid="open-project"]').trigger('submit');
    await settle();
    expect(w.get('[data-testid="open-problem"]').text()).toBe("/tmp/photos is not a DepthSeg project (it has no project.sqlite): choose the project's folder, or create a new project there");
    expect(w.text()).not.toMatch(/depthseg (init|serve)/);
    expect(useProjectStore().project).toBeNull();
  });

  it('disables creating while the core is busy', async () => {
    let finish: (p: ReturnType<typeof projectInfo>) => void = () => undefined;
    fake.handlers.projectCreate = () => new Promise((ok) => (finish = ok));
    const w = await mountStart();
    await w.get('[data-testid="project-dir"]').setValue('/projects/new');
    (w.get('[data-testid="create-project"]').element as HTMLButtonElement).click();
    await settle();
    expect(useProjectStore().busy).toBe('Generating synthetic street data…');
    expect(w.get('[data-testid="create-project"]').attributes('disabled')).toBeDefined();
    finish(projectInfo('/projects/new'));
    await settle();
    expect(useProjectStore().busy).toBe('');
  });
});
