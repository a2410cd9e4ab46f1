import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ASHA, Hyperband, RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { EarlyStoppingCallback, resolveEarlyStopping, type ResolvedEarlyStopping } from '../../src/tuners/early-stopping.js';
import { toObjective } from '../../src/tuners/objective.js';
import type { Trial } from '../../src/tuners/trial.js';
import type { Oracle } from '../../src/tuners/oracle.js';
import { denseHypermodel, stallingHypermodel } from './fixtures/tiny.js';
import { searchFixture } from './fixtures/search-fixture.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'parallel-models.ts');
const fx = searchFixture('tuner-es-');

/**
 * Keras's EarlyStopping rule, written out independently of the callback: the (relative) epoch at which
 * it stops training on this series, or null when it lets every epoch run.
 */
function kerasStopEpoch(series: number[], s: ResolvedEarlyStopping, initialEpoch = 0): number | null {
  let best: number | null = null;
  let wait = 0;
  const better = (v: number, ref: number | null) => ref === null || (s.direction === 'min' ? v + s.minDelta < ref : v - s.minDelta > ref);
  for (let i = 0; i < series.length; i++) {
    wait++;
    if (better(series[i], best)) {
      best = series[i];
      if (s.baseline === undefined || better(series[i], s.baseline)) wait = 0;
      continue;
    }
    if (wait >= s.patience && initialEpoch + i > 0) return i;
  }
  return null;
}

/** Feeds the callback one epoch of logs at a time; returns the epoch at which it stopped training. */
async function stopEpoch(cb: EarlyStoppingCallback, logs: Array<Record<string, number>>, initialEpoch = 0): Promise<number | null> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  try {
    cb.setModel(model);
    model.stopTraining = false;
    await cb.onTrainBegin();
    for (let i = 0; i < logs.length; i++) {
      await cb.onEpochEnd(initialEpoch + i, logs[i]);
      if (model.stopTraining) return initialEpoch + i;
    }
    return null;
  } finally {
    model.dispose();
  }
}

const valLoss = toObjective('val_loss');
const valAccuracy = toObjective('val_accuracy');

test('the callback follows Keras\'s rule: patience, minDelta, baseline, never on epoch 0, val_accuracy read from val_acc', async () => {
  const es = (spec: object, objective = valLoss) => new EarlyStoppingCallback(resolveEarlyStopping(spec, objective));
  const losses = (xs: number[]) => xs.map((v) => ({ loss: 1, val_loss: v }));
  // two epochs without improvement after the best (epoch 1): stops at epoch 3
  assert.equal(await stopEpoch(es({ patience: 2 }), losses([1, 0.9, 0.95, 0.92, 0.5, 0.4])), 3);
  // an improvement resets the wait
  assert.equal(await stopEpoch(es({ patience: 2 }), losses([1, 0.9, 0.95, 0.8, 0.85, 0.86, 0.1])), 5);
  // equal is not better; improvements below minDelta do not count
  assert.equal(await stopEpoch(es({ patience: 1 }), losses([1, 1, 0.5])), 1);
  assert.equal(await stopEpoch(es({ patience: 2, minDelta: 0.1 }), losses([1, 0.95, 0.91, 0.5])), 2);
  assert.equal(await stopEpoch(es({ patience: 2, minDelta: 0.1 }), losses([1, 0.85, 0.8, 0.7, 0.65, 0.6])), 5);
  // patience 0: stops at the first epoch that does not improve, never on epoch 0
  assert.equal(await stopEpoch(es({ patience: 0 }), losses([1, 0.5, 0.6])), 2);
  assert.equal(await stopEpoch(es({ patience: 0, baseline: 0.1 }), losses([1, 0.5, 0.6])), 2);
  // a Hyperband promotion starts at epoch > 0: patience 0 may stop its first non-improving epoch
  assert.equal(await stopEpoch(es({ patience: 0 }), losses([0.7, 0.8]), 4), 5);
  // baseline: improvements that do not beat it still count as waiting (Keras 3 stops only on an epoch that does not improve)
  assert.equal(await stopEpoch(es({ patience: 2, baseline: 0.5 }), losses([1, 0.9, 0.8, 0.7])), null);
  assert.equal(await stopEpoch(es({ patience: 2, baseline: 0.5 }), losses([1, 0.9, 0.8, 0.85])), 3);
  assert.equal(await stopEpoch(es({ patience: 2 }), losses([1, 0.9, 0.8, 0.85])), null);
  assert.equal(await stopEpoch(es({ patience: 2, baseline: 0.5 }), losses([1, 0.4, 0.45, 0.46])), 3);
  // max: the objective val_accuracy is logged by tfjs as val_acc (tf.callbacks.earlyStopping never finds it)
  const accs = (xs: number[]) => xs.map((v) => ({ loss: 1, acc: 0.5, val_loss: 1, val_acc: v }));
  assert.equal(await stopEpoch(es({ patience: 1 }, valAccuracy), accs([0.5, 0.6, 0.6, 0.7])), 2);
  assert.equal(await stopEpoch(es({ patience: 1, monitor: 'val_accuracy' }), accs([0.5, 0.6, 0.6, 0.7])), 2);
  // a metric mode: 'min' overrides the name; the callback's state resets per training run
  const cb = es({ patience: 1, monitor: 'val_acc', mode: 'min' });
  assert.equal(await stopEpoch(cb, accs([0.5, 0.6, 0.4])), 1);
  assert.equal(await stopEpoch(cb, accs([0.9, 0.8, 0.7, 0.8])), 3);
  // the independent rule agrees on random series
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < 200; k++) {
    const spec = { patience: k % 4, minDelta: (k % 3) * 0.02, ...(k % 5 === 0 ? { baseline: 0.5 } : {}) };
    const series = Array.from({ length: 12 }, () => Math.round(rand() * 20) / 20);
    assert.equal(await stopEpoch(es(spec), losses(series)), kerasStopEpoch(series, resolveEarlyStopping(spec, valLoss)), JSON.stringify({ spec, series }));
  }
  // a monitor that is not logged fails, listing what is
  const missing = es({ patience: 1, monitor: 'val_f1', mode: 'max' });
  assert.equal(await stopEpoch(missing, losses([1])), 0);
  assert.match(missing.fatal!.message, /earlyStopping.monitor "val_f1" is not among the metrics fit logs: loss, val_loss\./);
});

