import { enableAutoUnmount, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import App from '../../src/renderer/src/App.vue';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import { installFakeApi, settle } from './fakeApi';
import { frameEntry, overview, PROJECT, projectInfo, trainingDefaults } from './fixtures';

const fake = installFakeApi();
// One Pinia for the file: the training store subscribes to the bridge's events once per page.
const pinia = createPinia();
setActivePinia(pinia);
enableAutoUnmount(afterEach);

beforeEach(() => {
  sessionStorage.clear();
  useAppStore().$reset();
  useProjectStore().$reset();
  useTrainingStore().$reset();
  fake.reset({
    appInfo: () => ({ name: 'depthseg-workbench', version: '0.1.0', shell: 'host' }),
    projectRecent: () => [],
    projectOpen: (p) => projectInfo(p.dir),
    projectOverview: () => overview(),
    frameList: () => [frameEntry(1)],
    trainingStatus: () => ({ job: null, last: null }),
    trainingRuns: () => [],
    trainingDefaults: () => trainingDefaults(),
  });
});
afterEach(() => useTrainingStore().stopPolling());

async function mountApp() {
  const w = mount(App, { global: { plugins: [pinia] } });
  await settle();
  return w;
}

describe('App', () => {
  it('connects to the core, shows its version and starts on the start screen', async () => {
    const w = await mountApp();
    expect(w.get('.version').text()).toBe('v0.1.0 (host)');
    expect(w.find('[data-testid="create-form"]').exists()).toBe(true);
    expect(w.find('nav').exists()).toBe(false);
  });

  it('says so when the core cannot be reached', async () => {
    fake.handlers.appInfo = () => {
      throw new Error('cannot reach the workbench host (is it running, and is the link complete with its #token?)');
    };
    const w = await mountApp();
    expect(w.get('[role="alert"]').text()).toBe('cannot reach the workbench host (is it running, and is the link complete with its #token?)');
    expect(w.find('[data-testid="create-form"]').exists()).toBe(false);
  });

  it('carries out the desktop File menu with the start view’s own actions: open, new in a chosen folder, close', async () => {
    fake.handlers.projectClose = () => ({ closed: true });
    const w = await mountApp();
    fake.emit('menu.command', { command: 'project.open', dir: '/projects/street' });
    await settle();
    expect(fake.paramsOf('projectOpen')).toEqual([{ dir: '/projects/street' }]);
    expect(w.get('[data-testid="project-name"]').text()).toBe('street');
    expect(w.get('[data-testid="stat-frames"]').text()).toBe('240');

    fake.emit('menu.command', { command: 'project.new', dir: '/projects/new-street' });
    await settle();
    expect((w.get('[data-testid="project-dir"]').element as HTMLInputElement).value).toBe('/projects/new-street');
    await w.get('[data-testid="project-dir"]').setValue('edited');
    fake.emit('menu.command', { command: 'project.new', dir: '/projects/new-street' });
    await settle();
    expect((w.get('[data-testid="project-dir"]').element as HTMLInputElement).value).toBe('/projects/new-street');

    fake.emit('menu.command', { command: 'project.close' });
    await settle();
    expect(fake.paramsOf('projectClose')).toEqual([{ projectId: 1 }]);
    expect(w.find('nav').exists()).toBe(false);
    // Close with nothing open asks the core nothing.
    fake.emit('menu.command', { command: 'project.close' });
    await settle();
    expect(fake.paramsOf('projectClose')).toHaveLength(1);
  });

  it('stops following the menu once the app is unmounted', async () => {
    const w = await mountApp();
    w.unmount();
    fake.emit('menu.command', { command: 'project.open', dir: '/projects/street' });
    await settle();
    expect(fake.paramsOf('projectOpen')).toEqual([]);
  });

  it('after a reload reopens the project and view the window showed, and the nav switches views', async () => {
    sessionStorage.setItem('depthseg.view', JSON.stringify({ view: 'queue', frameId: null, dir: PROJECT.dir }));
    const w = await mountApp();
    expect(fake.paramsOf('projectOpen')).toEqual([{ dir: PROJECT.dir }]);
    expect(w.get('[data-testid="project-name"]').text()).toBe('street');
    expect(w.find('[data-testid="queue-table"]').exists()).toBe(true);
    await w.get('[data-testid="nav-training"]').trigger('click');
    await settle();
    expect(w.find('[data-testid="training"]').exists()).toBe(true);
    expect(w.get('[data-testid="nav-training"]').classes()).toContain('active');
    await w.findAll('nav button').find((b) => b.text() === 'Overview')!.trigger('click');
    await settle();
    expect(w.get('[data-testid="stat-frames"]').text()).toBe('240');
  });
});
