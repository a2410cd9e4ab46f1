/**
 * A search that fits the budget: configurations the hypermodel cannot build hold no trial slot (Hyperband's
 * schedule holds exactly), a space with no valid configuration stops with a clear error, and a time budget
 * (search({maxTime})) stops a search on time and is given anew on resume.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { Hyperband, RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { HyperbandOracle } from '../../src/tuners/oracles/hyperband.js';
import { NoValidConfigurationError } from '../../src/tuners/oracle.js';
import { InvalidModelError } from '../../src/models/cnn.js';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';
import type { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { tinyData } from './fixtures/tiny.js';

let root: string;
let train: { xs: tf.Tensor2D; ys: tf.Tensor2D };
let val: { xs: tf.Tensor2D; ys: tf.Tensor2D };
before(async () => {
  await initBackend();
  root = await fs.mkdtemp(join(tmpdir(), 'tuner-budget-'));
  train = tinyData(32, 1);
  val = tinyData(16, 2);
});
after(async () => {
  tf.dispose([train.xs, train.ys, val.xs, val.ys]);
  await fs.rm(root, { recursive: true, force: true });
});

/** Rejects (InvalidModelError) every configuration with units below 6: about a third of the space. */
function choosyHypermodel(hp: HyperParameters): tf.LayersModel {
  const units = hp.int('units', { min: 2, max: 16 });
  const lr = hp.float('lr', { min: 1e-3, max: 1e-1, sampling: 'log' });
  if (units < 6) throw new InvalidModelError(`units ${units} cannot be built`);
  const model = tf.sequential();
  model.add(tf.layers.dense({ units, activation: 'tanh', inputShape: [4] }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(lr), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

const trained = <T extends { status: string }>(ts: Iterable<T>): T[] => [...ts].filter((t) => t.status === 'COMPLETED');
const epochsOf = (ts: Array<{ values: Record<string, unknown> }>) =>
  ts.reduce((a, t) => a + Number(t.values['tuner/epochs']) - Number(t.values['tuner/initial_epoch']), 0);

test('oracle: configurations that cannot be built hold no slot; Hyperband keeps 30 trials / 120 epochs (max 10, factor 3)', () => {
  const oracle = new HyperbandOracle({ maxEpochs: 10, factor: 3, seed: 3, objective: { name: 'score', direction: 'max' } });
  oracle.hyperparameters.float('x', { min: 0, max: 1 });
  let rejected = 0;
  for (;;) {
    const t = oracle.createTrial('t0');
    if (t.status !== 'RUNNING') break;
    const x = Number(t.values.x);
    if (x < 0.4) {
      oracle.endTrial(t.trialId, 'INVALID', 'cannot build', { retry: false });
      rejected++;
      continue;
    }
    oracle.updateTrial(t.trialId, { metrics: { score: [x] }, bestMetrics: { score: x }, bestStep: 0 });
    oracle.endTrial(t.trialId, 'COMPLETED');
  }
  const done = trained(oracle.trials.values());
  assert.ok(rejected > 5, `rejected ${rejected}`);
  assert.equal(done.length, 30);
  assert.equal(epochsOf(done), 120);
  assert.equal(oracle.trials.size, 30 + rejected, 'the rejected ones are recorded');
  // Resumable: the state carries the rejected trials.
  const again = new HyperbandOracle({ maxEpochs: 10, factor: 3, objective: { name: 'score', direction: 'max' } });
  again.setState(JSON.parse(JSON.stringify(oracle.getState())));
  assert.equal(again.rejected.size, rejected);
});

test('oracle: with a time budget and no hyperbandIterations, Hyperband runs further iterations; a given count is kept', () => {
  const run = (opts: { hyperbandIterations?: number }, open: boolean) => {
    const o = new HyperbandOracle({ maxEpochs: 3, factor: 3, seed: 1, objective: { name: 'score', direction: 'max' }, ...opts });
    o.hyperparameters.float('x', { min: 0, max: 1 });
    o.setOpenEnded(open);
    for (let i = 0; i < 40; i++) {
      const t = o.createTrial('t0');
      if (t.status !== 'RUNNING') break;
      o.updateTrial(t.trialId, { metrics: { score: [1] }, bestMetrics: { score: Number(t.values.x) }, bestStep: 0 });
      o.endTrial(t.trialId, 'COMPLETED');
    }
    return o.trials.size;
  };
  const one = run({}, false);
  assert.equal(run({}, true), 40, 'open-ended: still proposing after 40 trials');
  assert.ok(one < 40);
  assert.equal(run({ hyperbandIterations: 1 }, true), one, 'an explicit iteration count is kept under a budget');
});

test('a hypermodel that rejects some configurations: Hyperband trains exactly 30 trials / 120 epochs', async () => {
  const tuner = new Hyperband({ hypermodel: choosyHypermodel, objective: 'val_accuracy', maxEpochs: 10, factor: 3, seed: 4, directory: root, projectName: 'choosy', verbose: 0 });
  const outcome = await tuner.search(train, { validationData: val, batchSize: 32 });
  assert.equal(outcome.stoppedBy, 'oracle');
  const all = [...tuner.oracle.trials.values()];
  const done = trained(all);
  const invalid = all.filter((t) => t.status === 'INVALID');
  assert.ok(invalid.length > 0, 'some configurations were rejected');
  for (const t of invalid) assert.match(t.message!, /cannot be built/);
  assert.equal(done.length, 30);
  assert.equal(epochsOf(done), 120);
  assert.equal(done.reduce((a, t) => a + (t.metrics.val_acc?.length ?? 0), 0), 120, 'and 120 epochs were trained');
});

test('a space with no valid configuration stops with a clear error after maxConsecutiveInvalidTrials', async () => {
  const never = (hp: HyperParameters): tf.LayersModel => {
    hp.int('n', { min: 0, max: 100 });
    throw new InvalidModelError('Block 2 of 2 does not fit the input');
  };
  const tuner = new RandomSearch({ hypermodel: never, maxTrials: 3, maxConsecutiveInvalidTrials: 5, seed: 1, directory: root, projectName: 'never', verbose: 0 });
  await assert.rejects(tuner.search(train, { validationData: val }),
    (e: Error) => e instanceof NoValidConfigurationError && /no valid configuration.*last 5 configurations in a row.*does not fit the input/s.test(e.message));
  assert.equal(tuner.oracle.trials.size, 5);
});

test('maxTime: no trial starts after the deadline, the running one stops at an epoch end keeping its best epoch; a resume gets the budget anew', async () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const begins: number[] = [];
  const messages: string[] = [];
  const display = { trialBegin: () => { begins.push(Date.now()); }, message: (m: string) => { messages.push(m); } };
  const make = () => new RandomSearch({ hypermodel: choosyHypermodel, objective: 'val_accuracy', maxTrials: 5, seed: 5, directory: root, projectName: 'timed', verbose: 0, display });
  // Each epoch takes at least 150 ms: a trial of 20 epochs takes 3 s or more, past the 1.2-s budget.
  const slow = { epochs: 20, callbacks: [{ onEpochEnd: async () => { await sleep(150); } }] };
  const maxTime = 1.2;
  const t0 = Date.now();
  const tuner = make();
  const outcome = await tuner.search(train, { validationData: val, maxTime, ...slow });
  assert.equal(outcome.stoppedBy, 'maxTime');
  assert.equal(outcome.maxTime, maxTime);
  assert.ok(begins.length > 0 && begins.every((b) => b < t0 + maxTime * 1000), 'no trial began after the deadline');
  const all = [...tuner.oracle.trials.values()];
  assert.ok(all.every((t) => t.status !== 'RUNNING'), 'nothing is left running');
  const cut = all.filter((t) => /time budget ended: training stopped after epoch \d+ of \d+/.test(t.message ?? ''));
  assert.equal(cut.length, 1, 'the trial running at the deadline stopped early');
  assert.equal(cut[0].status, 'COMPLETED');
  assert.ok(cut[0].metrics.val_acc.length < 20);
  const storage = new FileStorage(root, 'timed');
  assert.ok(await storage.artifacts.loadCheckpoint(cut[0].trialId), 'its best epoch is checkpointed');
  assert.ok(messages.some((m) => /Time budget: 1.2 s/.test(m) && !/resumed/.test(m)));

  const before = tuner.oracle.trials.size;
  messages.length = 0;
  const resumed = make();
  const again = await resumed.search(train, { validationData: val, maxTime, ...slow });
  assert.equal(again.stoppedBy, 'maxTime');
  assert.ok(again.trialsRun > 0 && resumed.oracle.trials.size > before, 'the resumed search ran more trials');
  assert.ok(messages.some((m) => /a resumed search gets the whole budget again/.test(m)));
  await assert.rejects(resumed.search(train, { maxTime: -1 }), /maxTime must be a positive number of seconds/);
});

test('maxTime with workers: no trial starts after the deadline and nothing is left running', async () => {
  const MODELS = new URL('./fixtures/parallel-models.ts', import.meta.url).pathname;
  const begins: number[] = [];
  const tuner = new RandomSearch({
    hypermodel: { module: MODELS, exportName: 'denseHypermodel' }, objective: 'val_loss', maxTrials: 500, seed: 2,
    directory: root, projectName: 'timed-workers', verbose: 0, display: { trialBegin: () => { begins.push(Date.now()); } },
  });
  // Long enough for two workers to start on a loaded machine (tsx + tfjs + wasm each).
  const maxTime = 12;
  const t0 = Date.now();
  const outcome = await tuner.search(train, { validationData: val, epochs: 2, workers: 2, maxTime });
  assert.equal(outcome.stoppedBy, 'maxTime');
  assert.ok(begins.length > 0 && begins.length < 500);
  // trialBegin is shown just after the trial was decided (before the deadline): a little slack for that.
  assert.ok(begins.every((b) => b < t0 + maxTime * 1000 + 500), 'no trial began after the deadline');
  assert.ok([...tuner.oracle.trials.values()].every((t) => t.status !== 'RUNNING'));
});
