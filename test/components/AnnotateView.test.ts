/**
 * The annotator view around its canvas. AnnotatorCanvas draws with Konva on <canvas>, which
 * jsdom cannot render, so it is stubbed here (its props and events stay): this test is about
 * what the view does with them. The canvas has its own test (AnnotatorCanvas.test.ts, on a
 * stand-in 2D context), and paints in a real browser in test/e2e/labelling.spec.ts.
 */
import { enableAutoUnmount, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrameData } from '../../src/core/api/contract';
import AnnotatorCanvas from '../../src/renderer/src/annotator/AnnotatorCanvas.vue';
import { bytesToBase64, base64ToBytes } from '../../src/renderer/src/api/bytes';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import AnnotateView from '../../src/renderer/src/views/AnnotateView.vue';
import { freshPinia, installFakeApi, settle } from './fakeApi';
import { CAMVID_LABEL_SET, CUSTOM_LABEL_SET, frameEntry, NOBODY, PROJECT } from './fixtures';

const fake = installFakeApi();
let pinia: Pinia;
enableAutoUnmount(afterEach);

const W = 8;
const H = 4;
/** Saved masks by frame, as the core would keep them (bytes, version). */
let saved: Map<number, { mask: Uint8Array; version: number }>;

function frameData(frameId: number): FrameData {
  const s = saved.get(frameId);
  return {
    frameId,
    imagePath: `leftImg8bit/train/synth/f${frameId}.png`,
    width: W,
    height: H,
    imageDataUrl: `data:image/png;base64,IMG${frameId}`,
    maskBase64: s ? bytesToBase64(s.mask) : null,
    maskVersion: s?.version ?? 0,
    status: s ? 'in_progress' : 'todo',
    nextInClip: null,
    previousInClip: null,
    work: NOBODY,
  };
}

beforeEach(() => {
  pinia = freshPinia();
  saved = new Map();
  fake.reset({
    frameGet: (p) => frameData(p.frameId),
    reviewRuns: () => ({ runs: [], latestSeg: null, latestDepth: null }),
    maskSave: (p) => {
      const version = (saved.get(p.frameId)?.version ?? 0) + 1;
      saved.set(p.frameId, { mask: base64ToBytes(p.maskBase64), version });
      return { frameId: p.frameId, version, status: 'in_progress' };
    },
    maskSetStatus: (p) => ({ frameId: p.frameId, version: saved.get(p.frameId)?.version ?? 0, status: p.status }),
    frameList: () => useProjectStore().queue,
  });
  const project = useProjectStore();
  project.project = PROJECT;
  project.queue = [frameEntry(5), frameEntry(6, { status: 'done' }), frameEntry(7)];
  project.view = 'annotate';
  project.frameId = 5;
});

async function mountAnnotate() {
  const w = mount(AnnotateView, { global: { plugins: [pinia], stubs: { AnnotatorCanvas: true } }, attachTo: document.body });
  await settle();
  return w;
}

