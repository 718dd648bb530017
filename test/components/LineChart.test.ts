import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import LineChart from '../../src/renderer/src/training/LineChart.vue';

// The chart is 560 x 180 with margins left 52, right 12, top 10, bottom 24: the plot area is
// 496 x 146. Values 2, 1, 0.5 span 1.5; padded by 5% the y axis runs from 0.425 to 2.075.
const loss = { name: 'loss', label: 'loss', colour: '#58a6ff', points: [{ step: 0, value: 2 }, { step: 50, value: 1 }, { step: 100, value: 0.5 }] };

describe('LineChart', () => {
  it('draws the series as a line through its points, scaled to the plot area', () => {
    const w = mount(LineChart, { props: { series: [loss], title: 'Training loss' } });
    const path = w.get('path[data-series="loss"]');
    // x: step / 100 * 496; y: 146 - (value - 0.425) / 1.65 * 146.
    expect(path.attributes('d')).toBe('M0.0,6.6 L248.0,95.1 L496.0,139.4');
    expect(path.attributes('stroke')).toBe('#58a6ff');
    expect(w.get('figure').attributes('data-points')).toBe('3');
    expect(w.get('svg').attributes('aria-label')).toBe('Training loss');
  });

  it('ends the x axis at the run\'s total steps, so a running run\'s line stops part way', () => {
    const w = mount(LineChart, { props: { series: [loss], title: 'Training loss', totalSteps: 200 } });
    expect(w.get('path[data-series="loss"]').attributes('d')).toBe('M0.0,6.6 L124.0,95.1 L248.0,139.4');
    expect(w.findAll('.axis text[text-anchor="middle"]').map((t) => t.text())).toEqual(['0', '50', '100', '150', '200']);
  });

  it('labels the axes with round ticks and the legend with the last value', () => {
    const w = mount(LineChart, { props: { series: [loss], title: 'Training loss' } });
    expect(w.findAll('.axis text[text-anchor="end"]').map((t) => t.text())).toEqual(['0.5', '1.0', '1.5', '2.0']);
    expect(w.findAll('.axis text[text-anchor="middle"]').map((t) => t.text())).toEqual(['0', '20', '40', '60', '80', '100']);
    expect(w.get('.legend').text()).toBe('loss 0.5');
    expect(w.get('figcaption strong').text()).toBe('Training loss');
  });

  it('marks a single value with a dot, and says so where there is nothing to draw', async () => {
    const one = { ...loss, points: [{ step: 40, value: 3 }] };
    const w = mount(LineChart, { props: { series: [one], title: 'mIoU', totalSteps: 80 } });
    const dot = w.get('circle');
    // Half way along x (40 of 80), in the middle of the widened flat range.
    expect(Number(dot.attributes('cx'))).toBeCloseTo(248, 6);
    expect(Number(dot.attributes('cy'))).toBeCloseTo(73, 6);

    await w.setProps({ series: [{ ...loss, points: [] }], empty: 'No loss logged yet.' });
    expect(w.find('svg').exists()).toBe(false);
    expect(w.get('.empty').text()).toBe('No loss logged yet.');
    expect(w.get('figure').attributes('data-points')).toBe('0');
  });
});
