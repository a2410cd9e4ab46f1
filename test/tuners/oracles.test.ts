import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { ConsecutiveFailuresError, type Oracle } from '../../src/tuners/oracle.js';
import { RandomSearchOracle } from '../../src/tuners/oracles/random-search.js';
import { GridSearchOracle, gridSize } from '../../src/tuners/oracles/grid-search.js';
import { HyperbandOracle } from '../../src/tuners/oracles/hyperband.js';
import { BayesianOptimizationOracle } from '../../src/tuners/oracles/bayesian.js';
import { toObjective, inferDirection } from '../../src/tuners/objective.js';
import { GaussianProcess } from '../../src/tuners/gaussian-process.js';

function space(build: (hp: HyperParameters) => void): HyperParameters {
  const hp = new HyperParameters();
  build(hp);
  return hp;
}

/** Runs an oracle to the end; `score` maps values (and Hyperband's epoch budget) to the objective. */
function drive(oracle: Oracle, score: (v: Record<string, any>) => number, opts: { failIf?: (v: Record<string, any>) => boolean; limit?: number } = {}) {
  const created: string[] = [];
  for (let i = 0; i < (opts.limit ?? 1000); i++) {
    const trial = oracle.createTrial('tuner0');
    if (trial.status === 'STOPPED') break;
    assert.equal(trial.status, 'RUNNING');
    created.push(trial.trialId);
    const v = trial.values;
    if (opts.failIf?.(v)) {
      oracle.endTrial(trial.trialId, 'INVALID', 'boom');
      continue;
    }
    const s = score(v);
    oracle.updateTrial(trial.trialId, { metrics: { val_loss: [s] }, bestMetrics: { val_loss: s }, bestStep: 0 });
    oracle.endTrial(trial.trialId, 'COMPLETED');
  }
  return created;
}

test('objectives: directions are inferred like KerasTuner, unknown names are errors', () => {
  assert.equal(inferDirection('val_loss'), 'min');
  assert.equal(inferDirection('val_accuracy'), 'max');
  assert.equal(inferDirection('accuracy'), 'max');
  assert.equal(inferDirection('val_acc'), 'max');
  assert.equal(inferDirection('weighted_binary_crossentropy'), 'min');
  assert.equal(inferDirection('val_mse'), 'min');
  assert.throws(() => toObjective('my_score'), /Could not infer optimization direction.*my_score.*direction/);
  assert.deepEqual(toObjective({ name: 'my_score', direction: 'max' }), { name: 'my_score', direction: 'max' });
  assert.throws(() => toObjective({ name: 'x', direction: 'up' as 'max' }), /direction must be "min" or "max"/);
  assert.deepEqual(toObjective(undefined), { name: 'val_loss', direction: 'min' });
});

