import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { GridSearchOracle, gridSize } from '../../src/tuners/oracles/grid-search.js';
import type { Trial } from '../../src/tuners/trial.js';

/**
 * Runs a trial the way the search loop does: the hypermodel declares (and reads) hyperparameters on
 * the trial's copy, the oracle merges the new ones and the trial keeps the values it ran with.
 */
function finish(oracle: GridSearchOracle, trial: Trial, body: (hp: HyperParameters) => void): void {
  const hp = trial.hyperparameters.copy();
  body(hp);
  oracle.updateSpace(hp.space);
  trial.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: hp.values });
  oracle.updateTrial(trial.trialId, { metrics: { val_loss: [1] }, bestMetrics: { val_loss: 1 }, bestStep: 0 });
  oracle.endTrial(trial.trialId, 'COMPLETED');
}

function search(oracle: GridSearchOracle, body: (hp: HyperParameters) => void): Array<Record<string, unknown>> {
  const out = [];
  for (let i = 0; i < 500; i++) {
    const t = oracle.createTrial('tuner0');
    if (t.status === 'STOPPED') break;
    assert.equal(t.status, 'RUNNING');
    finish(oracle, t, body);
    out.push(t.values);
  }
  return out;
}

const distinct = (vs: Array<Record<string, unknown>>) => new Set(vs.map((v) => JSON.stringify(Object.entries(v).sort()))).size;

test('grid: hyperparameters first declared in a trial join the walk at their default (KerasTuner\'s "new hp": 12 trials)', () => {
  const oracle = new GridSearchOracle({ seed: 1 });
  const trials = search(oracle, (hp) => {
    if (hp.boolean('bool')) hp.choice('choice1', [0, 1, 2]);
    else hp.choice('choice2', [3, 4, 5]);
  });
  // bool = false (its default) with choice2's 3 values, then true with 3 x 3 (choice1 is known by then)
  assert.equal(trials.length, 12);
  assert.equal(distinct(trials), 12);
  assert.deepEqual(trials.slice(0, 4), [{ bool: false, choice2: 3 }, { bool: false, choice2: 4 }, { bool: false, choice2: 5 }, { bool: true, choice2: 3, choice1: 0 }]);
});

test('grid: a hyperparameter read in fit (KerasTuner\'s "hp in fit": 3 trials)', () => {
  const space = new HyperParameters();
  space.fixed('fixed', 3);
  const trials = search(new GridSearchOracle({ hyperparameters: space }), (hp) => {
    hp.fixed('fixed', 3);
    hp.choice('choice', [0, 1, 2]);
  });
  assert.deepEqual(trials, [{ fixed: 3, choice: 0 }, { fixed: 3, choice: 1 }, { fixed: 3, choice: 2 }]);
});

test('grid: conditional scopes in build and in fit (KerasTuner\'s case: 4 x 4 = 16 trials)', () => {
  const build = (hp: HyperParameters) => {
    hp.boolean('bool');
    hp.conditionalScope('bool', [true], () => hp.choice('choice1', [1, 2]));
    hp.conditionalScope('bool', [false], () => hp.choice('choice2', [3, 4]));
  };
  // The tuner's activation pass knows the build's scopes before the first trial.
  const space = new HyperParameters();
  build(space);
  space.setValue('bool', true);
  build(space);
  const trials = search(new GridSearchOracle({ hyperparameters: HyperParameters.fromConfig({ space: space.space, values: {} }) }), (hp) => {
    build(hp);
    hp.boolean('bool2');
    hp.conditionalScope('bool2', [true], () => hp.choice('choice3', [1, 2]));
    hp.conditionalScope('bool2', [false], () => hp.choice('choice4', [3, 4]));
  });
  assert.equal(trials.length, 16);
  assert.equal(distinct(trials), 16);
});

test('grid: starts from the defaults, and a float range\'s default is one of its values (KerasTuner\'s 5 x 11 = 55)', () => {
  const space = new HyperParameters();
  space.int('int', { min: 1, max: 5, default: 3 });
  space.float('float', { min: 1, max: 2 });
  assert.equal(gridSize(space.space), 55);
  const trials = search(new GridSearchOracle({ hyperparameters: space }), () => {});
  assert.equal(trials.length, 55);
  assert.equal(distinct(trials), 55);
  // defaults first, then the other values in order; the last hyperparameter changes fastest
  assert.deepEqual(trials[0], { int: 3, float: 1 });
  assert.deepEqual(trials[1], { int: 3, float: 1.05 });
  assert.deepEqual(trials[10], { int: 3, float: 1.95 });
  assert.deepEqual(trials[11], { int: 1, float: 1 });
  assert.deepEqual(trials.slice(-1), [{ int: 5, float: 1.95 }]);
});

test('grid: parallel workers wait rather than repeat (KerasTuner\'s "exhaust trials in between")', () => {
  const oracle = new GridSearchOracle({ seed: 1 });
  const space = new HyperParameters();
  space.boolean('bool');
  oracle.updateSpace(space.space);
  const run = (hp: HyperParameters) => { hp.boolean('bool'); hp.boolean('bool2'); };
  const t1 = oracle.createTrial('1');
  const t2 = oracle.createTrial('2');
  assert.deepEqual([t1.status, t2.status], ['RUNNING', 'RUNNING']);
  assert.equal(oracle.createTrial('3').status, 'IDLE', 'bool2 is not known yet');
  finish(oracle, t1, run);
  const t3 = oracle.createTrial('3');
  assert.equal(t3.status, 'RUNNING');
  assert.deepEqual(t3.values, { bool: false, bool2: true });
  assert.equal(oracle.createTrial('4').status, 'IDLE', 'everything between trial 1 and trial 2 is handed out');
  finish(oracle, t2, run);
  const t4 = oracle.createTrial('4');
  assert.deepEqual(t4.values, { bool: true, bool2: true });
  assert.equal(oracle.createTrial('5').status, 'IDLE');
  finish(oracle, t3, run);
  finish(oracle, t4, run);
  assert.equal(oracle.createTrial('5').status, 'STOPPED');
});

test('grid: a resumed oracle continues the walk where it was', () => {
  const space = new HyperParameters();
  space.choice('a', ['x', 'y', 'z']);
  space.int('n', { min: 1, max: 4 });
  const straight = search(new GridSearchOracle({ hyperparameters: space }), () => {});
  const first = new GridSearchOracle({ hyperparameters: space });
  const head = [];
  for (let i = 0; i < 5; i++) {
    const t = first.createTrial();
    finish(first, t, () => {});
    head.push(t.values);
  }
  const resumed = new GridSearchOracle({ hyperparameters: space });
  resumed.setState(JSON.parse(JSON.stringify(first.getState())));
  assert.deepEqual([...head, ...search(resumed, () => {})], straight);
  assert.equal(straight.length, 12);
});
