import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { HyperbandOracle } from '../../src/tuners/oracles/hyperband.js';
import type { Trial } from '../../src/tuners/trial.js';

function space(): HyperParameters {
  const hp = new HyperParameters();
  hp.float('x', { min: 0, max: 1 });
  return hp;
}

/** Runs Hyperband serially to the end with a deterministic objective; returns its trials in creation order. */
function run(maxEpochs: number, factor: number, hyperbandIterations = 1): { oracle: HyperbandOracle; trials: Trial[] } {
  const oracle = new HyperbandOracle({ maxEpochs, factor, hyperbandIterations, seed: 7, hyperparameters: space() });
  const trials: Trial[] = [];
  for (;;) {
    const t = oracle.createTrial('tuner0');
    if (t.status === 'STOPPED') break;
    assert.equal(t.status, 'RUNNING');
    trials.push(t);
    // better with more epochs, and x near 0.3 is best: promotions must pick by score
    const s = (Number(t.values.x) - 0.3) ** 2 + 1 / Number(t.values['tuner/epochs']);
    oracle.updateTrial(t.trialId, { metrics: { val_loss: [s] }, bestMetrics: { val_loss: s }, bestStep: 0 });
    oracle.endTrial(t.trialId, 'COMPLETED');
  }
  return { oracle, trials };
}

const trained = (ts: Trial[]) => ts.reduce((s, t) => s + Number(t.values['tuner/epochs']) - Number(t.values['tuner/initial_epoch']), 0);
const rows = (o: HyperbandOracle) => o.schedule().map((r) => [r.bracket, r.round, r.trials, r.initialEpoch, r.epochs]);

test('Hyperband bracket arithmetic is exact for every maxEpochs 1..1000 and factor 2..10', () => {
  for (let f = 2; f <= 10; f++) {
    for (let m = 1; m <= 1000; m++) {
      const o = new HyperbandOracle({ maxEpochs: m, factor: f, seed: 1 });
      const where = `maxEpochs ${m}, factor ${f}`;
      // brackets: how many of 1, f, f^2, ... are <= m
      const nb = o.numBrackets();
      assert.ok(f ** (nb - 1) <= m && f ** nb > m, where);
      // s0 = ceil(1 + log_f m): f^(s0-2) < m <= f^(s0-1)
      const s0 = o.size(0, 0);
      assert.ok(m <= f ** (s0 - 1) && (s0 === 1 ? m === 1 : f ** (s0 - 2) < m), `${where}: s0 ${s0}`);
      for (let b = 0; b < nb; b++) {
        for (let r = 0; r <= b; r++) {
          const n = o.size(b, r);
          const e = o.epochs(b, r);
          const w = f ** (b - r);
          assert.ok(Number.isInteger(n) && n * (b + 1) >= s0 * w && (n - 1) * (b + 1) < s0 * w, `${where}: size(${b}, ${r}) = ${n}`);
          assert.ok(Number.isInteger(e) && e * w >= m && (e - 1) * w < m, `${where}: epochs(${b}, ${r}) = ${e}`);
        }
      }
    }
  }
});

test('Hyperband (9, 3): KerasTuner\'s schedule, 23 trials / 75 epochs, 46 / 150 over 2 iterations', () => {
  // s0 = ceil(1 + log_3 9) = 3; sizes ceil(3/(b+1) * 3^(b-r)), epochs ceil(9 / 3^(b-r))
  const { oracle, trials } = run(9, 3);
  assert.deepEqual(rows(oracle), [[2, 0, 9, 0, 1], [2, 1, 3, 1, 3], [2, 2, 1, 3, 9], [1, 0, 5, 0, 3], [1, 1, 2, 3, 9], [0, 0, 3, 0, 9]]);
  assert.equal(trials.length, 23);
  assert.equal(trained(trials), 75);
  assert.equal(trials.filter((t) => t.values['tuner/round'] === 0).length, 17);
  const twice = run(9, 3, 2).trials;
  assert.equal(twice.length, 46);
  assert.equal(trained(twice), 150);
});

test('Hyperband (81, 3) runs 211 trials / 1,767 epochs; (729, 3) 1,818 / 30,168; (8, 2) 36 / 102', () => {
  const r81 = run(81, 3);
  assert.equal(r81.oracle.numBrackets(), 5);
  assert.deepEqual(rows(r81.oracle).filter((r) => r[0] === 4), [[4, 0, 81, 0, 1], [4, 1, 27, 1, 3], [4, 2, 9, 3, 9], [4, 3, 3, 9, 27], [4, 4, 1, 27, 81]]);
  assert.deepEqual(rows(r81.oracle).filter((r) => r[0] === 0), [[0, 0, 5, 0, 81]]);
  assert.equal(r81.trials.length, 211);
  assert.equal(trained(r81.trials), 1767);
  const r729 = run(729, 3);
  assert.equal(r729.oracle.numBrackets(), 7);
  assert.deepEqual(rows(r729.oracle).filter((r) => r[0] === 5).map((r) => r[2]), [284, 95, 32, 11, 4, 2]);
  assert.equal(r729.trials.length, 1818);
  assert.equal(trained(r729.trials), 30168);
  const r8 = run(8, 2);
  assert.equal(r8.trials.length, 36);
  assert.equal(trained(r8.trials), 102);
});

test('Hyperband (9, 3): every promotion is the best not-yet-promoted trial of its previous round', () => {
  const { trials } = run(9, 3);
  const byId = new Map(trials.map((t) => [t.trialId, t]));
  for (const t of trials) {
    const parentId = t.values['tuner/trial_id'];
    if (parentId === undefined) continue;
    const parent = byId.get(String(parentId))!;
    assert.equal(parent.values['tuner/bracket'], t.values['tuner/bracket']);
    assert.equal(parent.values['tuner/round'], Number(t.values['tuner/round']) - 1);
    assert.equal(parent.values['tuner/epochs'], t.values['tuner/initial_epoch']);
    assert.equal(parent.values.x, t.values.x);
  }
  // bracket 2: round 1 takes the 3 best of its 9, round 2 the best of those 3
  const inRound = (b: number, r: number) => trials.filter((t) => t.values['tuner/bracket'] === b && t.values['tuner/round'] === r);
  const best = (ts: Trial[], n: number) => [...ts].sort((a, b) => a.score! - b.score!).slice(0, n).map((t) => t.trialId).sort();
  assert.deepEqual(inRound(2, 1).map((t) => String(t.values['tuner/trial_id'])).sort(), best(inRound(2, 0), 3));
  assert.deepEqual(inRound(2, 2).map((t) => String(t.values['tuner/trial_id'])), best(inRound(2, 1), 1));
  assert.deepEqual(inRound(1, 1).map((t) => String(t.values['tuner/trial_id'])).sort(), best(inRound(1, 0), 2));
});