test('Hyperband maxEpochs=10 factor=3 runs KerasTuner\'s schedule: 30 trials, 22 fresh, 120 epochs', () => {
  const hp = space((h) => { h.float('x', { min: 0, max: 1 }); h.int('n', { min: 1, max: 100 }); });
  const oracle = new HyperbandOracle({ objective: 'val_loss', maxEpochs: 10, factor: 3, seed: 1, hyperparameters: hp });
  assert.deepEqual(oracle.schedule().map((r) => [r.bracket, r.round, r.trials, r.initialEpoch, r.epochs]), [
    [2, 0, 12, 0, 2], [2, 1, 4, 2, 4], [2, 2, 2, 4, 10], [1, 0, 6, 0, 4], [1, 1, 2, 4, 10], [0, 0, 4, 0, 10]]);
  const ids = drive(oracle, (v) => (v.x - 0.3) ** 2 / v['tuner/epochs']);
  const trials = ids.map((id) => oracle.getTrial(id));
  assert.equal(trials.length, 30);
  assert.equal(trials.filter((t) => t.values['tuner/trial_id'] === undefined).length, 22);
  const epochs = trials.reduce((s, t) => s + (t.values['tuner/epochs'] as number) - (t.values['tuner/initial_epoch'] as number), 0);
  assert.equal(epochs, 120);
  assert.equal(ids[0], '0000');
  // each promotion copies its parent's configuration and continues its epoch count
  for (const t of trials.filter((t) => t.values['tuner/trial_id'] !== undefined)) {
    const parent = oracle.getTrial(t.values['tuner/trial_id'] as string);
    assert.equal(parent.values.x, t.values.x);
    assert.equal(parent.values['tuner/epochs'], t.values['tuner/initial_epoch']);
    assert.equal(t.values['tuner/round'], (parent.values['tuner/round'] as number) + 1);
  }
  // bracket 2, round 1 promotes the 4 best of the 12 round-0 trials
  const r0 = trials.filter((t) => t.values['tuner/bracket'] === 2 && t.values['tuner/round'] === 0);
  const r1 = trials.filter((t) => t.values['tuner/bracket'] === 2 && t.values['tuner/round'] === 1);
  const best4 = [...r0].sort((a, b) => a.score! - b.score!).slice(0, 4).map((t) => t.trialId).sort();
  assert.deepEqual(r1.map((t) => t.values['tuner/trial_id']).sort(), best4);
  assert.equal(oracle.createTrial().status, 'STOPPED');
});

test('Hyperband maxEpochs=30 factor=3: 90 trials, 62 fresh, 576 epochs; 2 iterations double it', () => {
  const hp = space((h) => { h.float('x', { min: 0, max: 1 }); });
  const oracle = new HyperbandOracle({ maxEpochs: 30, factor: 3, seed: 5, hyperparameters: hp });
  const trials = drive(oracle, (v) => v.x).map((id) => oracle.getTrial(id));
  assert.equal(trials.length, 90);
  assert.equal(trials.filter((t) => t.values['tuner/round'] === 0).length, 62);
  assert.equal(trials.reduce((s, t) => s + (t.values['tuner/epochs'] as number) - (t.values['tuner/initial_epoch'] as number), 0), 576);
  const twice = new HyperbandOracle({ maxEpochs: 10, factor: 3, hyperbandIterations: 2, seed: 5, hyperparameters: hp });
  const t2 = drive(twice, (v) => v.x).map((id) => twice.getTrial(id));
  assert.equal(t2.length, 60);
  assert.equal(t2.reduce((s, t) => s + (t.values['tuner/epochs'] as number) - (t.values['tuner/initial_epoch'] as number), 0), 240);
  // (8, 2): 4 brackets, bracket 0 = 4 trials x 8 epochs
  const o8 = new HyperbandOracle({ maxEpochs: 8, factor: 2, hyperparameters: hp, seed: 1 });
  assert.equal(o8.numBrackets(), 4);
  assert.deepEqual(o8.schedule().filter((r) => r.bracket === 0), [{ bracket: 0, round: 0, trials: 4, initialEpoch: 0, epochs: 8 }]);
  assert.deepEqual(o8.schedule().filter((r) => r.bracket === 3).map((r) => r.trials), [8, 4, 2, 1]);
});

test('Hyperband can open the next bracket while a round waits (parallel workers)', () => {
  const hp = space((h) => h.float('x', { min: 0, max: 1 }));
  const oracle = new HyperbandOracle({ maxEpochs: 10, factor: 3, seed: 2, hyperparameters: hp });
  // 12 workers take bracket 2 round 0; a 13th cannot be promoted yet, so it starts bracket 1.
  const first = Array.from({ length: 13 }, (_, i) => oracle.createTrial(`w${i}`));
  assert.ok(first.every((t) => t.status === 'RUNNING'));
  assert.equal(first[12].values['tuner/bracket'], 1);
  assert.equal(oracle.createTrial('w0').trialId, first[0].trialId, 'a worker with a running trial gets it back');
});

