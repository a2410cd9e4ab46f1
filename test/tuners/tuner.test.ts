import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BayesianOptimization, GridSearch, Hyperband, RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { FailedTrialError } from '../../src/tuners/errors.js';
import { disposeModel } from '../../src/tuners/trial-runner.js';
import type { TrialCallbackContext } from '../../src/tuners/tuner-options.js';
import { ConsoleDisplay } from '../../src/tuners/display.js';
import { fileSystemLoad } from '../../src/tuners/fs-io-handler.js';
import type { HyperParameters } from '../../src/tuners/hyperparameters.js';
import type { TrialRecord } from '../../src/tuners/trial.js';
import { denseHypermodel } from './fixtures/tiny.js';
import { searchFixture } from './fixtures/search-fixture.js';

const fx = searchFixture('tuner-test-');

const readTrial = async (dir: string, id: string): Promise<TrialRecord> => JSON.parse(await fs.readFile(join(dir, `trial_${id}`, 'trial.json'), 'utf8'));

test('random search trains real models, writes the project, and returns the best model at its best epoch', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const out: string[] = [];
  const tuner = new RandomSearch({
    hypermodel: denseHypermodel, objective: 'val_accuracy', maxTrials: 4, seed: 3,
    directory: fx.root, projectName: 'random', display: new ConsoleDisplay((t) => out.push(t), { tables: true }),
  });
  await tuner.search(fx.train, { validationData: fx.val, epochs: 3 });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor of any trial survives the search');
  const dir = join(fx.root, 'random');
  const names = (await fs.readdir(dir)).sort();
  assert.deepEqual(names, ['oracle.json', 'trial_0000', 'trial_0001', 'trial_0002', 'trial_0003', 'tuner0.json']);
  for (const id of ['0000', '0001', '0002', '0003']) {
    const r = await readTrial(dir, id);
    assert.equal(r.status, 'COMPLETED');
    assert.equal(r.metrics.val_accuracy.length, 3);
    assert.equal(r.metrics.loss.length, 3);
    assert.equal(r.score, Math.max(...r.metrics.val_accuracy));
    assert.equal(r.metrics.val_accuracy[r.bestStep!], r.score);
    assert.ok(existsSync(join(dir, `trial_${id}`, 'checkpoint', 'model.json')));
    assert.ok(existsSync(join(dir, `trial_${id}`, 'checkpoint', 'weights.bin')));
    assert.deepEqual(Object.keys(r.hyperparameters.values).sort(),
      (r.hyperparameters.values.extra ? ['activation', 'extra', 'extra_units', 'lr', 'units'] : ['activation', 'extra', 'lr', 'units']));
  }
  // the conditional extra_units was discovered before the first trial
  assert.ok(tuner.oracle.hyperparameters.space.some((s) => s.name === 'extra_units'));
  // the best model is rebuilt with the best epoch's weights: it scores exactly the recorded val_loss
  const best = tuner.getBestTrials(1)[0];
  const [model] = await tuner.getBestModels(1);
  const [loss, acc] = (model.evaluate(fx.val.xs, fx.val.ys) as tf.Scalar[]);
  assert.ok(Math.abs(loss.dataSync()[0] - best.bestMetrics.val_loss) < 1e-5);
  assert.ok(Math.abs(acc.dataSync()[0] - best.score!) < 1e-6);
  tf.dispose([loss, acc]);
  // the checkpoint is a standard tfjs model: tf.loadLayersModel reads it and predicts the same
  const loaded = await tf.loadLayersModel(fileSystemLoad(join(dir, `trial_${best.trialId}`, 'checkpoint')));
  const [p1, p2] = [model.predict(fx.val.xs) as tf.Tensor, loaded.predict(fx.val.xs) as tf.Tensor];
  assert.deepEqual(Array.from(p1.dataSync()), Array.from(p2.dataSync()));
  tf.dispose([p1, p2]);
  disposeModel(model);
  loaded.dispose();
  assert.equal(tf.memory().numTensors, tensorsBefore);
  // display and summaries
  const text = out.join('');
  assert.match(text, /Search: Running Trial #0000\n\nValue {13}\|Best Value So Far \|Hyperparameter\n/);
  assert.match(text, /Trial 0003 Complete \[00h 00m \d\ds\]\nval_accuracy: [\d.]+\n\nBest val_accuracy So Far: [\d.]+\nTotal elapsed time: 00h/);
  const summary = tuner.resultsSummary(2);
  assert.match(summary, new RegExp(`^Results summary\\nResults in ${dir}\\nShowing 2 best trials\\nObjective\\(name="val_accuracy", direction="max"\\)\\n\\nTrial ${best.trialId} summary\\nHyperparameters:\\nunits: \\d+\\n`));
  assert.equal(summary.match(/^Score: /gm)?.length, 2);
  assert.match(tuner.searchSpaceSummary(), /^Search space summary\nDefault search space size: 5\nunits \(Int\)\n/);
  assert.equal(tuner.getBestHyperparameters(2).length, 2);
  assert.ok(tuner.getBestHyperparameters(1)[0].get('units') as number >= 2);
});

