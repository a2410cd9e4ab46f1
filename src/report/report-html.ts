/**
 * A self-contained HTML report of a tuning run (inline CSS, JS and SVG; nothing fetched from the
 * network): the trials as a sortable table, learning curves per trial, the objective across trials,
 * and the best model's confusion matrix as a heat map.
 */
import type { HyperParameterSpec, HyperValue } from '../tuners/hyperparameters.js';
import { epochsTrained } from '../tuners/trial.js';
import { escapeHtml, formatNumber } from './html.js';
import { lineChart, type ChartSeries } from './svg-chart.js';

export type ReportTrialStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'INVALID' | 'STOPPED';

/** A trial as its storage keeps it (the fields of TrialRecord, src/tuners/trial.ts, that the report reads). */
export interface ReportTrial {
  trialId: string;
  hyperparameters: { space: HyperParameterSpec[]; values: Record<string, HyperValue> };
  /** Per-epoch values by metric name (`loss`, `val_loss`, `acc`, `val_acc`, ...). */
  metrics: Record<string, number[]>;
  score: number | null;
  /** 0-based epoch of the best score. */
  bestStep: number | null;
  status: ReportTrialStatus;
  message?: string;
}

export interface ReportObjective { name: string; direction: 'min' | 'max' }

/** The best model scored on one data set: which set, where it came from, and its figures. */
export interface ReportEvaluation {
  set: 'validation' | 'test';
  /** The folder (or split) it was read from. */
  source?: string;
  accuracy: number;
  loss?: number;
  /** Images scored. */
  total: number;
  classNames: readonly string[];
  /** Rows true, columns predicted. */
  confusionMatrix: readonly (readonly number[])[];
}

export interface ReportInput {
  title?: string;
  /** The objective, or its metric name (direction then inferred: loss/error-like names are minimised). */
  objective: ReportObjective | string;
  trials: readonly ReportTrial[];
  /** The best model on the validation and / or the test set: summary figures and a confusion matrix each. */
  evaluations?: readonly ReportEvaluation[];
  /** A confusion matrix of the best model on an unnamed set (rows true, columns predicted); prefer `evaluations`. */
  confusionMatrix?: readonly (readonly number[])[];
  classNames?: readonly string[];
  /** Free text under the title (dataset, backend, date...). */
  subtitle?: string;
}

/** Resolves a string objective as KerasTuner does: names with loss or error are minimised. */
export function resolveObjective(o: ReportObjective | string): ReportObjective {
  if (typeof o !== 'string') return o;
  return { name: o, direction: /loss|error|mse|mae/i.test(o) ? 'min' : 'max' };
}

/** The data a logged metric is computed on: Keras prefixes validation metrics with val_. */
export function metricSet(name: string): 'validation' | 'training' {
  return name.startsWith('val_') ? 'validation' : 'training';
}

/** The epoch a trial's metrics start after: Hyperband's tuner/initial_epoch (0 for a fresh trial). */
export function initialEpoch(t: ReportTrial): number {
  const v = t.hyperparameters.values['tuner/initial_epoch'];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 0;
}

/** The completed trial with the best score, or undefined. */
export function bestTrial(trials: readonly ReportTrial[], objective: ReportObjective): ReportTrial | undefined {
  let best: ReportTrial | undefined;
  for (const t of trials) {
    if (t.status !== 'COMPLETED' || t.score === null || !Number.isFinite(t.score)) continue;
    if (!best || (objective.direction === 'min' ? t.score < best.score! : t.score > best.score!)) best = t;
  }
  return best;
}

/** Hyperparameter names over all trials, in the order they were declared. */
function hpNames(trials: readonly ReportTrial[]): string[] {
  const names: string[] = [];
  for (const t of trials) {
    for (const s of t.hyperparameters.space) if (!names.includes(s.name)) names.push(s.name);
    for (const k of Object.keys(t.hyperparameters.values)) if (!names.includes(k)) names.push(k);
  }
  return names;
}