describe('AnnotateView', () => {
  it('loads the frame and hands its image and saved mask to the canvas', async () => {
    saved.set(5, { mask: Uint8Array.from({ length: W * H }, (_, i) => i % 3), version: 4 });
    const w = await mountAnnotate();
    expect(fake.paramsOf('frameGet')).toEqual([{ projectId: 1, frameId: 5 }]);
    expect(w.get('[data-testid="frame-path"]').text()).toBe('leftImg8bit/train/synth/f5.png');
    expect(w.get('[data-testid="frame-status"]').text()).toBe('in progress');
    expect(w.get('[data-testid="save-state"]').text()).toBe('All changes saved');
    expect(w.get('[data-testid="save-state"]').attributes('data-version')).toBe('4');
    const canvas = w.getComponent(AnnotatorCanvas);
    expect(canvas.props('image')).toBe('data:image/png;base64,IMG5');
    expect([canvas.props('maskWidth'), canvas.props('maskHeight')]).toEqual([W, H]);
    expect(Array.from(canvas.props('mask') as Uint8Array)).toEqual(Array.from({ length: W * H }, (_, i) => i % 3));
    // No trained model yet: no prediction button, no depth layer.
    expect(w.find('[data-testid="start-from-prediction"]').exists()).toBe(false);
    expect(canvas.props('depthAvailable')).toBe(false);
  });

  it('the palette and the canvas share the active class both ways', async () => {
    const w = await mountAnnotate();
    const canvas = w.getComponent(AnnotatorCanvas);
    expect(canvas.props('activeClass')).toBe(0);
    await w.get('[data-testid="class-13"]').trigger('click');
    expect(canvas.props('activeClass')).toBe(13);
    // A shortcut key handled by the canvas shows in the palette.
    canvas.vm.$emit('update:activeClass', 11);
    await settle();
    expect(w.get('[data-testid="class-11"]').attributes('aria-selected')).toBe('true');
    expect(w.get('[data-testid="class-13"]').attributes('aria-selected')).toBe('false');
  });

  it('saves each change from the canvas and says when it is saved', async () => {
    const w = await mountAnnotate();
    const mask = new Uint8Array(W * H).fill(255);
    mask.fill(13, 0, 10);
    w.getComponent(AnnotatorCanvas).vm.$emit('change', { mask, width: W, height: H });
    await settle();
    expect(w.get('[data-testid="save-state"]').text()).toBe('Unsaved changes…');
    await vi.waitFor(() => expect(w.get('[data-testid="save-state"]').attributes('data-state')).toBe('saved'), { timeout: 5000 });
    const saves = fake.paramsOf('maskSave');
    expect(saves).toHaveLength(1);
    expect(saves[0]).toMatchObject({ projectId: 1, frameId: 5, width: W, height: H, expectedVersion: 0 });
    expect(Array.from(base64ToBytes(saves[0]!.maskBase64))).toEqual(Array.from(mask));
    expect(w.get('[data-testid="save-state"]').attributes('data-version')).toBe('1');
    expect(w.get('[data-testid="frame-status"]').text()).toBe('in progress');
  });

  it('reports a save that another window made first instead of writing over it', async () => {
    fake.handlers.maskSave = () => {
      throw new Error('the mask of frame 5 was saved elsewhere meanwhile (version 2); reload it before saving');
    };
    const w = await mountAnnotate();
    w.getComponent(AnnotatorCanvas).vm.$emit('change', { mask: new Uint8Array(W * H), width: W, height: H });
    await vi.waitFor(() => expect(w.get('[data-testid="save-state"]').attributes('data-state')).toBe('conflict'), { timeout: 5000 });
    expect(w.get('[data-testid="save-state"]').text()).toContain('another window saved this frame first');
    expect(w.findAll('button').some((b) => b.text() === 'Reload frame')).toBe(true);
  });

  it('"Done & next" marks the frame done and opens the next frame still to label', async () => {
    const w = await mountAnnotate();
    await w.get('[data-testid="mark-done"]').trigger('click');
    await settle();
    expect(fake.paramsOf('maskSetStatus')).toEqual([{ projectId: 1, frameId: 5, status: 'done' }]);
    const project = useProjectStore();
    expect(project.queue.find((e) => e.frameId === 5)!.status).toBe('done');
    expect(project.frameId).toBe(7); // 6 is done already
    expect(fake.paramsOf('frameGet').at(-1)).toEqual({ projectId: 1, frameId: 7 });
    expect(w.get('[data-testid="frame-path"]').text()).toBe('leftImg8bit/train/synth/f7.png');

    // Ctrl+Enter does the same; with nothing left to label it goes back to the queue.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }));
    await settle();
    expect(fake.paramsOf('maskSetStatus').at(-1)).toEqual({ projectId: 1, frameId: 7, status: 'done' });
    expect(project.view).toBe('queue');
  });

  it('Skip marks the frame skipped', async () => {
    const w = await mountAnnotate();
    await w.get('[data-testid="skip"]').trigger('click');
    await settle();
    expect(fake.paramsOf('maskSetStatus')).toEqual([{ projectId: 1, frameId: 5, status: 'skipped' }]);
    expect(useProjectStore().queue.find((e) => e.frameId === 5)!.status).toBe('skipped');
    expect(useProjectStore().frameId).toBe(7);
  });

  it('offers "Start from prediction" and the depth layer once the project has trained models', async () => {
    fake.handlers.reviewRuns = () => ({ runs: [], latestSeg: 5, latestDepth: 2 });
    const w = await mountAnnotate();
    const button = w.get('[data-testid="start-from-prediction"]');
    expect(button.attributes('title')).toBe('Fill the mask with the prediction of training run #5 (undo with Ctrl+Z)');
    // Not before the canvas shows the frame.
    expect(button.attributes('disabled')).toBeDefined();
    w.getComponent(AnnotatorCanvas).vm.$emit('ready', { width: W, height: H });
    await settle();
    expect(w.get('[data-testid="start-from-prediction"]').attributes('disabled')).toBeUndefined();
    expect(w.getComponent(AnnotatorCanvas).props('depthAvailable')).toBe(true);
  });
});

