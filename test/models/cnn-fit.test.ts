/**
 * The built-in space fits every input (fit 'adapt', the default): a sweep of image sizes from 8x8 to 1024x1024,
 * square and not, samples many configurations; none is InvalidModelError, none exceeds the weight and
 * activation caps, and the models tfjs builds have the planned weights and output shape; the default
 * Hyperband search over it builds every trial's model at each size (no INVALID trial, its exact schedule).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { Rng } from '../../src/util/rng.js';
import { DEFAULT_MAX_ACTIVATIONS, DEFAULT_MAX_PARAMS, InvalidModelError, buildCnn, buildCnnFromConfig, cnnConfigFromHp, countCnnParams, describeCnn, planCnn } from '../../src/models/cnn.js';
import { HyperbandOracle } from '../../src/tuners/oracles/hyperband.js';

await initBackend();

const SIZES: Array<[number, number]> = [
  [8, 8], [9, 13], [16, 16], [28, 28], [32, 32], [8, 200], [64, 64], [100, 30], [224, 224], [600, 200], [200, 600], [1024, 1024], [1024, 8],
];

test('no configuration of the built-in space is invalid or over the caps, for images 8x8 .. 1024x1024', () => {
  const rng = new Rng(11);
  const before = tf.memory().numTensors;
  for (const [h, w] of SIZES) {
    for (const channels of [1, 3]) {
      const opts = { inputShape: [h, w, channels], numClasses: 10 };
      const first = new HyperParameters();
      cnnConfigFromHp(first, opts);
      for (let i = 0; i < 60; i++) {
        const hp = HyperParameters.fromConfig({ space: first.space, values: {} });
        hp.ensureActiveValues(rng);
        const cfg = cnnConfigFromHp(hp, opts); // throws InvalidModelError if it does not fit
        const plan = planCnn(cfg);
        assert.ok(plan.params <= DEFAULT_MAX_PARAMS, `${h}x${w}: ${plan.params} weights (${describeCnn(cfg)})`);
        const [sh, sw] = [Math.floor(h / plan.stem[0]), Math.floor(w / plan.stem[1])];
        assert.ok(sh * sw * cfg.blocks[0].filters <= DEFAULT_MAX_ACTIVATIONS || (plan.stem[0] === h && plan.stem[1] === w),
          `${h}x${w}: first conv output ${sh}x${sw}x${cfg.blocks[0].filters}`);
      }
    }
    // Building (not training): the extreme corners of the space for this size make real tfjs models.
    const extremes = [
      { num_blocks: 3, pool_size_1: 4, pool_size_2: 4, pool_size_3: 4, filters_1: 64, filters_2: 64, filters_3: 64, dense_units: 128 },
      { num_blocks: 1, pool_size_1: 1, filters_1: 64, kernel_size_1: 5, dense_units: 128 },
      { num_blocks: 2, filters_1: 32, filters_2: 64, pool_size_1: 1, pool_size_2: 1, dense_units: 128 },
    ];
    for (const values of extremes) {
      const hp = new HyperParameters();
      for (const [k, v] of Object.entries(values)) hp.setValue(k, v);
      const opts = { inputShape: [h, w, 3], numClasses: 10 };
      const m = buildCnn(hp, opts);
      assert.equal(m.countParams(), countCnnParams(cnnConfigFromHp(hp, opts)), `${h}x${w} ${JSON.stringify(values)}`);
      assert.deepEqual(m.outputs[0].shape, [null, 10]);
      m.dispose();
    }
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('fitting pools what is left, adds a stem for large inputs and a head pooling under maxParams; small models stay as written', () => {
  const hp = new HyperParameters();
  hp.setValue('num_blocks', 3);
  // 16x24 -> block 1: 4x6 -> block 2: 2x3 then 1x1 -> block 3: a 1x1 map, not pooled.
  const small = cnnConfigFromHp(hp, { inputShape: [16, 24, 3], numClasses: 4 });
  const plan = planCnn(small);
  assert.deepEqual(plan.blocks.map((b) => b.out), [[4, 6], [1, 1], [1, 1]]);
  assert.deepEqual(plan.blocks[1].pools, [[2, 2], [2, 2]]);
  hp.setValue("pool_size_2", 4); // a window larger than the 2x3 map is clamped to it
  assert.deepEqual(planCnn(cnnConfigFromHp(hp, { inputShape: [16, 24, 3], numClasses: 4 })).blocks[1].pools, [[2, 2], [2, 3]]);
  hp.setValue("pool_size_2", 2);
  assert.deepEqual(plan.blocks[2].pools, [[1, 1], [1, 1]]);
  const m = buildCnnFromConfig(small);
  assert.ok(!m.layers.some((l) => l.name.startsWith('block3_pool')), 'a 1x1 map is not pooled');
  assert.equal(m.countParams(), plan.params);
  const out = tf.tidy(() => (m.predict(tf.zeros([2, 16, 24, 3])) as tf.Tensor).shape);
  assert.deepEqual(out, [2, 4]);
  m.dispose();

  // The hand-made CNN (conv 32, conv 64, dense 128) at 28x28 and 64x64 is in the space and built as written.
  const hand = new HyperParameters();
  for (const [k, v] of Object.entries({ filters_1: 32, filters_2: 64, pool_size_1: 1, pool_size_2: 1, dense_units: 128 })) hand.setValue(k, v);
  for (const side of [28, 64]) {
    const p = planCnn(cnnConfigFromHp(hand, { inputShape: [side, side, 3], numClasses: 10 }));
    assert.deepEqual([p.stem, p.head], [[1, 1], [1, 1]], `${side}x${side}`);
  }

  // 1024x1024 with 64 filters: a stem average pooling keeps the first conv output under the cap.
  const big = new HyperParameters();
  for (const [k, v] of Object.entries({ num_blocks: 1, filters_1: 64, pool_size_1: 1, dense_units: 128 })) big.setValue(k, v);
  const bigCfg = cnnConfigFromHp(big, { inputShape: [1024, 1024, 3], numClasses: 10 });
  const bp = planCnn(bigCfg);
  assert.deepEqual(bp.stem, [4, 4]);
  assert.ok(bp.head[0] > 1, 'and a head pooling keeps the weights under maxParams');
  assert.match(describeCnn(bigCfg), /^1024x1024x3 > avgpool 4 > conv 64@3x3 > pool 2 \| pool \d+ > flatten > dense 128 relu/);
  // A lower cap pools more; 'strict' refuses instead.
  assert.ok(planCnn({ ...bigCfg, maxParams: 100_000 }).params <= 100_000);
  assert.throws(() => planCnn({ ...bigCfg, fit: 'strict', maxParams: 100_000 }), /more than maxParams 100,000/);
  assert.throws(() => cnnConfigFromHp(new HyperParameters(), { inputShape: [8, 8, 1], numClasses: 2, maxParams: -1 }), /maxParams must be a positive integer/);
});

test('the default Hyperband search (max 10 epochs, factor 3) over the built-in space: no INVALID trial, 30 trials / 120 epochs, at every size', () => {
  const before = tf.memory().numTensors;
  for (const [h, w] of [[8, 8], [16, 16], [28, 28], [32, 32], [600, 200], [1024, 1024]]) {
    const opts = { inputShape: [h, w, 3], numClasses: 10 };
    const oracle = new HyperbandOracle({ maxEpochs: 10, factor: 3, seed: h + w, objective: { name: 'score', direction: 'max' } });
    const first = new HyperParameters();
    cnnConfigFromHp(first, opts);
    oracle.updateSpace(first.space);
    const statuses: string[] = [];
    for (;;) {
      const t = oracle.createTrial('t0');
      if (t.status !== 'RUNNING') break;
      // What a trial does first: build the model (the trial runner builds a copy of the trial's values).
      const hp = t.hyperparameters.copy();
      try {
        buildCnn(hp, opts).dispose();
      } catch (err) {
        statuses.push(`${(err as Error).name}: ${(err as Error).message}`);
        oracle.endTrial(t.trialId, err instanceof InvalidModelError ? 'INVALID' : 'FAILED', (err as Error).message, { retry: false });
        continue;
      }
      oracle.updateSpace(hp.space);
      const score = Number(hp.values.learning_rate ?? 0);
      oracle.updateTrial(t.trialId, { metrics: { score: [score] }, bestMetrics: { score }, bestStep: 0 });
      oracle.endTrial(t.trialId, 'COMPLETED');
      statuses.push('COMPLETED');
    }
    const done = [...oracle.trials.values()].filter((t) => t.status === 'COMPLETED');
    assert.deepEqual(statuses.filter((s) => s !== 'COMPLETED'), [], `${h}x${w}`);
    assert.equal(done.length, 30, `${h}x${w}`);
    assert.equal(done.reduce((a, t) => a + Number(t.values['tuner/epochs']) - Number(t.values['tuner/initial_epoch']), 0), 120, `${h}x${w}`);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});