const valueText = (v: HyperValue | undefined) => (v === undefined ? '' : typeof v === 'number' ? formatNumber(v) : String(v));
const sortValue = (v: HyperValue | number | null | undefined) => (v === undefined || v === null ? '' : String(v));

/**
 * The comparison the page's sort uses, as JavaScript source (also evaluated by the tests): empty cells
 * last in both directions, numbers numerically, anything else as text.
 */
export const COMPARE_CELLS_JS = `function compareCells(a, b, dir) {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1;
  var x = Number(a), y = Number(b);
  var c = isFinite(x) && isFinite(y) ? x - y : String(a).localeCompare(String(b), undefined, { numeric: true });
  return dir * c;
}`;

const SORT_SCRIPT = `${COMPARE_CELLS_JS}
document.querySelectorAll('table.sortable').forEach(function (table) {
  var headers = table.querySelectorAll('th');
  headers.forEach(function (th, col) {
    th.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (r1, r2) {
        return compareCells(r1.cells[col].getAttribute('data-v'), r2.cells[col].getAttribute('data-v'), dir);
      });
      headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
document.documentElement.setAttribute('data-ready', '1');`;

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.muted { color: #777; fill: #777; } .summary { display: flex; gap: 24px; flex-wrap: wrap; margin: 12px 0; }
.summary div { background: #f5f7fa; border-radius: 6px; padding: 8px 12px; } .summary b { display: block; font-size: 18px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; } td, th { padding: 4px 8px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
#trials { font-size: 12px; } #trials td, #trials th { padding: 2px 3px; }
#trials th.wrap { white-space: normal; min-width: 6em; } #trials th.v { vertical-align: bottom; padding: 6px 3px; } #trials th.v > span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
#trials td.message-cell { white-space: normal; overflow-wrap: anywhere; min-width: 12em; max-width: 20em; text-align: left; }
td.text, th.text { text-align: left; } th { background: #f5f7fa; position: sticky; top: 0; }
table.sortable th { cursor: pointer; user-select: none; } table.sortable th:hover { background: #e8edf3; }
th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
tr.best td { background: #eaf6ea; font-weight: 600; } .status-FAILED, .status-INVALID { color: #b00020; } .status-STOPPED, .status-RUNNING { color: #8a6d00; }
.table-wrap { max-height: 70vh; overflow-y: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .chart-box { margin: 0; }
.chart .grid { stroke: #eee; } .chart .frame { fill: none; stroke: #ccc; } .chart .tick { font-size: 10px; fill: #666; }
.chart .chart-title { font-size: 12px; font-weight: 600; fill: #333; }
.chart polyline { fill: none; stroke-width: 1.6; } .chart polyline.highlight { stroke-width: 3; } .chart polyline.dashed { stroke-dasharray: 5 3; }
.chart polyline:hover { stroke-width: 3.5; } .chart circle.pt { opacity: 0; } .chart circle.pt:hover { opacity: 1; }
.chart .mark { stroke: #2ca02c; stroke-dasharray: 3 3; }
.legend { font-size: 12px; } .legend-item { margin-right: 10px; white-space: nowrap; } .legend-item.highlight { font-weight: 700; }
.swatch { display: inline-block; width: 16px; border-top: 3px solid; margin-right: 4px; vertical-align: middle; } .swatch.dashed { border-top-style: dashed; } .swatch.dotted { border-top-style: dotted; }
details { margin: 6px 0; } summary { cursor: pointer; } .message { color: #b00020; white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 12px; }
table.confusion td { text-align: center; min-width: 48px; } table.confusion th.corner { font-weight: normal; color: #777; }
`;

function heatColour(fraction: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  // White to dark blue.
  const r = Math.round(255 - f * (255 - 8)), g = Math.round(255 - f * (255 - 69)), b = Math.round(255 - f * (255 - 148));
  return `rgb(${r},${g},${b})`;
}

/** The confusion matrix as a heat-map table: colour by share of the true class (row), counts in the cells. */
export function renderConfusionMatrix(matrix: readonly (readonly number[])[], classNames?: readonly string[]): string {
  const k = matrix.length;
  if (k === 0 || matrix.some((row) => row.length !== k)) {
    throw new Error(`confusionMatrix must be square (one row and one column per class); got rows of lengths ${matrix.map((r) => r.length).join(', ')}.`);
  }
  if (matrix.some((row) => row.some((v) => !Number.isInteger(v) || v < 0))) throw new Error('confusionMatrix must hold non-negative integer counts.');
  if (classNames !== undefined && classNames.length !== k) {
    throw new Error(`classNames has ${classNames.length} names but the confusion matrix has ${k} classes.`);
  }
  const names = classNames ?? matrix.map((_, i) => String(i));
  const head = `<tr><th class="corner text">true \\ predicted</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}<th>total</th><th>recall</th></tr>`;
  const rows = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v, j) => {
      const f = total === 0 ? 0 : v / total;
      const fg = f > 0.55 ? '#fff' : '#222';
      return `<td style="background:${heatColour(f)};color:${fg}" title="${escapeHtml(`${names[i]} predicted as ${names[j]}: ${v} of ${total}`)}"${i === j ? ' class="diag"' : ''}>${v}</td>`;
    }).join('');
    return `<tr><th class="text">${escapeHtml(names[i])}</th>${cells}<td>${total}</td><td>${total === 0 ? '' : formatNumber(row[i] / total)}</td></tr>`;
  }).join('');
  const total = matrix.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  const correct = matrix.reduce((a, row, i) => a + row[i], 0);
  return `<table class="confusion"><thead>${head}</thead><tbody>${rows}</tbody></table>` +
    `<p class="muted">Accuracy ${total === 0 ? '–' : `${formatNumber((100 * correct) / total)}%`} (${correct} of ${total}). Colour: share of the true class.</p>`;
}

const sameSeries = (a: readonly number[] | undefined, b: readonly number[]) =>
  a !== undefined && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

function trialCharts(t: ReportTrial): string {
  // The tuner may store tfjs's `acc` and Keras's `accuracy` side by side: draw such a pair once.
  const names = Object.keys(t.metrics).filter((n) => !(n.endsWith('acc') && sameSeries(t.metrics[`${n}uracy`], t.metrics[n])));
  if (names.length === 0) return '<p class="muted">No metrics recorded.</p>';
  const lossy = (n: string) => /loss/i.test(n);
  const groups = [names.filter(lossy), names.filter((n) => !lossy(n))].filter((g) => g.length > 0);
  const markEpoch = t.bestStep !== null ? t.bestStep + 1 : undefined;
  const firstEpoch = initialEpoch(t) + 1;
  const sets = (g: string[]) => [...new Set(g.map(metricSet))].map((set) => `${set}${set === 'validation' ? ' dashed' : ' solid'}`).join(', ');
  return `<div class="charts">${groups.map((g) => lineChart(
    g.map((n): ChartSeries => ({ name: n, values: t.metrics[n] ?? [], dashed: n.startsWith('val_'), firstEpoch })),
    { title: `${lossy(g[0]) ? 'loss' : 'metrics'} (${sets(g)})`, ...(markEpoch !== undefined ? { markEpoch } : {}) },
  )).join('')}</div>`;
}

/** A trial's per-epoch values of the objective; tfjs logs `acc` where Keras says `accuracy`, so either name finds it. */
function objectiveSeries(t: ReportTrial, name: string): number[] | undefined {
  if (t.metrics[name]) return t.metrics[name];
  const alias = name.endsWith('accuracy') ? name.replace(/accuracy$/, 'acc') : name.endsWith('acc') ? `${name}uracy` : undefined;
  return alias === undefined ? undefined : t.metrics[alias];
}

/** "validation set (data/val)". */
const setText = (e: ReportEvaluation) => `${e.set} set${e.source ? ` (${e.source})` : ''}`;

function evaluationBox(e: ReportEvaluation): string {
  return `<div class="eval-${e.set}"><span class="muted">best model on the ${escapeHtml(setText(e))}</span>` +
    `<b>accuracy ${escapeHtml(formatNumber(100 * e.accuracy))}%</b>${e.loss !== undefined ? `loss ${escapeHtml(formatNumber(e.loss))}, ` : ''}${e.total} images</div>`;
}

const EVALUATIONS = /<section id="evaluations">.*?<\/section>/s;

/**
 * The best model's evaluations as one section (figures per set, then a confusion matrix per set), with
 * their data inside so that `evaluate` can add a test set to a written report (see withEvaluation).
 */
export function renderEvaluations(evaluations: readonly ReportEvaluation[]): string {
  const data = JSON.stringify(evaluations).replace(/</g, '\\u003c');
  return `<section id="evaluations"><script type="application/json" id="evaluations-data">${data}</script>` +
    (evaluations.length ? `<div class="summary">${evaluations.map(evaluationBox).join('')}</div>` : '') +
    evaluations.map((e) => `<h2 class="confusion-${e.set}">Confusion matrix of the best model on the ${escapeHtml(setText(e))}</h2>` +
      renderConfusionMatrix(e.confusionMatrix, e.classNames)).join('\n') + '</section>';
}

/** A written report with `evaluation` added (replacing one on the same set and source); undefined if it has no evaluations section. */
export function withEvaluation(html: string, evaluation: ReportEvaluation): string | undefined {
  const section = html.match(EVALUATIONS)?.[0];
  const data = section?.match(/<script type="application\/json" id="evaluations-data">(.*?)<\/script>/s)?.[1];
  if (data === undefined) return undefined;
  const kept = (JSON.parse(data) as ReportEvaluation[]).filter((e) => !(e.set === evaluation.set && e.source === evaluation.source));
  const all = [...kept, evaluation].sort((a, b) => (a.set === b.set ? 0 : a.set === 'validation' ? -1 : 1));
  return html.replace(EVALUATIONS, () => renderEvaluations(all));
}

/** The whole report page. */
export function renderReport(input: ReportInput): string {
  const objective = resolveObjective(input.objective);
  const objectiveSet = `${metricSet(objective.name)} set`;
  const trials = input.trials;
  const best = bestTrial(trials, objective);
  const title = input.title ?? 'Tuning report';
  const hps = hpNames(trials);
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const evaluations = input.evaluations ?? [];

  const summary = [
    `<div><span class="muted">objective</span><b>${escapeHtml(objective.name)} (${objective.direction})</b>on the ${objectiveSet}</div>`,
    `<div><span class="muted">trials</span><b>${trials.length}</b>${[...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')}</div>`,
    best
      ? `<div><span class="muted">best trial (${escapeHtml(objective.name)} on the ${objectiveSet})</span><b>${escapeHtml(best.trialId)}: ${escapeHtml(formatNumber(best.score))}</b>` +
        `${escapeHtml(Object.entries(best.hyperparameters.values).map(([k, v]) => `${k}=${valueText(v)}`).join(', '))}</div>`
      : '<div><span class="muted">best trial</span><b>none completed</b></div>',
  ].join('');

  // Hyperparameter headers are vertical so that the widest table (every block of the CNN, Hyperband's
  // tuner/* columns) fits the page instead of scrolling sideways.
  const header = ['<th class="text">trial</th>', '<th class="text">status</th>', `<th class="wrap">score (${escapeHtml(objective.name)}, ${objectiveSet})</th>`,
    '<th class="v"><span>best epoch</span></th>', '<th class="v"><span>epochs</span></th>', ...hps.map((h) => `<th class="v"><span>${escapeHtml(h)}</span></th>`),
    '<th class="text">message</th>'].join('');
  const rows = trials.map((t) => {
    const v = t.hyperparameters.values;
    const cells = [
      `<td class="text" data-v="${escapeHtml(t.trialId)}">${escapeHtml(t.trialId)}</td>`,
      `<td class="text status-${escapeHtml(t.status)}" data-v="${escapeHtml(t.status)}">${escapeHtml(t.status)}</td>`,
      `<td data-v="${escapeHtml(sortValue(t.score))}">${escapeHtml(formatNumber(t.score))}</td>`,
      `<td data-v="${t.bestStep === null ? '' : t.bestStep + 1}">${t.bestStep === null ? '' : t.bestStep + 1}</td>`,
      `<td data-v="${epochsTrained(t.metrics)}">${epochsTrained(t.metrics)}</td>`,
      ...hps.map((h) => `<td data-v="${escapeHtml(sortValue(v[h]))}">${escapeHtml(valueText(v[h]))}</td>`),
      `<td class="text message-cell" data-v="${escapeHtml(t.message ?? '')}">${escapeHtml((t.message ?? '').split('\n')[0].slice(0, 120))}</td>`,
    ];
    return `<tr id="row-${escapeHtml(t.trialId)}"${t === best ? ' class="best"' : ''}>${cells.join('')}</tr>`;
  }).join('\n');

  // Objective across trials: one line per trial (each its own colour and dash pattern), the best one thick;
  // a trial that continues another starts after its initial epoch.
  const withObjective = trials.filter((t) => (objectiveSeries(t, objective.name)?.length ?? 0) > 0);
  const overview = withObjective.length === 0 ? '' :
    `<h2>${escapeHtml(objective.name)} per epoch, all trials (${objectiveSet})</h2>` +
    '<p class="muted">Hover a line or a point for the trial, the epoch and the value.</p>' + lineChart(
      withObjective.map((t) => ({ name: `trial ${t.trialId}`, values: objectiveSeries(t, objective.name)!, highlight: t === best, firstEpoch: initialEpoch(t) + 1 })),
      { width: 720, height: 280, valueName: objective.name, ...(best?.bestStep != null ? { markEpoch: best.bestStep + 1 } : {}) },
    );

  const ordered = [...trials].sort((a, b) => (a === best ? -1 : b === best ? 1 : 0));
  const curves = ordered.map((t) =>
    `<details${t === best ? ' open' : ''} id="curves-${escapeHtml(t.trialId)}"><summary>trial ${escapeHtml(t.trialId)} — ` +
    `<span class="status-${escapeHtml(t.status)}">${escapeHtml(t.status)}</span>, score ${escapeHtml(formatNumber(t.score) || '–')}` +
    `${t === best ? ' (best)' : ''}${initialEpoch(t) > 0 ? `, epochs ${initialEpoch(t) + 1}-${initialEpoch(t) + epochsTrained(t.metrics)} (continues trial ${escapeHtml(String(t.hyperparameters.values['tuner/trial_id'] ?? '?'))})` : ''}</summary>` +
    `${t.message ? `<p class="message">${escapeHtml(t.message)}</p>` : ''}${trialCharts(t)}</details>`).join('\n');

  const confusion = input.confusionMatrix ? `<h2>Confusion matrix of the best model</h2>${renderConfusionMatrix(input.confusionMatrix, input.classNames)}` : '';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${input.subtitle ? `<p class="muted">${escapeHtml(input.subtitle)}</p>` : ''}
<div class="summary">${summary}</div>
${renderEvaluations(evaluations)}
<h2>Trials</h2>
<p class="muted">Click a column header to sort.</p>
<div class="table-wrap"><table class="sortable" id="trials"><thead><tr>${header}</tr></thead>
<tbody>
${rows}
</tbody></table></div>
${overview}
${confusion}
<h2>Learning curves</h2>
<p class="muted">Per trial: training-set metrics solid, validation-set metrics (val_) dashed.</p>
${curves || '<p class="muted">No trials.</p>'}
<script>
${SORT_SCRIPT}
</script>
</body>
</html>
`;
}
