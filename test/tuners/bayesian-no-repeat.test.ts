/**
 * The README: "Bayesian optimization never repeats a configuration" (KerasTuner's may). Checked past
 * the random initial points, where the Gaussian process keeps pointing at the best configuration found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { BayesianOptimizationOracle } from '../../src/tuners/oracles/bayesian.js';

test('Bayesian optimization tries each configuration of a small space once, then stops', () => {
  for (const seed of [1, 2, 3]) {
    const hp = new HyperParameters();
    hp.choice('units', [4, 8, 16, 32, 64, 128]);
    hp.boolean('extra');
    // 12 configurations; 40 trials allowed; 2 random points, the rest from the Gaussian process
    const oracle = new BayesianOptimizationOracle({ maxTrials: 40, numInitialPoints: 2, seed, hyperparameters: hp, objective: 'val_loss' });
    const seen: string[] = [];
    for (;;) {
      const t = oracle.createTrial('t0');
      if (t.status !== 'RUNNING') {
        assert.equal(t.status, 'STOPPED');
        break;
      }
      const { units, extra } = t.values as { units: number; extra: boolean };
      seen.push(`${units}/${extra}`);
      // one clear optimum (units 32, extra) the model keeps suggesting
      const loss = Math.abs(Math.log2(units) - 5) + (extra ? 0 : 0.5);
      oracle.updateTrial(t.trialId, { metrics: { val_loss: [loss] }, bestMetrics: { val_loss: loss }, bestStep: 0 });
      oracle.endTrial(t.trialId, 'COMPLETED');
      assert.ok(seen.length <= 12, `seed ${seed}: more trials than configurations: ${seen}`);
    }
    assert.equal(new Set(seen).size, seen.length, `seed ${seed}: a configuration was repeated: ${seen}`);
    assert.equal(seen.length, 12, `seed ${seed}: every configuration was tried before stopping`);
  }
});