test('a seeded search is reproducible, and a finished project re-run does nothing', async () => {
  const run = async (name: string) => {
    const t = new BayesianOptimization({ hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 3, numInitialPoints: 2, seed: 8, directory: fx.root, projectName: name, verbose: 0 });
    await t.search(fx.train, { validationData: fx.val, epochs: 2 });
    return t;
  };
  const a = await run('repro-a');
  const b = await run('repro-b');
  const strip = (t: typeof a) => [...t.oracle.trials.values()].map((x) => ({ ...x.toRecord(), elapsedSeconds: 0 }));
  assert.deepEqual(strip(b), strip(a));
  let builds = 0;
  const again = new BayesianOptimization({
    hypermodel: (hp) => { builds++; return denseHypermodel(hp); }, objective: 'val_loss', maxTrials: 3, numInitialPoints: 2, seed: 8,
    directory: fx.root, projectName: 'repro-a', verbose: 0,
  });
  await again.search(fx.train, { validationData: fx.val, epochs: 2 });
  assert.deepEqual(strip(again), strip(a));
  assert.ok(builds <= 2, `only the initial-space builds ran (${builds})`);
});

test('resume keeps finished trials, raising maxTrials continues; other searches are refused; overwrite starts afresh', async () => {
  let trained = 0;
  const hm = { build: denseHypermodel, fit: async (_hp: HyperParameters, model: tf.LayersModel, data: any, o: any) => { trained++; return model.fit(data.xs, data.ys, { ...o, validationData: [o.validationData.xs, o.validationData.ys] }); } };
  const make = (maxTrials: number, extra: Record<string, unknown> = {}) => new RandomSearch({ hypermodel: hm, maxTrials, seed: 5, directory: fx.root, projectName: 'resume', verbose: 0, ...extra });
  await make(2).search(fx.train, { validationData: fx.val, epochs: 1 });
  assert.equal(trained, 2);
  const first = await readTrial(join(fx.root, 'resume'), '0000');
  const more = make(3);
  await more.search(fx.train, { validationData: fx.val, epochs: 1 });
  assert.equal(trained, 3, 'only the new trial trained');
  assert.deepEqual(await readTrial(join(fx.root, 'resume'), '0000'), first);
  assert.equal(more.oracle.trials.size, 3);
  await assert.rejects(new Hyperband({ hypermodel: hm, maxEpochs: 3, directory: fx.root, projectName: 'resume', verbose: 0 }).search(fx.train, { validationData: fx.val }),
    /was written by a different search.*overwrite: true/);
  const otherSpace = (hp: HyperParameters) => { hp.int('layers', { min: 1, max: 3 }); return denseHypermodel(hp); };
  await assert.rejects(new RandomSearch({ hypermodel: otherSpace, maxTrials: 3, seed: 5, directory: fx.root, projectName: 'resume', verbose: 0 }).search(fx.train, { validationData: fx.val }),
    /different search space.*overwrite: true/);
  await assert.rejects(make(3, { objective: 'val_accuracy' }).search(fx.train, { validationData: fx.val }), /different search/);
  const fresh = make(1, { overwrite: true });
  await fresh.search(fx.train, { validationData: fx.val, epochs: 1 });
  assert.equal(fresh.oracle.trials.size, 1);
  assert.ok(!existsSync(join(fx.root, 'resume', 'trial_0002')));
});

