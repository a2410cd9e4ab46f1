/**
 * The search report: one self-contained HTML page (inline CSS, JS and SVG; no network) with the trials
 * as a sortable table, learning curves per metric (one line per trial, the best one highlighted) and the
 * best model's confusion matrix as a heat map. People would rather look at a curve than read numbers.
 */
import type { TrialRecord } from '../tuners/trial.js';

export interface ReportInput {
  title: string;
  objective: { name: string; direction: 'min' | 'max' };
  trials: TrialRecord[];
  bestTrialId?: string;
  classNames?: string[];
  /** Rows: true class; columns: predicted class. */
  confusionMatrix?: number[][];
  confusionMatrixCaption?: string;
}

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const fmt = (v: unknown): string => {
  if (typeof v !== 'number') return v === null || v === undefined ? '' : String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4).replace(/\.?0+$/, '') : v.toExponential(2);
};

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Epoch numbers of a trial's history: a Hyperband promotion continues its parent's count. */
function firstEpoch(t: TrialRecord): number {
  const v = t.hyperparameters.values['tuner/initial_epoch'];
  return typeof v === 'number' ? v : 0;
}

/** One SVG line chart: a polyline per trial for this metric. */
function chart(metric: string, trials: TrialRecord[], bestId: string | undefined): string {
  const series = trials
    .map((t, i) => ({ t, i, ys: t.metrics?.[metric] ?? [] }))
    .filter((s) => s.ys.length > 0 && s.ys.some(Number.isFinite));
  if (series.length === 0) return '';
  const W = 460, H = 240, L = 48, R = 12, T = 24, B = 32;
  const xs = series.flatMap((s) => [firstEpoch(s.t) + 1, firstEpoch(s.t) + s.ys.length]);
  const vals = series.flatMap((s) => s.ys.filter(Number.isFinite));
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  let y0 = Math.min(...vals), y1 = Math.max(...vals);
  if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => y0 + f * (y1 - y0));
  const lines = series.map(({ t, i, ys }) => {
    const pts = ys.map((y, k) => (Number.isFinite(y) ? `${px(firstEpoch(t) + k + 1).toFixed(1)},${py(y).toFixed(1)}` : '')).filter(Boolean).join(' ');
    const best = t.trialId === bestId;
    const color = best ? '#d62728' : PALETTE[i % PALETTE.length];
    return `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="${best ? 3 : 1.4}" opacity="${best ? 1 : 0.55}"><title>trial ${esc(t.trialId)}</title></polyline>`;
  });
  return `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(metric)} per epoch">
<text x="${W / 2}" y="16" text-anchor="middle" class="ct">${esc(metric)}</text>
${ticks.map((v) => `<line x1="${L}" x2="${W - R}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" class="grid"/><text x="${L - 4}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${esc(fmt(v))}</text>`).join('')}
<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" class="tick">epoch</text>
<text x="${L}" y="${H - 18}" text-anchor="middle" class="tick">${x0}</text><text x="${W - R}" y="${H - 18}" text-anchor="middle" class="tick">${x1}</text>
${lines.join('\n')}
</svg></figure>`;
}

function confusion(classNames: string[], m: number[][], caption: string | undefined): string {
  const max = Math.max(1, ...m.flat());
  const rows = m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return `<tr><th scope="row">${esc(classNames[i])}</th>${row.map((v, j) => {
      const a = (v / max).toFixed(3);
      const fg = v / max > 0.55 ? '#fff' : '#111';
      return `<td class="cm${i === j ? ' diag' : ''}" style="background:rgba(31,119,180,${a});color:${fg}" title="${esc(classNames[i])} predicted as ${esc(classNames[j])}">${v}</td>`;
    }).join('')}<td class="tot">${total}</td></tr>`;
  });
  return `<section><h2>Confusion matrix</h2>${caption ? `<p>${esc(caption)}. Rows: true class; columns: predicted class.</p>` : ''}
<table class="confusion"><thead><tr><th></th>${classNames.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}<th>total</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></section>`;
}

export function renderReport(input: ReportInput): string {
  const { trials, objective } = input;
  const hpNames = [...new Set(trials.flatMap((t) => Object.keys(t.hyperparameters?.values ?? {})))];
  const metricNames = [...new Set(trials.flatMap((t) => Object.keys(t.metrics ?? {})))].sort();
  const best = trials.find((t) => t.trialId === input.bestTrialId);
  const completed = trials.filter((t) => t.status === 'COMPLETED').length;
  const epochs = (t: TrialRecord) => Math.max(0, ...Object.values(t.metrics ?? {}).map((m) => m.length));
  const cols = ['trial', 'status', objective.name, 'best epoch', 'epochs', ...hpNames];
  const body = trials.map((t) => {
    const cells = [t.trialId, t.status, t.score, t.bestStep === null || t.bestStep === undefined ? '' : t.bestStep + 1, epochs(t),
      ...hpNames.map((h) => t.hyperparameters.values[h])];
    return `<tr${t.trialId === input.bestTrialId ? ' class="best"' : ''}${t.message ? ` title="${esc(t.message)}"` : ''}>${cells
      .map((c) => `<td data-v="${esc(typeof c === 'number' ? c : c ?? '')}">${esc(fmt(c))}</td>`).join('')}</tr>`;
  });
  const charts = metricNames.map((m) => chart(m, trials, input.bestTrialId)).filter(Boolean);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#111;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555}table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
#trials th{cursor:pointer;background:#f0f0f0;user-select:none}#trials th.asc::after{content:" \\25B2"}#trials th.desc::after{content:" \\25BC"}
tr.best td{background:#fff3cd;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{margin:0;background:#fff;border:1px solid #ddd}
.grid{stroke:#eee}.tick{font-size:11px;fill:#666}.ct{font-size:13px;font-weight:600}
.confusion td.cm{min-width:44px;text-align:center}.confusion td.diag{outline:2px solid #2ca02c;outline-offset:-2px}.confusion td.tot{color:#666}
</style></head><body>
<h1>${esc(input.title)}</h1>
<p class="meta">Objective: <b>${esc(objective.name)}</b> (${objective.direction === 'max' ? 'higher' : 'lower'} is better) &middot;
${trials.length} trials, ${completed} completed${best ? ` &middot; best: trial <b>${esc(best.trialId)}</b> with ${esc(objective.name)} = <b>${esc(fmt(best.score))}</b>` : ''}</p>
<section><h2>Trials</h2><p class="meta">Click a column header to sort.</p>
<table id="trials"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody></table></section>
<section><h2>Learning curves</h2><p class="meta">One line per trial; the best trial in bold red.</p><div class="charts">${charts.join('\n')}</div></section>
${input.classNames && input.confusionMatrix ? confusion(input.classNames, input.confusionMatrix, input.confusionMatrixCaption) : ''}
<script>
(() => {
  const table = document.getElementById('trials');
  const tbody = table.tBodies[0];
  table.tHead.rows[0].querySelectorAll('th').forEach((th, col) => {
    th.addEventListener('click', () => {
      const asc = !th.classList.contains('asc');
      table.tHead.querySelectorAll('th').forEach((h) => h.classList.remove('asc', 'desc'));
      th.classList.add(asc ? 'asc' : 'desc');
      const key = (tr) => { const v = tr.cells[col].dataset.v; const n = Number(v); return v !== '' && !Number.isNaN(n) ? n : v; };
      const rows = [...tbody.rows].sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === y) return 0;
        if (x === '') return 1;
        if (y === '') return -1;
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return asc ? c : -c;
      });
      rows.forEach((r) => tbody.appendChild(r));
    });
  });
})();
</script>
</body></html>
`;
}
