import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { cnnConfigFromHp, InvalidModelError } from '../../src/models/cnn.js';
import { bestTrial, renderConfusionMatrix, renderReport, resolveObjective, type ReportTrial } from '../../src/report/report-html.js';
import { lineChart } from '../../src/report/svg-chart.js';

/** Trial records as the tuner writes them, with the CNN's real search space. */
function trial(id: string, values: Record<string, number | string>, metrics: Record<string, number[]>, status: ReportTrial['status'] = 'COMPLETED', message?: string): ReportTrial {
  const hp = new HyperParameters();
  for (const [k, v] of Object.entries(values)) hp.setValue(k, v);
  try {
    cnnConfigFromHp(hp, { inputShape: [16, 16, 3], numClasses: 4 });
  } catch (e) {
    if (!(e instanceof InvalidModelError)) throw e;
  }
  const acc = metrics.val_acc;
  const score = status === 'COMPLETED' && acc ? Math.max(...acc) : null;
  return {
    trialId: id, hyperparameters: { space: hp.space, values: hp.values }, metrics, score,
    bestStep: score === null ? null : acc.indexOf(score), status, ...(message ? { message } : {}),
  };
}

const TRIALS: ReportTrial[] = [
  trial('2', { num_blocks: 1, filters_1: 8 }, { loss: [1.3, 1.1, 0.9], val_loss: [1.35, 1.2, 1.15], acc: [0.3, 0.45, 0.6], val_acc: [0.3, 0.4, 0.45] }),
  trial('10', { num_blocks: 2, filters_1: 16, filters_2: 32 }, { loss: [1.2, 0.9, 0.7, 0.6], val_loss: [1.25, 1.0, 0.85, 0.9], acc: [0.35, 0.55, 0.7, 0.75], val_acc: [0.35, 0.5, 0.66, 0.62] }),
  trial('3', { num_blocks: 3 }, {}, 'INVALID', 'Block 3 of 3 does not fit the input <script>alert(1)</script> & more'),
];

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

