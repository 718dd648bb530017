/**
 * The annotation canvas in jsdom: its tools, keys, undo/redo and the masks it hands out. Konva
 * draws into a stand-in 2D context that draws nothing (canvasStandIn.ts), so nothing here
 * checks pixels on the screen or the zoom-to-fit (jsdom lays nothing out); the Playwright
 * tests in test/e2e/labelling.spec.ts paint in a real browser.
 */
import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import AnnotatorCanvas, { type MaskChange } from '../../src/renderer/src/annotator/AnnotatorCanvas.vue';
import { SuperpixelMap } from '../../src/renderer/src/annotator/superpixelMap';
import { installCanvasStandIn } from './canvasStandIn';
import { settle } from './fakeApi';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET } from './fixtures';

beforeAll(() => installCanvasStandIn());
enableAutoUnmount(afterEach);

const W = 8;
const H = 4;
/** A decoded frame of W x H (what the canvas reads of an ImageBitmap is its size). */
const image = { width: W, height: H, close: () => undefined } as unknown as ImageBitmap;
/** Left half road (0), right half ignore (255). */
const halfRoad = (): Uint8Array => Uint8Array.from({ length: W * H }, (_, i) => (i % W < W / 2 ? 0 : 255));
const rows = (m: Uint8Array): number[][] => Array.from({ length: H }, (_, y) => Array.from(m.subarray(y * W, (y + 1) * W)));

async function mountCanvas(props: Record<string, unknown> = {}) {
  const w = mount(AnnotatorCanvas, {
    props: { image, labelSet: CITYSCAPES_LABEL_SET, mask: halfRoad(), maskWidth: W, maskHeight: H, ...props },
    attachTo: document.body,
  });
  await settle();
  return w;
}
type Wrapper = Awaited<ReturnType<typeof mountCanvas>>;

const changes = (w: Wrapper): Uint8Array[] => (w.emitted<[MaskChange]>('change') ?? []).map(([c]) => c.mask);
const key = (code: string, mods: KeyboardEventInit = {}, target: EventTarget = window): void => {
  target.dispatchEvent(new KeyboardEvent('keydown', { code, key: code, bubbles: true, ...mods }));
};
async function press(w: Wrapper, x: number, y: number): Promise<void> {
  const v = w.get('[data-testid="annotator-viewport"]');
  await v.trigger('pointerdown', { clientX: x, clientY: y, button: 0, pointerId: 1 });
  await v.trigger('pointerup', { clientX: x, clientY: y, button: 0, pointerId: 1 });
}