describe("AnnotateView: the live assist's network features", () => {
  it("asks for them where the project has only a segmentation run (CamVid: no video, no SDE) and hands them to the canvas with their runs", async () => {
    fake.handlers.reviewRuns = () => ({ runs: [], latestSeg: 5, latestDepth: null });
    // Two superpixels, left and right half.
    const labels = new Uint8Array(2 * W * H);
    for (let i = 0; i < W * H; i++) labels[2 * i] = i % W < W / 2 ? 0 : 1;
    fake.handlers.frameSuperpixels = (p) => ({ frameId: p.frameId, width: W, height: H, count: 2, regionSize: 4, labelsBase64: bytesToBase64(labels), meanLab: [50, 0, 0, 60, 0, 0], computeMs: 1 });
    const probs = new Float32Array([0.9, 0.1, 0.2, 0.8]);
    fake.handlers.frameAssistFeatures = (p) => ({
      frameId: p.frameId,
      sde: null,
      seg: { runId: 5, step: 40 },
      dims: 2,
      segDims: 2,
      layers: ['seg_softmax'],
      featuresBase64: bytesToBase64(new Uint8Array(probs.buffer)),
    });
    const w = await mountAnnotate();
    await settle();
    const f = w.getComponent(AnnotatorCanvas).props('assistFeatures') as { data: Float32Array; dims: number; segDims: number; sdeRunId: number | null; segRunId: number | null };
    expect([f.dims, f.segDims, f.sdeRunId, f.segRunId, [...f.data]]).toEqual([2, 2, null, 5, [...probs]]);
    expect(fake.paramsOf('frameAssistFeatures')).toEqual([{ projectId: 1, frameId: 5 }]);
  });
});

describe('AnnotateView: carrying a mask along the clip', () => {
  it('says once that a single image (no clip) has no neighbours, and which end of a clip a frame is at', async () => {
    const w = await mountAnnotate();
    for (const id of ['next-in-clip', 'previous-in-clip']) expect(w.get(`[data-testid="${id}"]`).attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="next-in-clip-note"]').text()).toBe('a single image, not part of a video clip: masks are carried only between frames of a clip');
    expect(w.find('[data-testid="previous-in-clip-note"]').exists()).toBe(false);
    w.unmount();
    fake.handlers.frameGet = (p) => ({ ...frameData(p.frameId), nextInClip: p.frameId + 1 });
    const first = await mountAnnotate();
    expect(first.get('[data-testid="previous-in-clip-note"]').text()).toBe('this is the first frame of its clip');
  });
});

describe("AnnotateView with the project's label set", () => {
  it("a CamVid project: the palette lists CamVid's 11 classes in order, the canvas gets the set, the keys legend fits it", async () => {
    useProjectStore().project = { ...PROJECT, labelSet: CAMVID_LABEL_SET };
    const w = await mountAnnotate();
    expect(w.findAll('[role="option"] .name').map((n) => n.text())).toEqual([...CAMVID_LABEL_SET.classes.map((c) => c.name), 'ignore']);
    expect(w.getComponent(AnnotatorCanvas).props('labelSet')).toEqual(CAMVID_LABEL_SET);
    await w.get('[data-testid="class-8"]').trigger('click');
    expect(w.getComponent(AnnotatorCanvas).props('activeClass')).toBe(8);
    expect(w.get('.keys').text()).toContain('1…0, Shift+digit: class');
  });

  it('a custom set of 3: three classes, keys 1…3', async () => {
    useProjectStore().project = { ...PROJECT, labelSet: CUSTOM_LABEL_SET };
    const w = await mountAnnotate();
    expect(w.findAll('[role="option"] .name').map((n) => n.text())).toEqual(['lane', 'kerb', 'pothole', 'ignore']);
    expect(w.get('.keys').text()).toContain('1…3: class');
    expect(w.get('.keys').text()).not.toContain('Shift+digit');
  });
});
