import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { ASHAOracle } from '../../src/tuners/oracles/asha.js';
import { Rng } from '../../src/util/rng.js';
import { initBackend } from '../../src/runtime/backend.js';
import { ASHA } from '../../src/tuners/builtin-tuners.js';
import { fileSystemLoad } from '../../src/tuners/fs-io-handler.js';
import { tinyData } from './fixtures/tiny.js';

/** A synthetic learning curve: the loss falls with epochs towards (x - 0.3)^2. */
const lossOf = (x: number, epochs: number) => (x - 0.3) ** 2 + 0.5 / epochs;

/**
 * Simulates `workers` asynchronous workers on an ASHA oracle: a trial takes (epochs trained) x a random
 * speed of time; the earliest to finish reports first. Checks ASHA's rule at every decision.
 */
function simulate(oracle: ASHAOracle, workers: number, seed: number) {
  const rng = new Rng(seed);
  let now = 0;
  const busy: Array<{ worker: number; trialId: string; at: number }> = [];
  const log: Array<{ time: number; trialId: string; rung: number; parent?: string }> = [];
  let idleWhileConfigsLeft = 0;
  const give = (worker: number): boolean => {
    const before = new Map(Array.from({ length: oracle.topRung() }, (_, k) => [k, oracle.promotable(k).map((t) => t.trialId)]));
    const t = oracle.createTrial(`w${worker}`);
    if (t.status !== 'RUNNING') {
      const started = [...oracle.trials.values()].filter((x) => x.values['tuner/round'] === 0).length;
      if (t.status === 'IDLE' && started < oracle.maxConfigurations) idleWhileConfigsLeft++;
      return false;
    }
    const rung = t.values['tuner/round'] as number;
    const parent = t.values['tuner/trial_id'] as string | undefined;
    if (parent !== undefined) {
      // ASHA's rule: the parent is in the top 1/factor of the trials finished in its rung right now ...
      assert.ok(before.get(rung - 1)!.includes(parent), `trial ${parent} promoted from rung ${rung - 1} while not in its top 1/${oracle.factor}`);
      // ... and the promotion starts where the parent stopped
      assert.equal(t.values['tuner/initial_epoch'], oracle.getTrial(parent).values['tuner/epochs']);
      assert.equal(t.values.x, oracle.getTrial(parent).values.x);
    } else {
      // a new configuration only when no trial anywhere could be promoted
      for (const [k, ids] of before) {
        const promoted = new Set([...oracle.trials.values()].map((x) => x.values['tuner/trial_id']).filter((p) => p !== undefined));
        assert.ok(ids.every((id) => promoted.has(id)), `rung ${k} had a promotable trial, yet a new configuration started`);
      }
    }
    assert.equal(t.values['tuner/epochs'], oracle.rungEpochs(rung));
    log.push({ time: now, trialId: t.trialId, rung, parent });
    const epochs = (t.values['tuner/epochs'] as number) - (t.values['tuner/initial_epoch'] as number);
    busy.push({ worker, trialId: t.trialId, at: now + epochs * (0.5 + rng.next()) });
    return true;
  };
  for (let w = 0; w < workers; w++) give(w);
  while (busy.length > 0) {
    busy.sort((a, b) => a.at - b.at);
    const done = busy.shift()!;
    now = done.at;
    const t = oracle.getTrial(done.trialId);
    const loss = lossOf(t.values.x as number, t.values['tuner/epochs'] as number);
    oracle.updateTrial(t.trialId, { metrics: { val_loss: [loss] }, bestMetrics: { val_loss: loss }, bestStep: 0 });
    oracle.endTrial(t.trialId, 'COMPLETED');
    // idle workers ask again whenever something finished
    for (let w = 0; w < workers; w++) if (!busy.some((b) => b.worker === w)) give(w);
  }
  return { log, idleWhileConfigsLeft };
}

