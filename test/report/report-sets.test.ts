/**
 * The report a new user opens after a search (issue 15): every figure names the set it is on, the test
 * evaluation is there when there is one, the widest trials table fits the page, 30+ curves can be told
 * apart and name themselves on hover, and a Hyperband trial that continues another is drawn from its
 * initial epoch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { cnnConfigFromHp, InvalidModelError } from '../../src/models/cnn.js';
import { renderReport, type ReportEvaluation, type ReportTrial } from '../../src/report/report-html.js';
import { Rng } from '../../src/util/rng.js';

/**
 * n Hyperband trials over the built-in CNN's full space (3 blocks at most) as the tuner records them: the
 * CNN declares its hyperparameters on real HyperParameters, then Hyperband's tuner/* values.
 */
function hyperbandTrials(n: number): ReportTrial[] {
  const rng = new Rng(7);
  const out: ReportTrial[] = [];
  for (let i = 0; i < n; i++) {
    const hp = new HyperParameters();
    hp.setValue('num_blocks', 3);
    for (const b of [1, 2, 3]) {
      hp.setValue(`filters_${b}`, 4 * (1 + Math.floor(rng.next() * 16)));
      hp.setValue(`dropout_${b}`, Math.round(rng.next() * 9) / 10);
    }
    hp.setValue('learning_rate', 1e-4 * 100 ** rng.next());
    hp.setValue('optimizer', ['adam', 'rmsprop', 'sgd'][i % 3]);
    try {
      cnnConfigFromHp(hp, { inputShape: [64, 64, 3], numClasses: 4 });
    } catch (e) {
      if (!(e instanceof InvalidModelError)) throw e;
    }
    const resumed = i >= 20;
    const initial = resumed ? 3 : 0;
    const values: Record<string, number | string | boolean> = {
      ...hp.values, 'tuner/epochs': resumed ? 9 : 3, 'tuner/initial_epoch': initial, 'tuner/bracket': 2, 'tuner/round': resumed ? 1 : 0,
      ...(resumed ? { 'tuner/trial_id': String(i - 20).padStart(4, '0') } : {}),
    };
    const epochs = resumed ? 6 : 3;
    const valAcc = Array.from({ length: epochs }, (_, e) => 0.25 + 0.05 * e + 0.01 * (i % 7));
    const failed = i === 5;
    out.push({
      trialId: String(i).padStart(4, '0'), hyperparameters: { space: hp.space, values },
      metrics: failed ? {} : { loss: valAcc.map((v) => 2 - v), val_loss: valAcc.map((v) => 2.1 - v), acc: valAcc.map((v) => v + 0.1), val_acc: valAcc },
      score: failed ? null : Math.max(...valAcc), bestStep: failed ? null : initial + epochs - 1, status: failed ? 'FAILED' : 'COMPLETED',
      ...(failed ? { message: 'Error: Requested texture size [4096x8192] greater than WebGL maximum on this browser / GPU [4096x4096]. '.repeat(3) } : {}),
    });
  }
  return out;
}

const EVALS: ReportEvaluation[] = [
  { set: 'validation', source: 'data/val', accuracy: 0.6125, loss: 0.98, total: 80, classNames: ['a', 'b'], confusionMatrix: [[30, 10], [21, 19]] },
  { set: 'test', source: 'data/test', accuracy: 0.5875, loss: 1.02, total: 80, classNames: ['a', 'b'], confusionMatrix: [[28, 12], [21, 19]] },
];