test('the report is one self-contained page: trials table, curves, confusion matrix, escaped text', () => {
  const html = renderReport({
    title: 'ToonVision <suits>', objective: 'val_acc', trials: TRIALS,
    confusionMatrix: [[18, 2, 0, 0], [1, 15, 3, 1], [0, 2, 17, 1], [4, 0, 0, 16]],
    classNames: ['bossbot', 'cashbot', 'lawbot', 'sellbot'],
  });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.doesNotMatch(html, /https?:\/\/|<link|\bsrc=|@import/, 'nothing is fetched from elsewhere');
  assert.equal(html.match(/<script>/g)?.length, 1);
  assert.match(html, /<title>ToonVision &lt;suits&gt;<\/title>/);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; more/);

  // One row per trial; the best (highest val_acc) is marked.
  assert.equal(html.match(/<tr id="row-/g)?.length, 3);
  assert.match(html, /<tr id="row-10" class="best">/);
  assert.match(html, /best trial \(val_acc on the validation set\)<\/span><b>10: 0\.66<\/b>/);
  for (const h of ['num_blocks', 'filters_1', 'kernel_size_3', 'learning_rate', 'optimizer']) assert.match(html, new RegExp(`<th class="v"><span>${h}</span></th>`));
  // Trial 2 has one block: its filters_2 cell is empty; trial 10 has 32.
  const row2 = html.match(/<tr id="row-2">(.*?)<\/tr>/)![1];
  const row10 = html.match(/<tr id="row-10" class="best">(.*?)<\/tr>/)![1];
  const cellsOf = (row: string) => [...row.matchAll(/<td[^>]*data-v="([^"]*)"[^>]*>/g)].map((m) => m[1]);
  const headers = [...html.match(/<table class="sortable" id="trials"><thead><tr>(.*?)<\/tr>/)![1].matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  const col = headers.indexOf('filters_2');
  assert.equal(cellsOf(row2)[col], '');
  assert.equal(cellsOf(row10)[col], '32');
  assert.equal(cellsOf(row10)[headers.indexOf('best epoch')], '3');
  assert.equal(cellsOf(row10)[headers.indexOf('epochs')], '4');

  // Learning curves: loss and val_loss of the best trial as polylines; decreasing loss goes down the chart (y grows).
  const curves10 = html.match(/<details open id="curves-10">(.*?)<\/details>/s)![1];
  const series = [...curves10.matchAll(/<polyline[^>]*data-series="([^"]+)"[^>]*points="([^"]+)"/g)].map((m) => ({ name: m[1], points: m[2].split(' ').map((p) => p.split(',').map(Number)) }));
  assert.deepEqual(series.map((s) => s.name), ['loss', 'val_loss', 'acc', 'val_acc']);
  const loss = series[0].points;
  assert.equal(loss.length, 4);
  for (let i = 1; i < loss.length; i++) {
    assert.ok(loss[i][0] > loss[i - 1][0], 'epochs go right');
    assert.ok(loss[i][1] > loss[i - 1][1], 'a falling loss is drawn lower');
  }
  for (const [x, y] of series.flatMap((s) => s.points)) assert.ok(x >= 0 && x <= 360 && y >= 0 && y <= 200, `point ${x},${y} inside the chart`);
  assert.match(curves10, /class="mark" x1=/, 'best epoch marked');
  assert.match(html, /<details id="curves-3">.*No metrics recorded/s);
  // Overview of the objective across trials: a line for each trial with val_acc, the best one thick.
  assert.match(html, /<polyline class="series highlight" data-series="trial 10"/);
  assert.match(html, /<polyline class="series" data-series="trial 2"/);

  // Confusion matrix heat map: counts in order, diagonal marked, recall per row.
  const cm = html.match(/<table class="confusion">(.*?)<\/table>/s)![1];
  assert.deepEqual([...cm.matchAll(/<td style="background:[^"]+"[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1])),
    [18, 2, 0, 0, 1, 15, 3, 1, 0, 2, 17, 1, 4, 0, 0, 16]);
  assert.equal(cm.match(/class="diag"/g)?.length, 4);
  assert.match(cm, /<th class="text">sellbot<\/th>.*?<td>20<\/td><td>0\.8<\/td>/);
  assert.match(html, /Accuracy 82\.5% \(66 of 80\)/);
});

/** Just enough DOM for the page's script: the trials table parsed from the HTML. */
function fakeDom(html: string) {
  const attrs = () => {
    const m = new Map<string, string>();
    return {
      getAttribute: (n: string) => (m.has(n) ? m.get(n)! : null),
      setAttribute: (n: string, v: string) => void m.set(n, String(v)),
      removeAttribute: (n: string) => void m.delete(n),
    };
  };
  const table = html.match(/<table class="sortable" id="trials">(.*?)<\/table>/s)![1];
  const headers = [...table.match(/<thead><tr>(.*?)<\/tr>/)![1].matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => {
    const el = { ...attrs(), text: m[1].replace(/<[^>]+>/g, ''), click: () => {}, addEventListener: (_: string, f: () => void) => { el.click = f; } };
    return el;
  });
  const rows = [...table.matchAll(/<tr id="row-([^"]+)"[^>]*>(.*?)<\/tr>/g)].map((m) => ({
    id: m[1],
    cells: [...m[2].matchAll(/data-v="([^"]*)"/g)].map((c) => ({ getAttribute: (n: string) => (n === 'data-v' ? unescape(c[1]) : null) })),
  }));
  const body = {
    rows,
    appendChild(r: (typeof rows)[number]) { rows.splice(rows.indexOf(r), 1); rows.push(r); },
  };
  const root = attrs();
  const document = {
    documentElement: root,
    querySelectorAll: (sel: string) => (sel === 'table.sortable' ? [{ querySelectorAll: () => headers, tBodies: [body] }] : []),
  };
  const script = html.match(/<script>(.*?)<\/script>/s)![1];
  vm.runInNewContext(script, { document });
  return { headers, order: () => rows.map((r) => r.id), header: (text: string) => headers.find((h) => h.text.startsWith(text))!, root };
}