test('bad earlyStopping specs get errors naming the option', async () => {
  const bad: Array<[unknown, RegExp]> = [
    [5, /earlyStopping must be an object such as \{ patience: 5 \}/],
    [{}, /earlyStopping.patience must be a whole number of epochs >= 0 \(got undefined\)/],
    [{ patience: -1 }, /earlyStopping.patience must be a whole number of epochs >= 0 \(got -1\)/],
    [{ patience: 1.5 }, /earlyStopping.patience must be a whole number/],
    [{ patience: '3' }, /earlyStopping.patience must be a whole number of epochs >= 0 \(got "3"\)/],
    [{ patience: 2, mode: 'down' }, /earlyStopping.mode must be "auto", "min" or "max" \(got "down"\)/],
    [{ patience: 2, minDelta: -0.1 }, /earlyStopping.minDelta must be a number >= 0/],
    [{ patience: 2, baseline: NaN }, /earlyStopping.baseline must be a finite number/],
    [{ patience: 2, monitor: '' }, /earlyStopping.monitor must be a metric name/],
    [{ patience: 2, min_delta: 0.1 }, /earlyStopping: unknown option "min_delta"\. "min_delta" is the Keras \(Python\) spelling: write minDelta\./],
    [{ patience: 2, restore_best_weights: true }, /unknown option "restore_best_weights"\. "restore_best_weights" is the Keras \(Python\) spelling; here: the tuner already keeps each trial's best epoch/],
    [{ patience: 2, patiense: 3 }, /earlyStopping: unknown option "patiense"\. Did you mean "patience"\?/],
    [{ patience: 2, monitor: 'val_f2' }, /cannot tell whether "val_f2" should go down or up\. For a metric of your own, pass mode: "min" or "max"/],
  ];
  for (const [spec, re] of bad) assert.throws(() => resolveEarlyStopping(spec, valLoss), re, JSON.stringify(spec));
  // defaults: the objective and its direction (even one the name says nothing about)
  assert.deepEqual(resolveEarlyStopping({ patience: 3 }, { name: 'val_f2', direction: 'max' }), { monitor: 'val_f2', patience: 3, minDelta: 0, direction: 'max' });
  assert.deepEqual(resolveEarlyStopping({ patience: 0, monitor: 'loss', minDelta: 0.01, baseline: 2 }, valAccuracy),
    { monitor: 'loss', patience: 0, minDelta: 0.01, direction: 'min', baseline: 2 });
  assert.equal(resolveEarlyStopping({ patience: 1, monitor: 'val_f2', mode: 'max' }, valLoss).direction, 'max');

  // search() refuses them before training anything, serially and with workers
  const t = new RandomSearch({ hypermodel: denseHypermodel, maxTrials: 1, directory: fx.root, projectName: 'es-bad', verbose: 0 });
  await assert.rejects(t.search(fx.train, { validationData: fx.val, earlyStopping: { patience: -2 } }), /earlyStopping.patience/);
  const p = new RandomSearch({ hypermodel: { module: MODELS, exportName: 'denseHypermodel' }, maxTrials: 1, directory: fx.root, projectName: 'es-bad-p', verbose: 0 });
  await assert.rejects(p.search(fx.train, { validationData: fx.val, workers: 2, earlyStopping: { patience: 2, mode: 'up' as never } }), /earlyStopping.mode/);
  // a monitor the fit never logs stops the search at the first trial, listing the logged metrics
  const missing = { patience: 2, monitor: 'val_f1', mode: 'max' as const };
  await assert.rejects(t.search(fx.train, { validationData: fx.val, earlyStopping: missing }),
    /earlyStopping.monitor "val_f1" is not among the metrics fit logs: val_loss, val_acc, loss, acc\. Monitor one of those/);
  const noVal = new RandomSearch({ hypermodel: denseHypermodel, objective: 'loss', maxTrials: 1, directory: fx.root, projectName: 'es-noval', verbose: 0 });
  await assert.rejects(noVal.search(fx.train, { earlyStopping: { patience: 1, monitor: 'val_loss' } }),
    /"val_loss" is not among the metrics fit logs: loss, acc\. .*give validation data for val_ metrics/);
  await assert.rejects(p.search(fx.train, { validationData: fx.val, workers: 2, earlyStopping: missing }), /earlyStopping.monitor "val_f1" is not among the metrics fit logs/);
});

test('a serial search stops each execution exactly where Keras\'s rule says', async () => {
  const spec = { patience: 3 };
  const tuner = new RandomSearch({ hypermodel: stallingHypermodel, objective: 'val_loss', maxTrials: 6, seed: 5, executionsPerTrial: 2, directory: fx.root, projectName: 'es-serial', verbose: 0 });
  const lengths = new Map<string, number[]>();
  await tuner.search(fx.train, {
    validationData: fx.val, epochs: 12, earlyStopping: spec,
    trialCallbacks: ({ trial }) => {
      let n = 0;
      return { callbacks: [{ onEpochEnd: async () => { n++; } }], onEnd: () => { lengths.set(trial.trialId, [...lengths.get(trial.trialId) ?? [], n]); } };
    },
  });
  const trials = [...tuner.oracle.trials.values()];
  const frozen = trials.filter((t) => t.values.lr === 0);
  assert.ok(frozen.length >= 1 && frozen.length < trials.length, `both learning rates were tried (${trials.map((t) => t.values.lr)})`);
  for (const t of trials) assert.equal(t.status, 'COMPLETED');
  for (const t of frozen) {
    // lr 0: epoch 0 is the best and nothing ever improves on it: epochs 1..3 wait, training stops after epoch 3
    assert.equal(t.metrics.val_loss.length, 4);
    assert.ok(t.metrics.val_loss.every((v) => v === t.metrics.val_loss[0]));
    assert.equal(t.bestStep, 0);
    assert.equal(t.score, t.metrics.val_loss[0]);
  }
  // both executions of a frozen trial stopped after 4 epochs (each starts the rule afresh)
  for (const t of frozen) assert.deepEqual(lengths.get(t.trialId), [4, 4]);
  for (const t of trials) assert.equal(lengths.get(t.trialId)!.length, 2);

  // a learning model with minDelta: the recorded epochs end exactly where the rule says
  const spec2 = { patience: 2, minDelta: 0.01 };
  const learner = new RandomSearch({ hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 5, seed: 8, directory: fx.root, projectName: 'es-rule', verbose: 0 });
  await learner.search(fx.train, { validationData: fx.val, epochs: 15, earlyStopping: spec2 });
  let stoppedEarly = 0;
  for (const t of learner.oracle.trials.values()) {
    const series = t.metrics.val_loss;
    const stop = kerasStopEpoch(series, resolveEarlyStopping(spec2, valLoss));
    assert.equal(series.length, stop === null ? 15 : stop + 1, `trial ${t.trialId}: ${series.join(', ')}`);
    if (stop !== null) stoppedEarly++;
    // the score is still the best epoch's value
    assert.equal(t.score, Math.min(...series));
    assert.equal(series[t.bestStep!], t.score);
  }
  assert.ok(stoppedEarly >= 1, 'some trial stopped early');
});

/** A trial as a comparable fact: its configuration and schedule position (not its id), its results. */
function facts(oracle: Oracle): string[] {
  return [...oracle.trials.values()].map((t: Trial) => {
    const { 'tuner/trial_id': parent, ...values } = t.values;
    const parentValues = typeof parent === 'string' ? Object.entries(oracle.getTrial(parent).values).filter(([k]) => !k.startsWith('tuner/')) : null;
    return JSON.stringify({ values: Object.entries(values).sort(), parentValues, status: t.status, score: t.score, bestStep: t.bestStep, metrics: t.metrics });
  }).sort();
}

test('Hyperband with early stopping completes its schedule; 2 workers train the same trials and epochs as the serial search', async () => {
  const make = (projectName: string) => new Hyperband({
    hypermodel: { module: MODELS, exportName: 'stallingHypermodel' }, objective: 'val_loss', maxEpochs: 4, factor: 2, seed: 21,
    directory: fx.root, projectName, verbose: 0,
  });
  const spec = { patience: 1 };
  const serial = make('es-hb-serial');
  await serial.search(fx.train, { validationData: fx.val, earlyStopping: spec });
  const parallel = make('es-hb-parallel');
  await parallel.search(fx.train, { validationData: fx.val, workers: 2, earlyStopping: spec });
  const s = serial.oracle;
  assert.equal(s.trials.size, 15, 'maxEpochs 4, factor 2: KerasTuner\'s 15 trials');
  assert.ok([...s.trials.values()].every((t) => t.status === 'COMPLETED'));
  assert.deepEqual(facts(parallel.oracle), facts(s));

  let frozenChildren = 0;
  for (const t of s.trials.values()) {
    const epochs = Number(t.values['tuner/epochs']);
    const initial = Number(t.values['tuner/initial_epoch']);
    const trained = t.metrics.val_loss.length;
    assert.ok(trained >= 1 && trained <= epochs - initial);
    assert.ok(t.bestStep! >= initial && t.bestStep! < initial + trained, 'bestStep continues the parent\'s epoch count');
    if (t.values.lr !== 0) continue;
    // lr 0 with patience 1: a first epoch, one that does not improve, stop
    assert.equal(trained, Math.min(2, epochs - initial));
    const parentId = t.values['tuner/trial_id'];
    if (typeof parentId === 'string') {
      // a promotion of an early-stopped parent continues from the parent's checkpoint: with lr 0, the same loss
      const parent = s.getTrial(parentId);
      assert.equal(t.metrics.val_loss[0], parent.score);
      frozenChildren++;
    }
  }
  assert.ok(frozenChildren >= 1, 'a frozen (lr 0) configuration was promoted');
});

test('ASHA with early stopping and 2 workers: promotions train only their new epochs, from the checkpoint', async () => {
  const tuner = new ASHA({
    hypermodel: { module: MODELS, exportName: 'stallingHypermodel' }, objective: 'val_loss', minEpochs: 3, maxEpochs: 6, factor: 2,
    maxTrials: 6, seed: 3, directory: fx.root, projectName: 'es-asha', verbose: 0,
  });
  await tuner.search(fx.train, { validationData: fx.val, workers: 2, earlyStopping: { patience: 0 } });
  const trials = [...tuner.oracle.trials.values()];
  assert.ok(trials.every((t) => t.status === 'COMPLETED'));
  assert.equal(trials.filter((t) => t.values['tuner/round'] === 0).length, 6);
  // rungs of 3 and 6 epochs: every trial has 3 epochs to train
  for (const t of trials) {
    assert.equal(Number(t.values['tuner/epochs']) - Number(t.values['tuner/initial_epoch']), 3);
    assert.ok(t.metrics.val_loss.length <= 3);
    // lr 0, patience 0: the first epoch improves (on nothing), the second does not: stop
    if (t.values.lr === 0) assert.equal(t.metrics.val_loss.length, 2);
    const parentId = t.values['tuner/trial_id'];
    if (t.values.lr === 0 && typeof parentId === 'string') assert.equal(t.metrics.val_loss[0], tuner.oracle.getTrial(parentId).score);
  }
  assert.ok(trials.some((t) => t.values.lr === 0), 'an lr 0 configuration was tried');
  assert.ok(trials.some((t) => t.values['tuner/trial_id'] !== undefined), 'some trial was promoted');
});