test('every figure names its set; the test evaluation has its own box and confusion matrix', () => {
  const html = renderReport({ objective: 'val_accuracy', trials: hyperbandTrials(4), evaluations: EVALS });
  assert.match(html, /<th class="wrap">score \(val_accuracy, validation set\)<\/th>/);
  assert.match(html, /best trial \(val_accuracy on the validation set\)/);
  assert.match(html, /<h2>val_accuracy per epoch, all trials \(validation set\)<\/h2>/);
  assert.match(html, /best model on the validation set \(data\/val\)<\/span><b>accuracy 61\.25%<\/b>loss 0\.98, 80 images/);
  assert.match(html, /best model on the test set \(data\/test\)<\/span><b>accuracy 58\.75%<\/b>loss 1\.02, 80 images/);
  const validation = html.match(/<h2 class="confusion-validation">Confusion matrix of the best model on the validation set \(data\/val\)<\/h2><table class="confusion">(.*?)<\/table>/s);
  const testSet = html.match(/<h2 class="confusion-test">Confusion matrix of the best model on the test set \(data\/test\)<\/h2><table class="confusion">(.*?)<\/table>/s);
  assert.ok(validation && testSet, 'one confusion matrix per set, each headed by its set');
  const counts = (t: string) => [...t.matchAll(/<td style="background:[^"]+"[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1]));
  assert.deepEqual(counts(validation[1]), [30, 10, 21, 19]);
  assert.deepEqual(counts(testSet[1]), [28, 12, 21, 19]);
  // Per-trial charts say which lines are training and which validation.
  assert.match(html, /<text class="chart-title"[^>]*>loss \(training solid, validation dashed\)<\/text>/);
  // A training-set objective is labelled as such.
  assert.match(renderReport({ objective: 'loss', trials: hyperbandTrials(2) }), /<th class="wrap">score \(loss, training set\)<\/th>/);
});

/** Rough width in px of the trials table as a browser lays it out: each column as wide as its widest unbreakable content. */
function estimatedTableWidth(html: string): { width: number; columns: number } {
  const css = html.match(/<style>(.*?)<\/style>/s)![1];
  const font = Number(css.match(/#trials \{[^}]*font-size: (\d+)px/)?.[1] ?? 14);
  const char = 0.62 * font; // average advance of digits and letters in system-ui
  const pad = Number(css.match(/#trials td, #trials th \{[^}]*padding: \d+px (\d+)px/)?.[1] ?? 8) * 2 + 1;
  const verticalHeaders = /#trials th\.v > span \{[^}]*writing-mode: vertical-rl/.test(css);
  const messageWraps = css.match(/#trials td\.message-cell \{([^}]*)\}/)?.[1];
  const messageMax = messageWraps && /white-space: normal/.test(messageWraps) ? Number(messageWraps.match(/max-width: (\d+)em/)?.[1] ?? Infinity) * font : Infinity;
  const table = html.match(/<table class="sortable" id="trials">(.*?)<\/table>/s)![1];
  const heads = [...table.match(/<thead><tr>(.*?)<\/tr>/)![1].matchAll(/<th([^>]*)>(.*?)<\/th>/g)];
  const headersWrap = /#trials th\.wrap \{[^}]*white-space: normal/.test(css);
  const widths = heads.map(([, attrs, inner]) => {
    const text = inner.replace(/<[^>]+>/g, '');
    if (verticalHeaders && /class="v"/.test(attrs)) return font * 1.5;
    return (headersWrap && /class="wrap"/.test(attrs) ? Math.max(...text.split(/\s+/).map((w) => w.length)) : text.length) * char;
  });
  for (const [, row] of table.matchAll(/<tr id="row-[^"]+"[^>]*>(.*?)<\/tr>/g)) {
    [...row.matchAll(/<td([^>]*)>(.*?)<\/td>/g)].forEach(([, attrs, inner], j) => {
      const w = inner.replace(/&[a-z]+;/g, 'x').length * char;
      widths[j] = Math.max(widths[j], /message-cell/.test(attrs) ? Math.min(w, messageMax) : w);
    });
  }
  if (process.env.REPORT_WIDTHS) console.log(heads.map(([, , inner], j) => `${inner.replace(/<[^>]+>/g, '')}=${Math.round(widths[j])}`).join(' '));
  return { width: widths.reduce((a, w) => a + w + pad, 0), columns: heads.length };
}

test('the widest trials table (Hyperband over the full CNN space) fits a 1280 px window instead of scrolling sideways', () => {
  const html = renderReport({ objective: 'val_accuracy', trials: hyperbandTrials(30), evaluations: EVALS });
  const { width, columns } = estimatedTableWidth(html);
  assert.ok(columns >= 27, `every hyperparameter and tuner/* value is a column (${columns})`);
  assert.ok(width <= 1280 - 2 * 24 - 16, `estimated table width ${Math.round(width)} px`);
  assert.doesNotMatch(html.match(/<style>(.*?)<\/style>/s)![1], /\.table-wrap \{[^}]*overflow-x: auto/, 'no sideways scroll box');
});

test('30+ trials: each curve has its own colour and dash pattern, and every point names its trial, epoch and value', () => {
  const trials = hyperbandTrials(45);
  const html = renderReport({ objective: 'val_acc', trials });
  const overview = html.match(/all trials \(validation set\)<\/h2>.*?<svg(.*?)<\/svg>/s)![1];
  const lines = [...overview.matchAll(/<polyline class="[^"]*" data-series="(trial \d+)" stroke="([^"]+)"(?: stroke-dasharray="([^"]+)")? points/g)];
  assert.equal(lines.length, 44, 'every trial with values (the failed one has none)');
  const styles = new Set(lines.map((m) => `${m[2]} ${m[3] ?? 'solid'}`));
  assert.equal(styles.size, lines.length, 'no two curves look the same');
  const tips = [...overview.matchAll(/<circle class="pt"[^>]*><title>([^<]+)<\/title>/g)].map((m) => m[1]);
  assert.equal(tips.length, trials.reduce((a, t) => a + (t.metrics.val_acc?.length ?? 0), 0), 'a hover point per epoch of every trial');
  assert.ok(tips.includes('trial 0022, epoch 4: val_acc 0.26'), tips.slice(60, 64).join(' | '));
});

test('a Hyperband trial that continues another is drawn from its initial epoch, not from epoch 1', () => {
  const trials = hyperbandTrials(21); // 0000-0019: epochs 1-3; 0020 continues 0000 at epochs 4-9
  const html = renderReport({ objective: 'val_acc', trials });
  const overview = html.match(/all trials \(validation set\)<\/h2>.*?<svg(.*?)<\/svg>/s)![1];
  const xs = (id: string) => overview.match(new RegExp(`data-series="trial ${id}"[^>]*points="([^"]+)"`))![1].split(' ').map((p) => Number(p.split(',')[0]));
  const fresh = xs('0000');
  const resumed = xs('0020');
  assert.equal(fresh.length, 3);
  assert.equal(resumed.length, 6);
  assert.ok(resumed[0] > fresh[2], `epoch 4 of trial 0020 (x ${resumed[0]}) is right of epoch 3 of trial 0000 (x ${fresh[2]})`);
  const tip = overview.match(/<title>(trial 0020, epoch \d+): /)![1];
  assert.equal(tip, 'trial 0020, epoch 4');
  // Its own chart starts at epoch 4 too, and its best epoch (9) is marked inside the chart.
  const own = html.match(/<details(?: open)? id="curves-0020"><summary>([^<]*<span[^>]*>[^<]*<\/span>[^<]*)<\/summary>(.*?)<\/details>/s)!;
  assert.match(own[1], /epochs 4-9 \(continues trial 0000\)/);
  assert.match(own[2], /<title>loss, epoch 4: /);
  assert.doesNotMatch(own[2], /epoch 1: /);
  assert.match(own[2], /<title>best epoch 9<\/title>/);
});
