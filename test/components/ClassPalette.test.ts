import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { LabelSet } from '../../src/core/api/contract';
import { customLabelSet } from '../../src/core/labels';
import ClassPalette from '../../src/renderer/src/annotator/ClassPalette.vue';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET } from './fixtures';

// Written out by hand from the Cityscapes definition: [id, name, colour, key shown].
const CITYSCAPES: [number, string, string, string][] = [
  [0, 'road', 'rgb(128, 64, 128)', '1'],
  [1, 'sidewalk', 'rgb(244, 35, 232)', '2'],
  [2, 'building', 'rgb(70, 70, 70)', '3'],
  [3, 'wall', 'rgb(102, 102, 156)', '4'],
  [4, 'fence', 'rgb(190, 153, 153)', '5'],
  [5, 'pole', 'rgb(153, 153, 153)', '6'],
  [6, 'traffic light', 'rgb(250, 170, 30)', '7'],
  [7, 'traffic sign', 'rgb(220, 220, 0)', '8'],
  [8, 'vegetation', 'rgb(107, 142, 35)', '9'],
  [9, 'terrain', 'rgb(152, 251, 152)', '0'],
  [10, 'sky', 'rgb(70, 130, 180)', '⇧1'],
  [11, 'person', 'rgb(220, 20, 60)', '⇧2'],
  [12, 'rider', 'rgb(255, 0, 0)', '⇧3'],
  [13, 'car', 'rgb(0, 0, 142)', '⇧4'],
  [14, 'truck', 'rgb(0, 0, 70)', '⇧5'],
  [15, 'bus', 'rgb(0, 60, 100)', '⇧6'],
  [16, 'train', 'rgb(0, 80, 100)', '⇧7'],
  [17, 'motorcycle', 'rgb(0, 0, 230)', '⇧8'],
  [18, 'bicycle', 'rgb(119, 11, 32)', '⇧9'],
];

// CamVid as the SegNet tutorial distributes it: [id, name, colour, key shown].
const CAMVID: [number, string, string, string][] = [
  [0, 'sky', 'rgb(128, 128, 128)', '1'],
  [1, 'building', 'rgb(128, 0, 0)', '2'],
  [2, 'pole', 'rgb(192, 192, 128)', '3'],
  [3, 'road', 'rgb(128, 64, 128)', '4'],
  [4, 'pavement', 'rgb(60, 40, 222)', '5'],
  [5, 'tree', 'rgb(128, 128, 0)', '6'],
  [6, 'sign/symbol', 'rgb(192, 128, 128)', '7'],
  [7, 'fence', 'rgb(64, 64, 128)', '8'],
  [8, 'car', 'rgb(64, 0, 128)', '9'],
  [9, 'pedestrian', 'rgb(64, 64, 0)', '0'],
  [10, 'bicyclist', 'rgb(0, 128, 192)', '⇧1'],
];

function expectPalette(set: LabelSet, expected: [number, string, string, string][]): void {
  const w = mount(ClassPalette, { props: { modelValue: 0, labelSet: set } });
  const options = w.findAll('[role="option"]');
  expect(options).toHaveLength(expected.length + 1);
  expected.forEach(([id, name, colour, key], i) => {
    const b = options[i]!;
    expect(b.attributes('data-testid')).toBe(`class-${id}`);
    expect(b.find('.name').text()).toBe(name);
    expect(b.find('kbd').text()).toBe(key);
    expect(b.attributes('title')).toBe(`${name} (${key})`);
    expect((b.find('.swatch').element as HTMLElement).style.background).toBe(colour);
  });
  const ignore = options[expected.length]!;
  expect(ignore.attributes('data-testid')).toBe('class-255');
  expect(ignore.find('.name').text()).toBe('ignore');
  expect(ignore.find('kbd').text()).toBe('⇧0');
  // Ignore is hatched, not a solid colour.
  expect((ignore.find('.swatch').element as HTMLElement).style.background).toContain('repeating-linear-gradient');
}

describe('ClassPalette', () => {
  it('lists the 19 Cityscapes classes and ignore, each with its colour, name and key', () => {
    expectPalette(CITYSCAPES_LABEL_SET, CITYSCAPES);
  });

  it('lists the 11 CamVid classes of a CamVid project in their order, with CamVid colours and keys', () => {
    expectPalette(CAMVID_LABEL_SET, CAMVID);
  });

  it("lists a custom set's classes; past the 19th a class has no key and is picked by clicking", async () => {
    const names = Array.from({ length: 21 }, (_, i) => `class ${i + 1}`);
    const set = customLabelSet(names.map((name, i) => ({ name, ...(i === 0 ? { color: '#ff8800' } : {}) })));
    const w = mount(ClassPalette, { props: { modelValue: 0, labelSet: set } });
    const options = w.findAll('[role="option"]');
    expect(options.map((o) => o.find('.name').text())).toEqual([...names, 'ignore']);
    expect((options[0]!.find('.swatch').element as HTMLElement).style.background).toBe('rgb(255, 136, 0)');
    expect(options[18]!.find('kbd').text()).toBe('⇧9');
    expect(options[19]!.find('kbd').exists()).toBe(false);
    expect(options[19]!.attributes('title')).toBe('class 20 (no key: click to pick)');
    await options[20]!.trigger('click');
    expect(w.emitted('update:modelValue')).toEqual([[20]]);
  });

  it('marks the selected class and emits the class clicked', async () => {
    const w = mount(ClassPalette, { props: { modelValue: 13, labelSet: CITYSCAPES_LABEL_SET } });
    const selected = w.findAll('[aria-selected="true"]');
    expect(selected).toHaveLength(1);
    expect(selected[0]!.find('.name').text()).toBe('car');

    await w.get('[data-testid="class-11"]').trigger('click');
    await w.get('[data-testid="class-255"]').trigger('click');
    expect(w.emitted('update:modelValue')).toEqual([[11], [255]]);
  });

  it('follows v-model: a click moves the selection', async () => {
    const w = mount(ClassPalette, {
      props: { modelValue: 0, labelSet: CAMVID_LABEL_SET, 'onUpdate:modelValue': (v: number): void => void w.setProps({ modelValue: v }) },
    });
    await w.get('[data-testid="class-8"]').trigger('click');
    expect(w.get('[data-testid="class-8"]').attributes('aria-selected')).toBe('true');
    expect(w.get('[data-testid="class-8"]').classes()).toContain('selected');
    expect(w.get('[data-testid="class-8"]').text()).toContain('car');
    expect(w.get('[data-testid="class-0"]').attributes('aria-selected')).toBe('false');
  });
});