test('clicking a header sorts the trials: numbers numerically, empty cells last, again to reverse', () => {
  const dom = fakeDom(renderReport({ objective: 'val_acc', trials: TRIALS }));
  assert.equal(dom.root.getAttribute('data-ready'), '1', 'the script ran to the end');
  assert.deepEqual(dom.order(), ['2', '10', '3']);
  const score = dom.header('score');
  score.click();
  assert.deepEqual(dom.order(), ['2', '10', '3'], 'ascending: 0.45, 0.66, then the invalid trial without score');
  assert.equal(score.getAttribute('aria-sort'), 'ascending');
  score.click();
  assert.deepEqual(dom.order(), ['10', '2', '3'], 'descending, empty still last');
  assert.equal(score.getAttribute('aria-sort'), 'descending');
  dom.header('trial').click();
  assert.deepEqual(dom.order(), ['2', '3', '10'], 'trial ids compare as numbers, not text');
  assert.equal(score.getAttribute('aria-sort'), null);
  dom.header('status').click();
  assert.deepEqual(dom.order().slice(2), ['3'], 'COMPLETED before INVALID');
});

test('objective direction, best trial, and bad confusion matrices', () => {
  assert.deepEqual(resolveObjective('val_loss'), { name: 'val_loss', direction: 'min' });
  assert.deepEqual(resolveObjective('val_accuracy'), { name: 'val_accuracy', direction: 'max' });
  const byLoss = TRIALS.map((t) => ({ ...t, score: t.metrics.val_loss ? Math.min(...t.metrics.val_loss) : null }));
  assert.equal(bestTrial(byLoss, resolveObjective('val_loss'))?.trialId, '10');
  assert.equal(bestTrial([TRIALS[2]], resolveObjective('val_acc')), undefined);
  assert.match(renderReport({ objective: 'val_acc', trials: [] }), /none completed.*No trials/s);
  // A tfjs `val_acc` stored next to an identical Keras `val_accuracy` is drawn once.
  const aliased = { ...TRIALS[1], metrics: { ...TRIALS[1].metrics, val_accuracy: [...TRIALS[1].metrics.val_acc] } };
  const curves = renderReport({ objective: 'val_accuracy', trials: [aliased] }).match(/<details open id="curves-10">(.*?)<\/details>/s)![1];
  assert.deepEqual([...curves.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]), ['loss', 'val_loss', 'acc', 'val_accuracy']);
  // Keras's name for the objective finds tfjs's `val_acc` series.
  assert.match(renderReport({ objective: 'val_accuracy', trials: TRIALS }), /<h2>val_accuracy per epoch, all trials \(validation set\)<\/h2>.*data-series="trial 10"/s);
  assert.throws(() => renderConfusionMatrix([[1, 2], [3]]), /must be square/);
  assert.throws(() => renderConfusionMatrix([[1, 2], [3, 4]], ['a']), /classNames has 1 names but the confusion matrix has 2 classes/);
  assert.throws(() => renderConfusionMatrix([[1, 0.5], [3, 4]]), /non-negative integer counts/);
});

test('charts leave gaps at NaN epochs and survive flat or empty series', () => {
  const svg = lineChart([{ name: 'loss', values: [1, Number.NaN, 0.5, 0.4] }, { name: 'flat', values: [0.3, 0.3] }, { name: 'none', values: [] }]);
  assert.equal(svg.match(/<circle class="series/g)?.length, 1, 'the lone first epoch is a dot');
  assert.equal(svg.match(/<circle class="pt"/g)?.length, 5, 'a hover point per finite value');
  assert.equal(svg.match(/<polyline/g)?.length, 2, 'epochs 3-4 of loss, and the flat series');
  assert.doesNotMatch(svg, /NaN/);
  assert.match(lineChart([{ name: 'x', values: [Number.NaN] }]), /no values/);
});

const CHROMIUM = '/usr/bin/chromium';
test('the page loads in headless Chromium and its script runs', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: the page structure and its script are tested without a browser above`,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'report-'));
  try {
    const file = join(dir, 'report.html');
    await writeFile(file, renderReport({ objective: 'val_acc', trials: TRIALS, confusionMatrix: [[1, 0], [0, 1]], classNames: ['cog', 'toon'] }));
    const dom = execFileSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 30000 });
    assert.match(dom, /<html[^>]*data-ready="1"/);
    assert.match(dom, /<tr id="row-10" class="best">/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