test('random search is reproducible per seed, never repeats a configuration, and stops when the space is exhausted', () => {
  const hp = space((h) => { h.choice('a', ['x', 'y', 'z']); h.boolean('b'); });
  const run = (seed: number) => {
    const o = new RandomSearchOracle({ maxTrials: 50, seed, hyperparameters: hp });
    return drive(o, () => 1).map((id) => JSON.stringify(o.getTrial(id).values));
  };
  const a = run(3);
  assert.equal(a.length, 6, 'all 6 combinations, then STOPPED');
  assert.equal(new Set(a).size, 6);
  assert.deepEqual(run(3), a);
  const big = space((h) => h.float('x', { min: 0, max: 1 }));
  const r1 = new RandomSearchOracle({ maxTrials: 5, seed: 11, hyperparameters: big });
  const r2 = new RandomSearchOracle({ maxTrials: 5, seed: 12, hyperparameters: big });
  const v1 = drive(r1, () => 1).map((id) => r1.getTrial(id).values.x);
  const v2 = drive(r2, () => 1).map((id) => r2.getTrial(id).values.x);
  assert.equal(v1.length, 5);
  assert.notDeepEqual(v1, v2);
  assert.deepEqual(r1.getBestTrials(1).length, 1);
});

test('random search samples conditional hyperparameters only when active', () => {
  const hp = space((h) => {
    h.int('num_blocks', { min: 1, max: 5 });
    for (let i = 0; i < 5; i++) h.conditionalScope('num_blocks', [1, 2, 3, 4, 5].filter((n) => n > i), () => h.int(`units_${i}`, { min: 1, max: 64 }));
  });
  // The initial space with defaults only declares units_0; declare the rest as the tuner's activation pass would.
  for (let i = 1; i < 5; i++) hp.declare({ type: 'int', name: `units_${i}`, min: 1, max: 64, step: 1, sampling: 'linear', conditions: [{ parentName: 'num_blocks', parentValues: [1, 2, 3, 4, 5].filter((n) => n > i) }] });
  const o = new RandomSearchOracle({ maxTrials: 40, seed: 4, hyperparameters: hp });
  const ids = drive(o, () => 1);
  for (const id of ids) {
    const v = o.getTrial(id).values;
    const n = v.num_blocks as number;
    for (let i = 0; i < 5; i++) assert.equal(`units_${i}` in v, i < n, JSON.stringify(v));
  }
  assert.ok(ids.some((id) => o.getTrial(id).values.num_blocks === 5));
});

test('grid search enumerates every combination once, conditions included', () => {
  const hp = space((h) => {
    h.choice('opt', ['adam', 'sgd']);
    h.int('units', { min: 8, max: 32, step: 8 });
    h.float('momentum', { min: 0.5, max: 0.9, step: 0.4, parentName: 'opt', parentValues: ['sgd'] });
  });
  assert.equal(gridSize(hp.space), 4 + 4 * 2);
  const o = new GridSearchOracle({ maxTrials: 100, seed: 1, hyperparameters: hp });
  const ids = drive(o, () => 1);
  assert.equal(ids.length, 12);
  const vals = ids.map((id) => o.getTrial(id).values);
  assert.deepEqual(vals[0], { opt: 'adam', units: 8 });
  assert.deepEqual(vals[1], { opt: 'adam', units: 16 });
  assert.deepEqual(vals[4], { opt: 'sgd', units: 8, momentum: 0.5 });
  assert.deepEqual(vals[5], { opt: 'sgd', units: 8, momentum: 0.9 });
  assert.equal(new Set(vals.map((v) => JSON.stringify(v))).size, 12);
  const limited = new GridSearchOracle({ maxTrials: 3, hyperparameters: hp });
  assert.equal(drive(limited, () => 1).length, 3);
  assert.equal(limited.createTrial().trialId, '0003');
});

