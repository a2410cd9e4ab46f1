/** One trial naming everywhere (issue 15): every oracle makes the same ids, and the console names trials by id. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { ConsoleDisplay } from '../../src/tuners/display.js';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import type { Oracle } from '../../src/tuners/oracle.js';
import { RandomSearchOracle } from '../../src/tuners/oracles/random-search.js';
import { GridSearchOracle } from '../../src/tuners/oracles/grid-search.js';
import { BayesianOptimizationOracle } from '../../src/tuners/oracles/bayesian.js';
import { HyperbandOracle } from '../../src/tuners/oracles/hyperband.js';
import { BOHBOracle } from '../../src/tuners/oracles/bohb.js';
import { ASHAOracle } from '../../src/tuners/oracles/asha.js';
import { denseHypermodel, tinyData } from './fixtures/tiny.js';

const space = () => {
  const hp = new HyperParameters();
  hp.int('units', { min: 1, max: 64 });
  return hp;
};

/** The ids of the first `n` trials an oracle creates (each completed before the next). */
function firstIds(oracle: Oracle, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = oracle.createTrial('tuner0');
    assert.equal(t.status, 'RUNNING');
    ids.push(t.trialId);
    oracle.updateTrial(t.trialId, { metrics: { val_loss: [i] }, bestMetrics: { val_loss: i }, bestStep: 0 });
    oracle.endTrial(t.trialId, 'COMPLETED');
  }
  return ids;
}

test('every oracle names trials the same way, whatever maxTrials is', () => {
  const hyperparameters = space;
  const oracles: Oracle[] = [
    new RandomSearchOracle({ maxTrials: 5, seed: 1, hyperparameters: hyperparameters() }),
    new RandomSearchOracle({ maxTrials: 30, seed: 1, hyperparameters: hyperparameters() }),
    new GridSearchOracle({ maxTrials: 3, hyperparameters: hyperparameters() }),
    new BayesianOptimizationOracle({ maxTrials: 10, seed: 1, hyperparameters: hyperparameters() }),
    new HyperbandOracle({ maxEpochs: 9, factor: 3, seed: 1, hyperparameters: hyperparameters() }),
    new BOHBOracle({ maxEpochs: 9, factor: 3, seed: 1, hyperparameters: hyperparameters() }),
    new ASHAOracle({ maxEpochs: 9, factor: 3, seed: 1, hyperparameters: hyperparameters() }),
  ];
  for (const o of oracles) assert.deepEqual(firstIds(o, 3), ['0000', '0001', '0002'], o.kind);
  // more trials than four digits hold: wide enough for all, so the ids still sort in order
  assert.equal(new RandomSearchOracle({ maxTrials: 20000, hyperparameters: space() }).createTrial().trialId, '00000');
});

test('a project saved with the old ids keeps them; only new trials get the new format', () => {
  const old = new RandomSearchOracle({ maxTrials: 5, seed: 1, hyperparameters: space() });
  firstIds(old, 2);
  const state = old.getState();
  // rewrite the state as an earlier version saved it: ids "0" and "1"
  const saved = JSON.parse(JSON.stringify(state).replace(/"000([01])"/g, '"$1"'));
  assert.deepEqual(saved.trials.map((t: { trialId: string }) => t.trialId), ['0', '1']);
  const resumed = new RandomSearchOracle({ maxTrials: 5, seed: 1, hyperparameters: space() });
  resumed.setState(saved);
  assert.deepEqual([...resumed.trials.keys()], ['0', '1']);
  assert.equal(resumed.createTrial('tuner0').trialId, '0002');
});

let root: string;
before(async () => {
  await initBackend();
  root = await fs.mkdtemp(join(tmpdir(), 'trial-naming-'));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('the console names each trial by its id, as its folder does', async () => {
  const train = tinyData(32, 1);
  const val = tinyData(16, 2);
  const out: string[] = [];
  const tuner = new RandomSearch({
    hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 2, seed: 3,
    directory: root, projectName: 'naming', display: new ConsoleDisplay((t) => out.push(t)),
  });
  try {
    await tuner.search(train, { validationData: val, epochs: 1 });
  } finally {
    tf.dispose([train.xs, train.ys, val.xs, val.ys]);
  }
  const names = (await fs.readdir(join(root, 'naming'))).filter((n) => n.startsWith('trial_')).sort();
  assert.deepEqual(names, ['trial_0000', 'trial_0001']);
  const text = out.join('');
  for (const id of ['0000', '0001']) {
    assert.match(text, new RegExp(`^Trial ${id} started: `, 'm'));
    assert.match(text, new RegExp(`^Trial ${id} COMPLETED in `, 'm'));
  }
  assert.doesNotMatch(text, /Trial #?[12]\b/, 'no 1-based trial number beside the ids');
});