describe('AnnotatorCanvas', () => {
  it('loads the frame and its mask and says when it is ready, changing nothing', async () => {
    const w = await mountCanvas();
    expect(w.emitted('ready')).toEqual([[{ width: W, height: H }]]);
    expect(w.emitted('change')).toBeUndefined();
    expect(w.get('[data-testid="undo"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="redo"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="active-class"]').text()).toBe('road');
    expect(w.get('[data-testid="tool-brush"]').attributes('aria-pressed')).toBe('true');
    expect(w.find('[role="alert"]').exists()).toBe(false);
  });

  it('fills a region with the active class in one undoable step', async () => {
    const w = await mountCanvas({ activeClass: 13 });
    await w.get('[data-testid="tool-fill"]').trigger('click');
    expect(w.emitted('update:tool')).toEqual([['fill']]);
    expect(w.get('[data-testid="tool-fill"]').attributes('aria-pressed')).toBe('true');
    expect(w.get('[data-testid="active-class"]').text()).toBe('car');

    await press(w, 6, 1);
    const filled = [0, 0, 0, 0, 13, 13, 13, 13];
    expect(changes(w)).toHaveLength(1);
    expect(rows(changes(w)[0]!)).toEqual([filled, filled, filled, filled]);

    expect(w.get('[data-testid="undo"]').attributes('disabled')).toBeUndefined();
    await w.get('[data-testid="undo"]').trigger('click');
    expect(Array.from(changes(w)[1]!)).toEqual(Array.from(halfRoad()));
    await w.get('[data-testid="redo"]').trigger('click');
    expect(rows(changes(w)[2]!)).toEqual([filled, filled, filled, filled]);
    // Ctrl+Z does what the button does.
    key('KeyZ', { ctrlKey: true });
    await settle();
    expect(Array.from(changes(w)[3]!)).toEqual(Array.from(halfRoad()));
  });

  it('a step that changes no pixel is no change and no undo step', async () => {
    const w = await mountCanvas({ tool: 'fill', activeClass: 0 });
    await press(w, 1, 1); // road filled with road
    expect(w.emitted('change')).toBeUndefined();
    expect(w.get('[data-testid="undo"]').attributes('disabled')).toBeDefined();
  });

  it('erases with a stroke, leaving the array it was given untouched', async () => {
    const given = halfRoad();
    const w = await mountCanvas({ mask: given, brushSize: 120 });
    key('KeyE');
    await settle();
    expect(w.emitted('update:tool')).toEqual([['eraser']]);
    const v = w.get('[data-testid="annotator-viewport"]');
    await v.trigger('pointerdown', { clientX: 1, clientY: 1, button: 0, pointerId: 1 });
    await v.trigger('pointermove', { clientX: 3, clientY: 2, button: 0, pointerId: 1 });
    expect(w.emitted('change')).toBeUndefined(); // a stroke counts once it ends
    await v.trigger('pointerup', { clientX: 3, clientY: 2, button: 0, pointerId: 1 });
    expect(changes(w)).toHaveLength(1);
    expect(Array.from(changes(w)[0]!)).toEqual(new Array(W * H).fill(255));
    expect(Array.from(given)).toEqual(Array.from(halfRoad()));
  });

  it('closes a polygon with Enter and fills it', async () => {
    const w = await mountCanvas({ activeClass: 11, mask: new Uint8Array(W * H).fill(255) });
    key('KeyP');
    await settle();
    await press(w, 0, 0);
    await press(w, 8, 0);
    await press(w, 8, 4);
    expect(w.emitted('change')).toBeUndefined();
    key('Enter');
    await settle();
    expect(changes(w)).toHaveLength(1);
    const m = rows(changes(w)[0]!);
    // The triangle above the diagonal from the top-left to the bottom-right corner.
    expect(m[0]![7]).toBe(11);
    expect(m[3]![0]).toBe(255);
    expect(m.flat().filter((v) => v === 11).length).toBeGreaterThan(8);
    expect(m.flat().every((v) => v === 11 || v === 255)).toBe(true);
  });

  it('picks classes, tools, brush size and the mask layer from the keyboard, but not while typing in a field', async () => {
    const w = await mountCanvas();
    key('Digit4');
    await settle();
    expect(w.get('[data-testid="active-class"]').text()).toBe('wall');
    key('Digit4', { shiftKey: true });
    await settle();
    expect(w.get('[data-testid="active-class"]').text()).toBe('car');
    key('Digit0', { shiftKey: true });
    await settle();
    expect(w.get('[data-testid="active-class"]').text()).toBe('ignore');
    expect(w.emitted('update:activeClass')).toEqual([[3], [13], [255]]);

    key('BracketRight');
    await settle();
    expect(w.emitted('update:brushSize')).toEqual([[28]]);
    key('KeyH');
    await settle();
    expect((w.get('[data-testid="show-mask"]').element as HTMLInputElement).checked).toBe(false);
    expect(w.emitted('update:showMask')).toEqual([[false]]);

    const field = document.createElement('input');
    document.body.appendChild(field);
    key('Digit1', {}, field);
    key('KeyF', {}, field);
    await settle();
    expect(w.get('[data-testid="active-class"]').text()).toBe('ignore');
    expect(w.get('[data-testid="tool-brush"]').attributes('aria-pressed')).toBe('true');
    field.remove();
  });

  it("takes its classes from the label set: CamVid's keys pick CamVid's classes, and a missing key picks nothing", async () => {
    const w = await mountCanvas({ labelSet: CAMVID_LABEL_SET, activeClass: 0 });
    expect(w.get('[data-testid="active-class"]').text()).toBe('sky');
    key('Digit9');
    await settle();
    expect(w.get('[data-testid="active-class"]').text()).toBe('car');
    key('Digit1', { shiftKey: true });
    await settle();
    expect(w.get('[data-testid="active-class"]').text()).toBe('bicyclist');
    // Shift+2 would be class 11: CamVid has none, so the class stays.
    key('Digit2', { shiftKey: true });
    await settle();
    expect(w.emitted('update:activeClass')).toEqual([[8], [10]]);
    // The painted value is the CamVid id: car = 8.
    await w.get('[data-testid="tool-fill"]').trigger('click');
    await w.setProps({ activeClass: 8 });
    await press(w, 6, 1);
    expect(rows(changes(w)[0]!)[0]).toEqual([0, 0, 0, 0, 8, 8, 8, 8]);
  });

  it('offers the depth toggle only where there is depth', async () => {
    const w = await mountCanvas();
    expect(w.find('[data-testid="show-depth"]').exists()).toBe(false);
    await w.setProps({ depthAvailable: true });
    await w.get('[data-testid="show-depth"]').setValue(true);
    expect(w.emitted('update:showDepth')).toEqual([[true]]);
  });

  it('offers the carried proposal again when the step that accepted it is undone, and takes it again on redo', async () => {
    // Carried from a neighbouring frame: sky (10) on the top two rows, nothing below.
    const classes = Uint8Array.from({ length: W * H }, (_, i) => (i < 2 * W ? 10 : 255));
    const w = await mountCanvas({ carried: { classes, text: '50% carried from the frame before' } });
    const carried = () => w.find('[data-testid="carried-status"]');
    expect(carried().text()).toBe('50% carried from the frame before');
    const top = [0, 0, 0, 0, 10, 10, 10, 10]; // A fills the unpainted pixels only: the painted road stays
    const road = [0, 0, 0, 0, 255, 255, 255, 255];
    const accepted = [top, top, road, road];

    key('KeyA');
    await settle();
    expect(rows(changes(w)[0]!)).toEqual(accepted);
    expect(carried().exists()).toBe(false);

    key('KeyZ', { ctrlKey: true });
    await settle();
    expect(Array.from(changes(w)[1]!)).toEqual(Array.from(halfRoad()));
    expect(carried().text()).toBe('50% carried from the frame before');
    expect(w.get('[data-testid="assist-accept"]').attributes('disabled')).toBeUndefined();

    key('KeyZ', { ctrlKey: true, shiftKey: true });
    await settle();
    expect(rows(changes(w)[2]!)).toEqual(accepted);
    expect(carried().exists()).toBe(false);

    // Undone again, it can be accepted again (with the button this time).
    await w.get('[data-testid="undo"]').trigger('click');
    expect(carried().exists()).toBe(true);
    await w.get('[data-testid="assist-accept"]').trigger('click');
    expect(rows(changes(w)[4]!)).toEqual(accepted);
    expect(carried().exists()).toBe(false);
  });

  it('takes the proposal only where the take brush (T) passes, on unpainted pixels, one undo step a stroke; offered only with a proposal', async () => {
    const plain = await mountCanvas();
    expect(plain.get('[data-testid="tool-take"]').attributes('disabled')).toBeDefined();
    expect(plain.get('[data-testid="tool-take"]').attributes('title')).toMatch(/turn the assist on, or carry a mask along the clip/);
    key('KeyT');
    await settle();
    expect(plain.get('[data-testid="tool-brush"]').attributes('aria-pressed')).toBe('true'); // not offered: the key does nothing
    plain.unmount();

    const classes = Uint8Array.from({ length: W * H }, (_, i) => (i < 2 * W ? 10 : 255)); // sky on the top two rows
    const w = await mountCanvas({ carried: { classes, text: 'carried' }, brushSize: 1 });
    expect(w.get('[data-testid="tool-take"]').attributes('disabled')).toBeUndefined();
    key('KeyT');
    await settle();
    expect(w.get('[data-testid="tool-take"]').attributes('aria-pressed')).toBe('true');
    await press(w, 6.5, 0.5); // an unpainted pixel of the proposal's sky
    expect(rows(changes(w)[0]!)).toEqual([
      [0, 0, 0, 0, 255, 255, 10, 255],
      [0, 0, 0, 0, 255, 255, 255, 255],
      [0, 0, 0, 0, 255, 255, 255, 255],
      [0, 0, 0, 0, 255, 255, 255, 255],
    ]);
    await press(w, 1.5, 0.5); // painted road: kept, so no step
    await press(w, 6.5, 3.5); // nothing proposed there: no step
    expect(changes(w)).toHaveLength(1);
    expect(w.find('[data-testid="carried-status"]').exists()).toBe(true); // the rest is still on offer
    await w.get('[data-testid="undo"]').trigger('click');
    expect(Array.from(changes(w)[1]!)).toEqual(Array.from(halfRoad()));
  });

  it('keeps the carried proposal gone when an undo reaches a step made before it was accepted', async () => {
    const classes = Uint8Array.from({ length: W * H }, (_, i) => (i < 2 * W ? 10 : 255));
    const w = await mountCanvas({ carried: { classes, text: 'carried' }, activeClass: 13, tool: 'fill' });
    const carried = () => w.find('[data-testid="carried-status"]');
    key('KeyA');
    await settle();
    expect(carried().exists()).toBe(false);
    await press(w, 1, 3); // a fill after the accept: road -> car
    expect(changes(w)).toHaveLength(2);
    key('KeyZ', { ctrlKey: true }); // undoes the fill, not the accept
    await settle();
    expect(carried().exists()).toBe(false);
    key('KeyZ', { ctrlKey: true }); // now the accept
    await settle();
    expect(carried().exists()).toBe(true);
  });

  it("names the networks the live assist reads: SDE and a segmentation run's class probabilities, either, or why none", async () => {
    // Two superpixels: the left and the right half.
    const labels = new Uint8Array(2 * W * H);
    for (let i = 0; i < W * H; i++) labels[2 * i] = i % W < W / 2 ? 0 : 1;
    const superpixels = SuperpixelMap.fromBytes(W, H, labels, 2, [50, 0, 0, 60, 0, 0]);
    const features = (sdeRunId: number | null, segRunId: number | null) => ({ data: new Float32Array(2 * 3), dims: 3, segDims: segRunId === null ? 0 : 2, sdeRunId, segRunId });
    const w = await mountCanvas({ superpixels, assistFeatures: features(4, 7) });
    await w.get('[data-testid="assist-toggle"]').setValue(true);
    await settle();
    const status = () => w.get('[data-testid="assist-status"]').text();
    expect(status()).toBe('colour + position + SDE features of run #4 + class probabilities of run #7');
    await w.setProps({ assistFeatures: features(null, 7) });
    expect(status()).toBe('colour + position + class probabilities of run #7');
    await w.setProps({ assistFeatures: undefined, assistFeaturesNote: 'network features being computed…' });
    expect(status()).toBe('colour + position features (network features being computed…)');
    await w.setProps({ assistFeaturesNote: undefined });
    expect(status()).toBe('colour + position features (no SDE or segmentation run in this project)');
  });

  it('refuses a mask of the wrong size, saying why', async () => {
    const w = await mountCanvas({ mask: new Uint8Array(5) });
    const message = 'the mask has 5 bytes but a 8x4 mask needs 32';
    expect(w.get('[role="alert"]').text()).toBe(message);
    expect(w.emitted('error')).toEqual([[message]]);
    expect(w.emitted('ready')).toBeUndefined();
  });
});