test('Hyperband trains KerasTuner\'s epochs and warm-starts promotions from the parent\'s best epoch', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const dir = join(fx.root, 'hb');
  const starts: Array<{ id: string; parent: string | undefined; initialEpoch: number; epochs: number; weights: number[] }> = [];
  let epochsRun = 0;
  const hm = {
    build: denseHypermodel,
    async fit(hp: HyperParameters, model: tf.LayersModel, data: any, o: any) {
      starts.push({
        id: '', parent: hp.values['tuner/trial_id'] as string | undefined, initialEpoch: o.initialEpoch, epochs: o.epochs,
        weights: model.getWeights().flatMap((w) => Array.from(w.dataSync())),
      });
      return model.fit(data.xs, data.ys, { ...o, validationData: [o.validationData.xs, o.validationData.ys] });
    },
  };
  const tuner = new Hyperband({ hypermodel: hm, objective: 'val_loss', maxEpochs: 10, factor: 3, seed: 2, directory: fx.root, projectName: 'hb', verbose: 0 });
  await tuner.search(fx.train, { validationData: fx.val, epochs: 99, callbacks: [{ onEpochEnd: async () => { epochsRun++; } }] });
  assert.equal(tuner.oracle.trials.size, 30);
  assert.equal(epochsRun, 120, 'KerasTuner\'s 120 epochs; search({epochs}) is ignored');
  assert.equal(tf.memory().numTensors, tensorsBefore, 'a 30-trial search leaks no tensor');
  const promoted = starts.filter((s) => s.parent !== undefined);
  assert.equal(promoted.length, 8);
  for (const s of promoted) {
    const parent = await readTrial(dir, s.parent!);
    assert.equal(s.initialEpoch, parent.hyperparameters.values['tuner/epochs']);
    // the model starts from exactly the parent's checkpoint (its best epoch)
    const ckpt = await tf.loadLayersModel(fileSystemLoad(join(dir, `trial_${s.parent}`, 'checkpoint')));
    assert.deepEqual(s.weights, ckpt.getWeights().flatMap((w) => Array.from(w.dataSync())));
    ckpt.dispose();
  }
  // a promoted trial's epochs continue its parent's count
  const child = [...tuner.oracle.trials.values()].find((t) => t.values['tuner/round'] === 2)!;
  assert.ok(child.bestStep! >= 4 && child.bestStep! < 10);
  assert.equal(child.metrics.val_loss.length, 6);
});

test('failed builds, NaN losses and retries are recorded; too many failures in a row stop the search', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const attempts = new Map<string, number>();
  const hypermodel = (hp: HyperParameters) => {
    const n = hp.int('n', { min: 0, max: 5 });
    const key = String(n);
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 3, inputShape: [4] }));
    if (n === 1) throw new Error(`Pooling shrinks the image below 1 pixel with n=${n}`); // after creating a layer
    if (n === 2) throw new FailedTrialError('n=2 cannot work');
    if (n === 5) throw Object.assign(new Error('Block 3 of 3 does not fit the input'), { name: 'InvalidModelError' }); // like buildCnn's
    model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    const loss = n === 3 ? (yt: tf.Tensor, yp: tf.Tensor) => tf.mean(tf.log(tf.sub(yp, 2))) : 'binaryCrossentropy';
    model.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
    return model;
  };
  const tuner = new GridSearch({ hypermodel, maxTrials: 6, maxRetriesPerTrial: 1, maxConsecutiveFailedTrials: 5, directory: fx.root, projectName: 'fail', verbose: 0 });
  await tuner.search(fx.train, { validationData: fx.val, epochs: 1 });
  const byN = new Map([...tuner.oracle.trials.values()].map((t) => [t.values.n, t]));
  assert.equal(byN.get(0)!.status, 'COMPLETED');
  assert.equal(byN.get(1)!.status, 'FAILED');
  assert.match(byN.get(1)!.message!, /below 1 pixel/);
  assert.equal(byN.get(1)!.failedAttempts, 2, 'retried once');
  assert.equal(byN.get(2)!.status, 'FAILED');
  assert.equal(byN.get(2)!.failedAttempts, 0, 'FailedTrialError is not retried');
  assert.equal(byN.get(3)!.status, 'FAILED');
  assert.match(byN.get(3)!.message!, /NaN/);
  assert.equal(byN.get(4)!.status, 'COMPLETED');
  assert.equal(byN.get(5)!.status, 'INVALID', 'a model that cannot fit is INVALID, final, not retried');
  assert.equal(byN.get(5)!.failedAttempts, 0);
  assert.match(byN.get(5)!.message!, /does not fit the input/);
  const rec = await readTrial(join(fx.root, 'fail'), byN.get(1)!.trialId);
  assert.equal(rec.status, 'FAILED');
  assert.match(rec.message!, /below 1 pixel/);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'failed builds leak no variables');

  const always = (hp: HyperParameters) => {
    hp.int('n', { min: 0, max: 50 });
    throw new Error('does not fit');
  };
  const stopper = new RandomSearch({ hypermodel: always, maxTrials: 20, maxConsecutiveFailedTrials: 3, seed: 1, directory: fx.root, projectName: 'fail3', verbose: 0 });
  await assert.rejects(stopper.search(fx.train, { validationData: fx.val }), /consecutive failures exceeded the limit of 3.*does not fit/);
  assert.equal(stopper.oracle.trials.size, 3);
});

