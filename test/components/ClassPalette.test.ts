import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ClassPalette from '../../src/renderer/src/annotator/ClassPalette.vue';

// Written out by hand from the Cityscapes definition: [trainId, name, colour, key shown].
const EXPECTED: [number, string, string, string][] = [
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

describe('ClassPalette', () => {
  it('lists the 19 Cityscapes classes and ignore, each with its colour, name and key', () => {
    const w = mount(ClassPalette, { props: { modelValue: 0 } });
    const options = w.findAll('[role="option"]');
    expect(options).toHaveLength(20);
    EXPECTED.forEach(([trainId, name, colour, key], i) => {
      const b = options[i]!;
      expect(b.attributes('data-testid')).toBe(`class-${trainId}`);
      expect(b.find('.name').text()).toBe(name);
      expect(b.find('kbd').text()).toBe(key);
      expect(b.attributes('title')).toBe(`${name} (${key})`);
      expect((b.find('.swatch').element as HTMLElement).style.background).toBe(colour);
    });
    const ignore = options[19]!;
    expect(ignore.attributes('data-testid')).toBe('class-255');
    expect(ignore.find('.name').text()).toBe('ignore');
    expect(ignore.find('kbd').text()).toBe('⇧0');
    // Ignore is hatched, not a solid colour.
    expect((ignore.find('.swatch').element as HTMLElement).style.background).toContain('repeating-linear-gradient');
  });

  it('marks the selected class and emits the class clicked', async () => {
    const w = mount(ClassPalette, { props: { modelValue: 13 } });
    const selected = w.findAll('[aria-selected="true"]');
    expect(selected).toHaveLength(1);
    expect(selected[0]!.find('.name').text()).toBe('car');

    await w.get('[data-testid="class-11"]').trigger('click');
    await w.get('[data-testid="class-255"]').trigger('click');
    expect(w.emitted('update:modelValue')).toEqual([[11], [255]]);
  });

  it('follows v-model: a click moves the selection', async () => {
    const w = mount(ClassPalette, {
      props: { modelValue: 0, 'onUpdate:modelValue': (v: number) => w.setProps({ modelValue: v }) },
    });
    await w.get('[data-testid="class-7"]').trigger('click');
    expect(w.get('[data-testid="class-7"]').attributes('aria-selected')).toBe('true');
    expect(w.get('[data-testid="class-7"]').classes()).toContain('selected');
    expect(w.get('[data-testid="class-0"]').attributes('aria-selected')).toBe('false');
  });
});
