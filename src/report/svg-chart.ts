/**
 * Inline SVG line charts (no library, no network): one polyline per series over its epochs, a tooltip per
 * point naming the series, the epoch and the value.
 */
import { escapeHtml, formatNumber } from './html.js';

export interface ChartSeries {
  name: string;
  /** One value per epoch; non-finite values leave a gap. */
  values: readonly (number | null)[];
  /** Draw thicker (e.g. the best trial). */
  highlight?: boolean;
  /** Draw dashed (e.g. validation metrics). */
  dashed?: boolean;
  /** The 1-based epoch of values[0] (default 1): a Hyperband trial that continues another starts after its initial epoch. */
  firstEpoch?: number;
}

export interface ChartOptions {
  title?: string;
  width?: number;
  height?: number;
  /** 1-based epoch to mark with a vertical line (the best step). */
  markEpoch?: number;
  /** What the values are, for the tooltips ("val_accuracy"); default each series' name. */
  valueName?: string;
}

/** matplotlib's tab20: ten hues, each dark and light. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5'];
/** Line patterns that multiply the colours: series 20-39 are long-dashed, 40-59 dotted, and so on. */
export const DASHES = ['', '8 3', '2 2', '8 3 2 3'];

/** The colour and dash pattern of series i: distinct for PALETTE.length * DASHES.length series. */
export function seriesStyle(i: number): { colour: string; dash: string } {
  return { colour: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] };
}

/** Up to `n` round tick values spanning [lo, hi]. */
function ticks(lo: number, hi: number, n = 4): number[] {
  if (lo === hi) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** An SVG line chart; series with no finite value are listed in the legend but not drawn. */
export function lineChart(series: readonly ChartSeries[], opts: ChartOptions = {}): string {
  const width = opts.width ?? 360, height = opts.height ?? 200;
  const m = { left: 48, right: 10, top: opts.title ? 22 : 10, bottom: 30 };
  const finite = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const first = (s: ChartSeries) => s.firstEpoch ?? 1;
  const fromEpoch = Math.min(...series.map(first), Infinity);
  const lo0 = Number.isFinite(fromEpoch) ? fromEpoch : 1;
  const lastEpoch = Math.max(lo0, ...series.map((s) => first(s) + s.values.length - 1));
  const title = opts.title ? `<text class="chart-title" x="${width / 2}" y="14" text-anchor="middle">${escapeHtml(opts.title)}</text>` : '';
  if (finite.length === 0) {
    return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${title}` +
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="muted">no values</text></svg>`;
  }
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (lo === hi) { lo -= Math.abs(lo) * 0.1 || 0.5; hi += Math.abs(hi) * 0.1 || 0.5; }
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const span = lastEpoch - lo0;
  const x = (epoch: number) => m.left + (span === 0 ? pw / 2 : ((epoch - lo0) / span) * pw);
  const y = (v: number) => m.top + (1 - (v - lo) / (hi - lo)) * ph;
  const parts: string[] = [title];
  // Axes and grid.
  for (const t of ticks(lo, hi)) {
    parts.push(`<line class="grid" x1="${m.left}" x2="${m.left + pw}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/>`);
    parts.push(`<text class="tick" x="${m.left - 4}" y="${(y(t) + 3).toFixed(1)}" text-anchor="end">${escapeHtml(formatNumber(t))}</text>`);
  }
  for (const t of ticks(lo0, lastEpoch, Math.min(span, 6) || 1).filter((t) => Number.isInteger(t))) {
    parts.push(`<text class="tick" x="${x(t).toFixed(1)}" y="${m.top + ph + 14}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<text class="tick" x="${m.left + pw / 2}" y="${height - 2}" text-anchor="middle">epoch</text>`);
  parts.push(`<rect class="frame" x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/>`);
  if (opts.markEpoch !== undefined && opts.markEpoch >= lo0 && opts.markEpoch <= lastEpoch) {
    parts.push(`<line class="mark" x1="${x(opts.markEpoch).toFixed(1)}" x2="${x(opts.markEpoch).toFixed(1)}" y1="${m.top}" y2="${m.top + ph}"><title>best epoch ${opts.markEpoch}</title></line>`);
  }
  series.forEach((s, i) => {
    const { colour, dash } = s.dashed ? { colour: seriesStyle(i).colour, dash: '' } : seriesStyle(i);
    const valueName = opts.valueName ?? s.name;
    // Split at gaps so a NaN epoch does not draw a line through it.
    const runs: string[][] = [[]];
    const points: string[] = [];
    s.values.forEach((v, e) => {
      if (v === null || !Number.isFinite(v)) { if (runs[runs.length - 1].length) runs.push([]); return; }
      const epoch = first(s) + e;
      const [px, py] = [x(epoch).toFixed(1), y(v).toFixed(1)];
      runs[runs.length - 1].push(`${px},${py}`);
      // An invisible dot per epoch that names the series and the value when hovered.
      points.push(`<circle class="pt" cx="${px}" cy="${py}" r="4" fill="${colour}"><title>${escapeHtml(`${s.name}, epoch ${epoch}: ${valueName} ${formatNumber(v)}`)}</title></circle>`);
    });
    const cls = `series${s.highlight ? ' highlight' : ''}${s.dashed ? ' dashed' : ''}`;
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
    for (const run of runs.filter((r) => r.length > 0)) {
      if (run.length === 1) {
        const [cx, cy] = run[0].split(',');
        parts.push(`<circle class="${cls}" cx="${cx}" cy="${cy}" r="2.5" fill="${colour}"><title>${escapeHtml(s.name)}</title></circle>`);
      } else {
        parts.push(`<polyline class="${cls}" data-series="${escapeHtml(s.name)}" stroke="${colour}"${dashAttr} points="${run.join(' ')}"><title>${escapeHtml(s.name)}</title></polyline>`);
      }
    }
    parts.push(`<g class="points">${points.join('')}</g>`);
  });
  const legend = series.map((s, i) => {
    const { colour, dash } = seriesStyle(i);
    const pattern = s.dashed ? ' dashed' : dash === '' ? '' : dash.startsWith('2') ? ' dotted' : ' dashed';
    return `<span class="legend-item${s.highlight ? ' highlight' : ''}"><span class="swatch${pattern}" style="border-color:${colour}"></span>${escapeHtml(s.name)}</span>`;
  }).join(' ');
  return `<figure class="chart-box"><svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${parts.join('')}</svg>` +
    `<figcaption class="legend">${legend}</figcaption></figure>`;
}
