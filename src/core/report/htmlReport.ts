import { escapeXml as esc, linePlotSvg, type Series } from './svgPlot';

/** Everything a run's report shows; images are PNG bytes, inlined as data URLs. */
export interface ReportData {
  readonly title: string;
  readonly createdAt: string;
  readonly subtitle?: string;
  readonly dataset: readonly { readonly label: string; readonly value: string }[];
  readonly headline: readonly { readonly label: string; readonly value: string }[];
  readonly curves: readonly { readonly title: string; readonly yLabel?: string; readonly series: readonly Series[]; readonly logY?: boolean }[];
  readonly selection: readonly {
    readonly rank: number;
    readonly frame: string;
    readonly score: number | null;
    readonly diversity: number | null;
    readonly uncertainty: number | null;
    readonly thumbnail?: Uint8Array;
  }[];
  readonly grid: readonly {
    readonly frame: string;
    readonly panels: readonly { readonly label: string; readonly png: Uint8Array }[];
  }[];
  readonly perClassIoU: readonly { readonly name: string; readonly iou: number | null; readonly colour: readonly [number, number, number] }[];
  readonly ablation?: { readonly rows: readonly { readonly name: string; readonly miou: number | null; readonly note?: string }[]; readonly caption: string };
  readonly notes: readonly string[];
}

const dataUrl = (png: Uint8Array): string => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
const fmt = (v: number | null, digits = 3): string => (v === null || !Number.isFinite(v) ? '–' : Number(v.toFixed(digits)).toString());

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const thead = head.some((h) => h !== '') ? `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` : '';
  return `<table>${thead}<tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/**
 * A self-contained HTML report: no scripts, no external resources (images inlined, plots as
 * SVG), readable offline and safe to open from anywhere.
 */
export function renderReportHtml(d: ReportData): string {
  const sections: string[] = [];
  sections.push(`<section><h2>Dataset</h2>${table(['', ''], d.dataset.map((r) => [esc(r.label), esc(r.value)]))}</section>`);
  if (d.headline.length) {
    sections.push(
      `<section><h2>Results</h2><div class="cards">${d.headline
        .map((h) => `<div class="card"><div class="v">${esc(h.value)}</div><div class="l">${esc(h.label)}</div></div>`)
        .join('')}</div></section>`,
    );
  }
  if (d.ablation) {
    sections.push(
      `<section><h2>Ablation</h2><p>${esc(d.ablation.caption)}</p>${table(
        ['setting', 'mIoU (%)', ''],
        d.ablation.rows.map((r) => [esc(r.name), fmt(r.miou, 1), esc(r.note ?? '')]),
      )}</section>`,
    );
  }
  if (d.curves.length) {
    sections.push(
      `<section><h2>Training curves</h2><div class="plots">${d.curves
        .map((c) => linePlotSvg(c.series, { title: c.title, xLabel: 'step', ...(c.yLabel ? { yLabel: c.yLabel } : {}), ...(c.logY ? { logY: true } : {}) }))
        .join('')}</div></section>`,
    );
  }
  if (d.perClassIoU.length) {
    // Three classes side by side per row, so 19 classes take 7 rows.
    const cells = d.perClassIoU.map((c) => [
      `<span class="sw" style="background:rgb(${c.colour.join(',')})"></span>${esc(c.name)}`,
      c.iou === null ? '– (absent)' : fmt(c.iou * 100, 1),
    ]);
    const groups = Math.min(3, cells.length);
    const rows = Math.ceil(cells.length / groups);
    sections.push(
      `<section><h2>Per-class IoU (validation)</h2>${table(
        Array.from({ length: groups }, () => ['class', 'IoU (%)']).flat(),
        Array.from({ length: rows }, (_, r) => Array.from({ length: groups }, (_, g) => cells[g * rows + r] ?? ['', '']).flat()),
      )}</section>`,
    );
  }
  if (d.selection.length) {
    sections.push(
      `<section><h2>Frames selected for labelling, in selection order</h2>${table(
        ['#', 'frame', '', 'score', 'min distance', 'uncertainty'],
        d.selection.map((s) => [
          String(s.rank + 1),
          esc(s.frame),
          s.thumbnail ? `<img class="thumb" alt="" src="${dataUrl(s.thumbnail)}">` : '',
          fmt(s.score),
          fmt(s.diversity),
          fmt(s.uncertainty, 4),
        ]),
      )}</section>`,
    );
  }
  if (d.grid.length) {
    const head = d.grid[0]!.panels.map((p) => esc(p.label));
    sections.push(
      `<section><h2>Validation frames</h2><table class="grid"><thead><tr><th>frame</th>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${d.grid
        .map(
          (g) =>
            `<tr><td>${esc(g.frame)}</td>${g.panels.map((p) => `<td><img alt="${esc(p.label)}" src="${dataUrl(p.png)}"></td>`).join('')}</tr>`,
        )
        .join('')}</tbody></table></section>`,
    );
  }
  if (d.notes.length) sections.push(`<section><h2>Notes</h2><ul>${d.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(d.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.sub{color:#666}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:middle}
th{background:#f4f4f4}.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card .v{font-size:1.5rem;font-weight:bold}.card .l{color:#666;font-size:.85rem}.plots{display:flex;flex-wrap:wrap;gap:1rem}
.grid img{width:256px;image-rendering:pixelated}.thumb{width:128px}.sw{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:middle;border:1px solid #999}
</style></head><body>
<h1>${esc(d.title)}</h1><div class="sub">${esc(d.subtitle ?? '')} ${esc(d.createdAt)}</div>
${sections.join('\n')}
</body></html>
`;
}