test('ASHA rungs are minEpochs * factor^k (Li et al., Optuna), capped at maxEpochs; invalid settings are refused', () => {
  const rungs = (o: ASHAOracle) => Array.from({ length: o.topRung() + 1 }, (_, k) => o.rungEpochs(k));
  const o = new ASHAOracle({ minEpochs: 1, maxEpochs: 9, factor: 3 });
  assert.equal(o.topRung(), 2);
  assert.deepEqual(rungs(o), [1, 3, 9]);
  assert.deepEqual(rungs(new ASHAOracle({ minEpochs: 1, maxEpochs: 10, factor: 3 })), [1, 3, 9, 10]);
  assert.deepEqual(rungs(new ASHAOracle({ minEpochs: 2, maxEpochs: 10, factor: 2 })), [2, 4, 8, 10]);
  assert.deepEqual(rungs(new ASHAOracle({ minEpochs: 1, maxEpochs: 243, factor: 3 })), [1, 3, 9, 27, 81, 243]);
  assert.deepEqual(rungs(new ASHAOracle({ minEpochs: 4, maxEpochs: 4, factor: 3 })), [4]);
  assert.throws(() => new ASHAOracle({ factor: 1 }), /factor must be an integer >= 2/);
  assert.throws(() => new ASHAOracle({ minEpochs: 5, maxEpochs: 3 }), /maxEpochs must be an integer >= minEpochs/);
});

test('ASHA promotes nothing from a rung with fewer than factor finished trials (the paper\'s floor(n / factor))', () => {
  const hp = new HyperParameters();
  hp.float('x', { min: 0, max: 1 });
  const oracle = new ASHAOracle({ minEpochs: 1, maxEpochs: 9, factor: 3, maxTrials: 3, seed: 1, hyperparameters: hp, objective: 'val_loss' });
  const rounds: number[] = [];
  for (;;) {
    const t = oracle.createTrial('w0');
    if (t.status !== 'RUNNING') break;
    rounds.push(t.values['tuner/round'] as number);
    const loss = lossOf(t.values.x as number, t.values['tuner/epochs'] as number);
    oracle.updateTrial(t.trialId, { metrics: { val_loss: [loss] }, bestMetrics: { val_loss: loss }, bestStep: 0 });
    oracle.endTrial(t.trialId, 'COMPLETED');
  }
  // 2 results in rung 0: no promotion; the 3rd makes floor(3/3) = 1; rung 1 then holds 1 < 3: it stops there
  assert.deepEqual(rounds, [0, 0, 0, 1]);
});

test("ASHA promotes as soon as a trial is in its rung's top 1/factor, never waiting for a rung to fill", () => {
  const hp = new HyperParameters();
  hp.float('x', { min: 0, max: 1 });
  const oracle = new ASHAOracle({ minEpochs: 1, maxEpochs: 9, factor: 3, maxTrials: 30, seed: 7, hyperparameters: hp, objective: 'val_loss' });
  const { log, idleWhileConfigsLeft } = simulate(oracle, 4, 3);
  assert.equal(idleWhileConfigsLeft, 0, 'a worker never waits while configurations are left');
  const rung0 = log.filter((e) => e.rung === 0);
  assert.equal(rung0.length, 30);
  // the first promotion comes right after the third rung-0 result (top 1/3 of 3 = 1), long before rung 0 is done
  const firstPromotion = log.findIndex((e) => e.rung === 1);
  assert.ok(firstPromotion > 0 && firstPromotion < 10, `first promotion at decision ${firstPromotion}`);
  const lastRung0 = Math.max(...rung0.map((e) => e.time));
  assert.ok(log[firstPromotion].time < lastRung0, 'promoted before the last configuration even started');
  // In the end each rung's final top floor(n/3) was promoted; early promotions on fewer results may add
  // a few more (ASHA's price for never waiting), but each was in the top third when it was made.
  for (let k = 0; k < oracle.topRung(); k++) {
    const promotedFromK = new Set(log.filter((e) => e.rung === k + 1).map((e) => e.parent!));
    const finalTop = oracle.promotable(k).map((t) => t.trialId);
    assert.ok(finalTop.every((id) => promotedFromK.has(id)), `rung ${k}: every trial of the final top third was promoted`);
    assert.ok(promotedFromK.size < finalTop.length * 2, `rung ${k}: ${promotedFromK.size} promotions for a top third of ${finalTop.length}`);
  }
  assert.ok(log.filter((e) => e.rung === 1).length >= 10);
  assert.ok(log.filter((e) => e.rung === 2).length >= 3);
  const best = oracle.getBestTrials(1)[0];
  assert.equal(best.values['tuner/round'], 2);
  const xs = rung0.map((e) => oracle.getTrial(e.trialId).values.x as number);
  const bestX = xs.reduce((a, b) => (Math.abs(b - 0.3) < Math.abs(a - 0.3) ? b : a));
  assert.equal(best.values.x, bestX, 'the configuration nearest the optimum was promoted all the way');
  assert.equal(oracle.createTrial('w0').status, 'STOPPED');
  // state round-trips: a restored oracle continues with the same decision
  const copy = new ASHAOracle({ minEpochs: 1, maxEpochs: 9, factor: 3, maxTrials: 31, hyperparameters: hp, objective: 'val_loss' });
  copy.setState(oracle.getState());
  oracle.maxConfigurations = 31;
  assert.deepEqual(copy.createTrial('w9').values, oracle.createTrial('w9').values);
});

