import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/core/report/htmlReport';
import { linePlotSvg } from '../../src/core/report/svgPlot';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

describe('html report', () => {
  const html = renderReportHtml({
    title: 'Run <1>',
    createdAt: '2026-11-24T00:00:00Z',
    dataset: [{ label: 'train frames', value: '30' }],
    headline: [{ label: 'mIoU', value: '41.2%' }],
    curves: [{ title: 'loss', series: [{ name: 'seg', points: [{ x: 0, y: 2 }, { x: 10, y: 1 }] }] }],
    selection: [{ rank: 0, frame: 'synth_000001', score: 3.2, diversity: 3.2, uncertainty: null, thumbnail: png }],
    grid: [{ frame: 'v1', panels: [{ label: 'image', png }, { label: 'prediction', png }] }],
    perClassIoU: [{ name: 'road', iou: 0.9, colour: [128, 64, 128] }, { name: 'train', iou: null, colour: [0, 80, 100] }],
    ablation: { caption: 'label budget 1/30', rows: [{ name: 'scratch', miou: 20.04 }, { name: 'DepthMix', miou: 30.55 }] },
    notes: ['numbers come from this run'],
  });

  it('is self-contained: images inlined, no scripts, no external links', () => {
    expect(html).toContain(`data:image/png;base64,${Buffer.from(png).toString('base64')}`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes text and shows every section with its numbers', () => {
    expect(html).toContain('Run &lt;1&gt;');
    for (const s of ['Dataset', 'Results', 'Ablation', 'Training curves', 'Per-class IoU', 'Frames selected', 'Validation frames', 'Notes']) {
      expect(html).toContain(s);
    }
    expect(html).toContain('<td>20</td>'); // 20.04 shown with one decimal -> 20
    expect(html).toContain('<td>30.6</td>');
    expect(html).toContain('90');
    expect(html).toContain('– (absent)');
  });

  it('plots lines through the points and says when there is no data', () => {
    const svg = linePlotSvg([{ name: 'a', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }], { title: 't', width: 100, height: 100 });
    // x 0..1 maps to 56..88, y 0..1 maps to 60..28 with the default margins
    expect(svg).toContain('M56.0,60.0L88.0,28.0');
    expect(linePlotSvg([], { title: 'empty' })).toContain('no data');
    expect(linePlotSvg([{ name: 'nan', points: [{ x: 0, y: NaN }] }], { title: 'n' })).toContain('no data');
  });
});
