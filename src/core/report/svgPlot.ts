/** A line plot as inline SVG (no scripts, no external resources), for self-contained reports. */
export interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function niceNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

export function linePlotSvg(
  series: readonly Series[],
  opts: { title: string; xLabel?: string; yLabel?: string; width?: number; height?: number; logY?: boolean },
): string {
  const W = opts.width ?? 520;
  const H = opts.height ?? 260;
  const m = { l: 56, r: 12, t: 28, b: 40 };
  const finite = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!opts.logY || p.y > 0));
  const title = `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(opts.title)}</text>`;
  if (finite.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img">${title}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="12" fill="#666">no data</text></svg>`;
  }
  const fy = (y: number): number => (opts.logY ? Math.log10(y) : y);
  let x0 = Math.min(...finite.map((p) => p.x));
  let x1 = Math.max(...finite.map((p) => p.x));
  let y0 = Math.min(...finite.map((p) => fy(p.y)));
  let y1 = Math.max(...finite.map((p) => fy(p.y)));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const px = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => H - m.b - ((fy(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [title];
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#bbb"/>`);
  for (let k = 0; k <= 4; k++) {
    const yv = y0 + ((y1 - y0) * k) / 4;
    const yy = H - m.b - ((yv - y0) / (y1 - y0)) * (H - m.t - m.b);
    const label = opts.logY ? niceNumber(10 ** yv) : niceNumber(yv);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(yy + 4).toFixed(1)}" text-anchor="end" font-size="10">${label}</text>`);
    const xv = x0 + ((x1 - x0) * k) / 4;
    parts.push(`<text x="${px(xv).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle" font-size="10">${niceNumber(xv)}</text>`);
  }
  if (opts.xLabel) parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) parts.push(`<text x="12" y="${(m.t + H - m.b) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})">${escapeXml(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!opts.logY || p.y > 0));
    const colour = COLOURS[i % COLOURS.length]!;
    if (pts.length > 0) {
      const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
      if (pts.length === 1) parts.push(`<circle cx="${px(pts[0]!.x).toFixed(1)}" cy="${py(pts[0]!.y).toFixed(1)}" r="3" fill="${colour}"/>`);
    }
    parts.push(`<text x="${m.l + 6}" y="${m.t + 14 + i * 13}" font-size="11" fill="${colour}">${escapeXml(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img">${parts.join('')}</svg>`;
}