test('failed trials are retried, then FAILED; too many in a row stop the search with the error', () => {
  const hp = space((h) => h.int('n', { min: 0, max: 1000 }));
  const o = new RandomSearchOracle({ maxTrials: 20, seed: 1, hyperparameters: hp, maxRetriesPerTrial: 1, maxConsecutiveFailedTrials: 2 });
  const t0 = o.createTrial();
  o.endTrial(t0.trialId, 'INVALID', 'out of memory');
  assert.equal(o.getTrial(t0.trialId).status, 'INVALID');
  const again = o.createTrial();
  assert.equal(again.trialId, t0.trialId, 'the retry comes first, same id and values');
  o.endTrial(again.trialId, 'INVALID', 'out of memory');
  assert.equal(o.getTrial(t0.trialId).status, 'FAILED');
  const t1 = o.createTrial();
  o.updateTrial(t1.trialId, { metrics: {}, bestMetrics: { val_loss: NaN }, bestStep: 0 });
  o.endTrial(t1.trialId, 'COMPLETED');
  assert.equal(o.getTrial(t1.trialId).status, 'INVALID', 'a NaN score is INVALID');
  assert.match(o.getTrial(t1.trialId).message!, /NaN/);
  const t1b = o.createTrial();
  assert.equal(t1b.trialId, t1.trialId);
  assert.throws(() => o.endTrial(t1b.trialId, 'INVALID', 'still NaN'), (e: Error) => e instanceof ConsecutiveFailuresError && /limit of 2.*still NaN/.test(e.message));
});

test('oracle state round-trips: a restored oracle makes the same next decisions', () => {
  const hp = space((h) => { h.float('x', { min: 0, max: 1 }); h.choice('c', [1, 2, 3]); });
  const a = new HyperbandOracle({ maxEpochs: 10, factor: 3, seed: 9, hyperparameters: hp });
  drive(a, (v) => v.x, { limit: 14 });
  const b = new HyperbandOracle({ maxEpochs: 10, factor: 3, seed: 1, hyperparameters: hp });
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  const restA = drive(a, (v) => v.x).map((id) => JSON.stringify(a.getTrial(id).values));
  const restB = drive(b, (v) => v.x).map((id) => JSON.stringify(b.getTrial(id).values));
  assert.equal(restA.length, 16);
  assert.deepEqual(restB, restA);
});

test('Gaussian process interpolates its data and is uncertain far from it', () => {
  const xs = [[0], [0.25], [0.5], [0.75], [1]];
  const f = (x: number) => Math.sin(6 * x);
  const gp = new GaussianProcess(1e-6).fit(xs, xs.map((x) => f(x[0])));
  for (const x of xs) assert.ok(Math.abs(gp.predict(x).mean - f(x[0])) < 1e-3);
  assert.ok(Math.abs(gp.predict([0.6]).mean - f(0.6)) < 0.1);
  assert.ok(gp.predict([0.6]).std > gp.predict([0.5]).std);
  const far = new GaussianProcess(1e-6).fit([[0, 0], [0.1, 0.1]], [1, 2]);
  assert.ok(far.predict([1, 1]).std > 10 * far.predict([0, 0]).std);
});

test('Bayesian optimization beats random search on a known optimum in most seeds', () => {
  const hp = space((h) => { h.float('x', { min: 0, max: 1 }); h.float('y', { min: 0, max: 1 }); });
  const f = (v: Record<string, any>) => (v.x - 0.71) ** 2 + (v.y - 0.23) ** 2;
  let wins = 0;
  const seeds = [1, 2, 3, 4, 5, 6, 7];
  for (const seed of seeds) {
    const bo = new BayesianOptimizationOracle({ maxTrials: 25, seed, hyperparameters: hp, numInitialPoints: 6 });
    drive(bo, f);
    const rs = new RandomSearchOracle({ maxTrials: 25, seed, hyperparameters: hp });
    drive(rs, f);
    if (bo.getBestTrials(1)[0].score! < rs.getBestTrials(1)[0].score!) wins++;
  }
  assert.ok(wins >= 5, `Bayesian won ${wins}/${seeds.length}`);
  // maximize works too, and the GP phase is reproducible per seed
  const run = () => {
    const o = new BayesianOptimizationOracle({ objective: 'val_accuracy', maxTrials: 12, seed: 3, hyperparameters: hp });
    const ids: string[] = [];
    for (;;) {
      const t = o.createTrial();
      if (t.status === 'STOPPED') break;
      ids.push(t.trialId);
      o.updateTrial(t.trialId, { metrics: {}, bestMetrics: { val_accuracy: 1 - f(t.values) }, bestStep: 0 });
      o.endTrial(t.trialId, 'COMPLETED');
    }
    return { o, values: ids.map((id) => JSON.stringify(o.getTrial(id).values)) };
  };
  const r1 = run();
  assert.deepEqual(run().values, r1.values);
  assert.equal(r1.values.length, 12);
  assert.ok(r1.o.getBestTrials(1)[0].score! > 0.97);
});