test('ASHA tunes real models with 2 workers; promotions continue from their parent\'s checkpoint', async () => {
  await initBackend();
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-asha-'));
  const train = tinyData(64, 1);
  const val = tinyData(32, 2);
  const starts = join(root, 'starts');
  await fs.mkdir(starts);
  try {
    const tuner = new ASHA({
      hypermodel: { module: join(import.meta.dirname, 'fixtures', 'parallel-models.ts'), exportName: 'startWeightsRecorder' },
      hypermodelOptions: { dir: starts },
      objective: 'val_loss', minEpochs: 1, maxEpochs: 4, factor: 2, maxTrials: 6, seed: 3, directory: root, projectName: 'asha', verbose: 0,
    });
    await tuner.search(train, { validationData: val, workers: 2 });
    const trials = [...tuner.oracle.trials.values()];
    assert.ok(trials.every((t) => t.status === 'COMPLETED'));
    assert.equal(trials.filter((t) => t.values['tuner/round'] === 0).length, 6);
    const promoted = trials.filter((t) => t.values['tuner/trial_id'] !== undefined);
    assert.ok(promoted.length >= 3, `top half of 6 goes to rung 1 (${promoted.length} promotions)`);
    for (const t of promoted) {
      // a promotion trains only its new epochs, numbered after its parent's
      const epochs = (t.values['tuner/epochs'] as number) - (t.values['tuner/initial_epoch'] as number);
      assert.equal(t.metrics.val_loss.length, epochs);
      assert.ok(t.bestStep! >= (t.values['tuner/initial_epoch'] as number));
      assert.ok(existsSync(join(root, 'asha', `trial_${t.trialId}`, 'checkpoint', 'model.json')));
    }
    assert.ok(trials.some((t) => t.values['tuner/round'] === 2), 'some configuration reached the top rung (4 epochs)');
    // every promotion's model starts from exactly its parent's checkpoint (the parent's best epoch)
    const records = await Promise.all((await fs.readdir(starts)).map(async (f) => JSON.parse(await fs.readFile(join(starts, f), 'utf8'))));
    const fromParent = records.filter((r) => r.parent !== null);
    assert.equal(records.length, trials.length, 'one training start per trial');
    assert.deepEqual(fromParent.map((r) => r.parent).sort(), promoted.map((t) => t.values['tuner/trial_id']).sort());
    for (const r of fromParent) {
      assert.equal(r.initialEpoch, tuner.oracle.getTrial(r.parent).values['tuner/epochs']);
      const ckpt = await tf.loadLayersModel(fileSystemLoad(join(root, 'asha', `trial_${r.parent}`, 'checkpoint')));
      assert.deepEqual(r.weights, ckpt.getWeights().map((w) => Array.from(w.dataSync())), `promotion of ${r.parent} starts from its checkpoint`);
      ckpt.dispose();
    }
    // ... which is not the fresh initialisation a new model would have
    const fresh = records.filter((r) => r.parent === null).map((r) => JSON.stringify(r.weights));
    for (const r of fromParent) assert.ok(!fresh.includes(JSON.stringify(r.weights)));
  } finally {
    tf.dispose([train.xs, train.ys, val.xs, val.ys]);
    await fs.rm(root, { recursive: true, force: true });
  }
});