test('configuration errors are clear and stop the search at once', async () => {
  assert.throws(() => new RandomSearch({ hypermodel: denseHypermodel, objective: 'val_f2', maxTrials: 2, directory: fx.root, projectName: 'bad1', verbose: 0 }), /Could not infer optimization direction/);
  const t = new RandomSearch({ hypermodel: denseHypermodel, objective: { name: 'val_auc', direction: 'max' }, maxTrials: 2, directory: fx.root, projectName: 'bad2', verbose: 0 });
  await assert.rejects(t.search(fx.train, { validationData: fx.val }), /objective "val_auc" is not among the metrics fit logs: .*val_loss/);
  const uncompiled = new RandomSearch({ hypermodel: () => tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] }), maxTrials: 1, directory: fx.root, projectName: 'bad3', verbose: 0 });
  await assert.rejects(uncompiled.search(fx.train, { validationData: fx.val }), /not compiled/);
  await assert.rejects(t.search({ x: 1 } as never), /training data must be \{xs, ys\} tensors, a batched tf.data.Dataset/);
  const batch = { xs: tf.zeros([1, 4]), ys: tf.zeros([1, 1]) };
  const ds = tf.data.array([batch]) as unknown as tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>;
  await assert.rejects(t.search(fx.train, { validationData: ds }), /validationData must be \{xs, ys\} tensors too/);
  await assert.rejects(t.search(ds, { validationSplit: 0.2 }), /validationSplit works with \{xs, ys\} tensors only/);
  tf.dispose([batch.xs, batch.ys]);
  assert.throws(() => new RandomSearch({ hypermodel: 5 as never }), /hypermodel must be a function/);
});

test('user callbacks (early stopping) and per-trial hooks reach every trial', async () => {
  const contexts: TrialCallbackContext[] = [];
  const ended: string[] = [];
  const seen = new Map<string, number[]>();
  const tuner = new RandomSearch({ hypermodel: denseHypermodel, maxTrials: 2, seed: 4, executionsPerTrial: 2, directory: fx.root, projectName: 'cb', verbose: 0 });
  await tuner.search(fx.train, {
    validationData: fx.val, epochs: 20,
    callbacks: [tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: 0, minDelta: 10 })],
    trialCallbacks: (ctx) => {
      contexts.push(ctx);
      const losses: number[] = [];
      seen.set(`${ctx.trial.trialId}/${ctx.execution}`, losses);
      return { callbacks: [{ onEpochEnd: async (_e: number, logs?: tf.Logs) => { losses.push(logs!.val_loss as number); } }], onEnd: (s) => { ended.push(s); } };
    },
  });
  // the score averages each execution's best epoch (KerasTuner)
  for (const t of tuner.oracle.trials.values()) {
    const bests = [0, 1].map((e) => Math.min(...seen.get(`${t.trialId}/${e}`)!));
    assert.ok(Math.abs(t.score! - (bests[0] + bests[1]) / 2) < 1e-9);
    assert.notEqual(bests[0], bests[1], 'executions train differently seeded models');
  }
  for (const t of tuner.oracle.trials.values()) {
    assert.equal(t.status, 'COMPLETED');
    assert.equal(t.metrics.val_loss.length, 2, 'early stopping ended each run after 2 epochs');
  }
  assert.deepEqual(contexts.map((c) => [c.trial.trialId, c.execution]), [['0000', 0], ['0000', 1], ['0001', 0], ['0001', 1]]);
  assert.deepEqual(ended, ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
  await assert.rejects(tuner.search(fx.train, { validationData: fx.val, tensorboard: join(fx.root, 'tb') }), /needs the TensorBoard integration/);
});

test('a hypermodel fit override can tune the batch size and return its own metrics', async () => {
  const batchSizes: number[] = [];
  const tuner = new RandomSearch({
    hypermodel: {
      build: denseHypermodel,
      async fit(hp: HyperParameters, model: tf.LayersModel, data: any, o: any) {
        const batchSize = hp.choice('batch_size', [8, 16, 32]);
        batchSizes.push(batchSize);
        await model.fit(data.xs, data.ys, { epochs: o.epochs, batchSize, verbose: 0 }); // our callbacks deliberately not passed
        return tf.tidy(() => ({ val_loss: (model.evaluate(o.validationData.xs, o.validationData.ys) as tf.Scalar[])[0].dataSync()[0] }));
      },
    },
    maxTrials: 4, seed: 6, directory: fx.root, projectName: 'custom-fit', verbose: 0,
  });
  await tuner.search(fx.train, { validationData: fx.val, epochs: 2 });
  const trials = [...tuner.oracle.trials.values()];
  assert.ok(trials.every((t) => t.status === 'COMPLETED' && Number.isFinite(t.score)));
  assert.equal(batchSizes[0], 8, 'first seen during trial 0: its default');
  assert.deepEqual(trials.map((t) => t.values.batch_size), batchSizes);
  assert.ok(tuner.oracle.hyperparameters.space.some((s) => s.name === 'batch_size'), 'joined the space');
  assert.equal(trials[0].metrics.val_loss.length, 1);
});
