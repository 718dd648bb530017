import { enableAutoUnmount, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import OverviewView from '../../src/renderer/src/views/OverviewView.vue';
import { freshPinia, installFakeApi, settle } from './fakeApi';
import { frameEntry, overview } from './fixtures';

const fake = installFakeApi();
let pinia: Pinia;
enableAutoUnmount(afterEach);

beforeEach(() => {
  pinia = freshPinia();
  fake.reset({
    projectOpen: (p) => ({ dir: p.dir, name: 'street' }),
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
});