test('a finished Hyperband can be extended by raising hyperbandIterations on resume', () => {
  const hp = space((h) => h.float('x', { min: 0, max: 1 }));
  const one = new HyperbandOracle({ maxEpochs: 10, factor: 3, seed: 3, hyperparameters: hp });
  assert.equal(drive(one, (v) => v.x).length, 30);
  assert.equal(one.createTrial().status, 'STOPPED');
  const two = new HyperbandOracle({ maxEpochs: 10, factor: 3, hyperbandIterations: 2, seed: 3, hyperparameters: hp });
  two.setState(JSON.parse(JSON.stringify(one.getState())));
  const more = drive(two, (v) => v.x);
  assert.equal(more.length, 30);
  assert.equal(more[0], '0030');
});

test('Hyperband still promotes when failed trials leave fewer finished ones than KerasTuner waits for', () => {
  const hp = space((h) => h.float('x', { min: 0, max: 1 }));
  const oracle = new HyperbandOracle({ maxEpochs: 10, factor: 3, seed: 4, hyperparameters: hp, maxConsecutiveFailedTrials: 0 });
  const ids = drive(oracle, (v) => v.x, { failIf: (v) => v['tuner/round'] === 0 && (v.x as number) < 0.6 });
  const trials = ids.map((id) => oracle.getTrial(id));
  const failed = trials.filter((t) => t.status === 'FAILED');
  assert.ok(failed.length >= 6, `${failed.length} failed`);
  for (const b of [2, 1]) {
    const r0 = trials.filter((t) => t.values['tuner/bracket'] === b && t.values['tuner/round'] === 0);
    const r1 = trials.filter((t) => t.values['tuner/bracket'] === b && t.values['tuner/round'] === 1);
    const completed = r0.filter((t) => t.status === 'COMPLETED');
    assert.ok(r1.length === Math.min(completed.length, oracle.size(b, 1)), `bracket ${b}: ${r1.length} promoted of ${completed.length}`);
    const promotedFrom = new Set(r1.map((t) => t.values['tuner/trial_id']));
    for (const id of promotedFrom) assert.equal(oracle.getTrial(id as string).status, 'COMPLETED');
  }
  assert.equal(oracle.createTrial().status, 'STOPPED');
});

test('new hyperparameters seen during a trial join the space, are fixed, or are refused', () => {
  const seen = space((h) => { h.int('a', { min: 1, max: 9 }); h.choice('b', ['x', 'y']); });
  const base = space((h) => h.int('a', { min: 1, max: 9 }));
  const tuned = new RandomSearchOracle({ hyperparameters: base, seed: 1 });
  tuned.updateSpace(seen.space);
  assert.deepEqual(tuned.hyperparameters.space.map((s) => s.type), ['int', 'choice']);
  const fixed = new RandomSearchOracle({ hyperparameters: base, seed: 1, tuneNewEntries: false });
  fixed.updateSpace(seen.space);
  assert.deepEqual(fixed.hyperparameters.space[1], { type: 'fixed', name: 'b', value: 'x', conditions: [] });
  const strict = new RandomSearchOracle({ hyperparameters: base, seed: 1, allowNewEntries: false });
  assert.throws(() => strict.updateSpace(seen.space), /new hyperparameter "b".*allowNewEntries is false/);
});
