/**
 * A window whose project another window closed (or replaced): the banner, the refused calls,
 * the edit kept in memory and saved after "Reopen" with the new projectId. The fake plays the
 * core's project session: one open project, an id per opening, calls naming another id
 * refused with ProjectClosedError, and 'project.closed' pushed when the project closes.
 */
import { enableAutoUnmount, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrameData } from '../../src/core/api/contract';
import App from '../../src/renderer/src/App.vue';
import AnnotatorCanvas from '../../src/renderer/src/annotator/AnnotatorCanvas.vue';
import { base64ToBytes, bytesToBase64 } from '../../src/renderer/src/api/bytes';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { installFakeApi, settle } from './fakeApi';
import { frameEntry, NOBODY, overview, PROJECT, projectInfo } from './fixtures';

const fake = installFakeApi();
const pinia = createPinia();
setActivePinia(pinia);
enableAutoUnmount(afterEach);

const W = 4;
const H = 2;
const OTHER = '/projects/other';
const CLOSED = "this window's project was closed in another window: reopen it to go on (nothing was saved or changed by this action)";

/** The core's session: which folder is open under which id. */
let session: { id: number; dir: string | null; lastId: number };
/** Saved masks by project folder and frame. */
let saved: Map<string, { mask: number[]; version: number }>;

function refuseUnlessOpen(p: { projectId: number }): string {
  if (session.dir === null || p.projectId !== session.id) throw Object.assign(new Error(CLOSED), { name: 'ProjectClosedError' });
  return session.dir;
}
/** Another window opens `dir`: the open project closes and every window hears it. */
function openElsewhere(dir: string): void {
  const before = session;
  session = { id: before.lastId + 1, dir, lastId: before.lastId + 1 };
  if (before.dir) fake.emit('project.closed', { projectId: before.id, dir: before.dir });
}

function frameData(dir: string, frameId: number): FrameData {
  const s = saved.get(`${dir}#${frameId}`);
  return {
    frameId,
    imagePath: `${dir}/f${frameId}.png`,
    width: W,
    height: H,
    imageDataUrl: `data:image/png;base64,${dir}`,
    maskBase64: s ? bytesToBase64(Uint8Array.from(s.mask)) : null,
    maskVersion: s?.version ?? 0,
    status: s ? 'in_progress' : 'todo',
    nextInClip: null,
    previousInClip: null,
    work: NOBODY,
  };
}

beforeEach(() => {
  sessionStorage.clear();
  useAppStore().$reset();
  useProjectStore().$reset();
  session = { id: 0, dir: null, lastId: 0 };
  saved = new Map([[`${PROJECT.dir}#5`, { mask: [0, 0, 0, 0, 255, 255, 255, 255], version: 3 }]]);
  fake.reset({
    appInfo: () => ({ name: 'depthseg-workbench', version: '0.1.0', shell: 'host' }),
    projectRecent: () => [],
    projectOpen: (p) => {
      if (session.dir !== p.dir) openElsewhere(p.dir);
      return projectInfo(p.dir, { projectId: session.id });
    },
    projectOverview: (p) => ({ ...overview(), projectId: p.projectId, dir: refuseUnlessOpen(p) }),
    frameList: (p) => (refuseUnlessOpen(p), [frameEntry(5)]),
    frameGet: (p) => frameData(refuseUnlessOpen(p), p.frameId),
    reviewRuns: (p) => (refuseUnlessOpen(p), { runs: [], latestSeg: null, latestDepth: null }),
    maskSave: (p) => {
      const dir = refuseUnlessOpen(p);
      const key = `${dir}#${p.frameId}`;
      const version = saved.get(key)?.version ?? 0;
      if (p.expectedVersion !== version) throw new Error(`the mask of frame ${p.frameId} was saved elsewhere meanwhile (version ${version})`);
      saved.set(key, { mask: [...base64ToBytes(p.maskBase64)], version: version + 1 });
      return { frameId: p.frameId, version: version + 1, status: 'in_progress' };
    },
  });
  // The window showed frame 5 of the street project before (a reload restores it).
  sessionStorage.setItem('depthseg.view', JSON.stringify({ view: 'annotate', frameId: 5, dir: PROJECT.dir }));
});

async function mountApp() {
  const w = mount(App, { global: { plugins: [pinia], stubs: { AnnotatorCanvas: true } }, attachTo: document.body });
  await settle();
  return w;
}
type Wrapper = Awaited<ReturnType<typeof mountApp>>;
const saveState = (w: Wrapper): string | undefined => w.get('[data-testid="save-state"]').attributes('data-state');
const paint = (w: Wrapper, mask: number[]): void => {
  w.getComponent(AnnotatorCanvas).vm.$emit('change', { mask: Uint8Array.from(mask), width: W, height: H });
};

