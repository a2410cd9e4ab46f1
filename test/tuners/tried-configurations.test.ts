import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { RandomSearchOracle } from '../../src/tuners/oracles/random-search.js';

test('a trial\'s configuration is recorded again when it ends, with what it declared (KerasTuner\'s _record_values)', () => {
  const space = new HyperParameters();
  space.choice('a', ['x']);
  const oracle = new RandomSearchOracle({ hyperparameters: space, seed: 3, maxTrials: 10 });
  const seen: Array<Record<string, unknown>> = [];
  for (;;) {
    const t = oracle.createTrial('tuner0');
    if (t.status === 'STOPPED') break;
    // the hypermodel declares `b` during the trial: it runs at its default, false
    const hp = t.hyperparameters.copy();
    hp.choice('a', ['x']);
    hp.boolean('b');
    oracle.updateSpace(hp.space);
    t.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: hp.values });
    oracle.updateTrial(t.trialId, { metrics: { val_loss: [1] }, bestMetrics: { val_loss: 1 }, bestStep: 0 });
    oracle.endTrial(t.trialId, 'COMPLETED');
    seen.push(t.values);
  }
  // {a: x, b: false} was tried by the first trial, so only {a: x, b: true} is left
  assert.deepEqual(seen, [{ a: 'x', b: false }, { a: 'x', b: true }]);
  // the key recorded at creation ({a: x}) was replaced, and the replacement survives a resume
  const state = JSON.parse(JSON.stringify(oracle.getState()));
  assert.equal(state.triedSoFar.length, 2);
  const resumed = new RandomSearchOracle({ hyperparameters: space, seed: 3, maxTrials: 10 });
  resumed.setState(state);
  assert.equal(resumed.createTrial('tuner0').status, 'STOPPED');
});