describe('a window whose project was closed in another window', () => {
  it('shows so in words, keeps an edit the core refuses, and saves it into its own project after Reopen', async () => {
    const w = await mountApp();
    expect(fake.sentOf('frameGet')).toEqual([{ frameId: 5 }]);
    expect(fake.paramsOf('frameGet')[0]!.projectId).toBe(1);
    expect(w.find('[data-testid="project-closed"]').exists()).toBe(false);

    // Another window opens another project.
    openElsewhere(OTHER);
    await settle();
    const banner = w.get('[data-testid="project-closed"]');
    expect(banner.text()).toContain("This window's project was closed in another window");
    expect(banner.text()).toContain(PROJECT.dir);
    expect(w.get('[data-testid="reopen-project"]').text()).toBe('Reopen street');
    expect(w.find('nav').exists()).toBe(false);
    // The frame stays as it was: nothing of the other project is loaded.
    expect(w.get('[data-testid="frame-path"]').text()).toBe(`${PROJECT.dir}/f5.png`);

    // A stroke now: the core refuses it (the old id), the edit stays in the window.
    paint(w, [8, 8, 0, 0, 255, 255, 255, 255]);
    await vi.waitFor(() => expect(saveState(w)).toBe('closed'), { timeout: 5000 });
    expect(w.get('[data-testid="save-state"]').text()).toContain('Your edit is kept here and saved when you reopen the project');
    expect(fake.paramsOf('maskSave').map((p) => p.projectId)).toEqual([1]);
    expect([...saved.keys()]).toEqual([`${PROJECT.dir}#5`]);
    expect(saved.get(`${PROJECT.dir}#5`)!.version).toBe(3);
    // Marking it done is refused too, and says nothing more than the banner.
    await w.get('[data-testid="mark-done"]').trigger('click');
    await settle();
    expect(w.find('.annotate [role="alert"]').exists()).toBe(false);

    // Reopen: the same folder under a new id, the edit saved from the version it started from.
    await w.get('[data-testid="reopen-project"]').trigger('click');
    await vi.waitFor(() => expect(saved.get(`${PROJECT.dir}#5`)?.version).toBe(4), { timeout: 5000 });
    expect(fake.paramsOf('projectOpen').at(-1)).toEqual({ dir: PROJECT.dir });
    expect(useProjectStore().project?.projectId).toBe(3);
    expect(saved.get(`${PROJECT.dir}#5`)!.mask).toEqual([8, 8, 0, 0, 255, 255, 255, 255]);
    const lastSave = fake.paramsOf('maskSave').at(-1)!;
    expect([lastSave.projectId, lastSave.expectedVersion]).toEqual([3, 3]);
    expect(saved.has(`${OTHER}#5`)).toBe(false);
    await settle();
    expect(w.find('[data-testid="project-closed"]').exists()).toBe(false);
    // The view loaded again, with the new id.
    expect(fake.paramsOf('frameGet').at(-1)).toEqual({ projectId: 3, frameId: 5 });
    await vi.waitFor(() => expect(saveState(w)).toBe('saved'));
    expect(w.get('[data-testid="save-state"]').attributes('data-version')).toBe('4');
  });

  it('a call refused as closed shows the banner even where the event was missed', async () => {
    const w = await mountApp();
    // The project changes without this window hearing of it.
    session = { id: 2, dir: OTHER, lastId: 2 };
    paint(w, [1, 1, 1, 1, 1, 1, 1, 1]);
    await vi.waitFor(() => expect(w.find('[data-testid="project-closed"]').exists()).toBe(true), { timeout: 5000 });
    expect(saveState(w)).toBe('closed');
    expect(saved.has(`${OTHER}#5`)).toBe(false);
  });

  it("ignores another project's closing, and its own when it opens another project itself", async () => {
    const w = await mountApp();
    fake.emit('project.closed', { projectId: 99, dir: '/projects/unrelated' });
    await settle();
    expect(w.find('[data-testid="project-closed"]').exists()).toBe(false);
    await useProjectStore().open(OTHER);
    await settle();
    expect(w.find('[data-testid="project-closed"]').exists()).toBe(false);
    expect(w.get('[data-testid="project-name"]').text()).toBe('other');
  });

  it('after a reload it still says so and does not reopen the project by itself (that would close the other window\'s)', async () => {
    let w = await mountApp();
    openElsewhere(OTHER);
    await settle();
    expect(w.find('[data-testid="project-closed"]').exists()).toBe(true);
    w.unmount();
    useProjectStore().$reset();
    const opens = fake.paramsOf('projectOpen').length;
    w = await mountApp();
    expect(w.get('[data-testid="project-closed"]').text()).toContain(PROJECT.dir);
    expect(fake.paramsOf('projectOpen')).toHaveLength(opens);
    expect(session.dir).toBe(OTHER);
    await w.get('[data-testid="reopen-project"]').trigger('click');
    await settle();
    expect(session.dir).toBe(PROJECT.dir);
    expect(w.find('[data-testid="project-closed"]').exists()).toBe(false);
    expect(w.get('[data-testid="frame-path"]').text()).toBe(`${PROJECT.dir}/f5.png`);
  });
});
