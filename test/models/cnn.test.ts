import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { HyperParameters, type HyperParameterSpec } from '../../src/tuners/hyperparameters.js';
import { Rng } from '../../src/util/rng.js';
import { InvalidModelError, buildCnn, buildCnnFromConfig, cnnConfigFromHp, cnnConfigToValues, countCnnParams, describeCnn } from '../../src/models/cnn.js';
import { toonVisionModel, toonVisionSpace } from '../../src/models/toonvision.js';
import { TOONVISION_RANGES, type CnnSpace } from '../../src/models/cnn-space.js';
import { parseSpace } from '../../src/cli/parse.js';

await initBackend();

type LayerConfig = Record<string, unknown>;
const layer = (m: tf.LayersModel, name: string) => m.getLayer(name).getConfig() as LayerConfig;
const names = (m: tf.LayersModel) => m.layers.map((l) => l.name);
const specOf = (hp: HyperParameters, name: string): HyperParameterSpec => {
  const s = hp.space.find((x) => x.name === name);
  assert.ok(s, `hyperparameter ${name} should be declared; have ${hp.space.map((x) => x.name).join(', ')}`);
  return s;
};
const outputShape = (m: tf.LayersModel, inputShape: number[]) =>
  tf.tidy(() => (m.predict(tf.zeros([2, ...inputShape])) as tf.Tensor).shape);

test('defaults build the ToonVision model: 2 blocks of conv(4, 3x3) -> pool 2 -> pool 2, softmax over 4 classes, adam 1e-3', () => {
  const hp = new HyperParameters();
  const m = buildCnn(hp, { inputShape: [32, 32, 3], numClasses: 4 });
  assert.deepEqual(names(m), ['block1_conv', 'block1_pool', 'block1_pool2', 'block2_conv', 'block2_pool', 'block2_pool2', 'flatten', 'output']);
  assert.equal(layer(m, 'block1_conv').filters, 4);
  assert.deepEqual(layer(m, 'block1_conv').kernelSize, [3, 3]);
  assert.equal(layer(m, 'block1_conv').padding, 'same');
  assert.equal(layer(m, 'block1_conv').activation, 'relu');
  assert.deepEqual(layer(m, 'block2_pool2').poolSize, [2, 2]);
  assert.equal(layer(m, 'output').units, 4);
  assert.equal(layer(m, 'output').activation, 'softmax');
  assert.equal(m.loss, 'sparseCategoricalCrossentropy');
  assert.ok(m.optimizer instanceof tf.AdamOptimizer);
  assert.equal((m.optimizer as unknown as { learningRate: number }).learningRate, 1e-3);
  assert.deepEqual(hp.values, {
    num_blocks: 2, filters_1: 4, kernel_size_1: 3, pool_size_1: 2, dropout_1: 0,
    filters_2: 4, kernel_size_2: 3, pool_size_2: 2, dropout_2: 0, dense_units: 0, learning_rate: 1e-3, optimizer: 'adam',
  });
  // Same layers and parameter count as the ToonVision preset.
  const tv = toonVisionModel({ inputShape: [32, 32, 3], numClasses: 4 });
  assert.deepEqual(names(tv), names(m));
  assert.equal(tv.countParams(), m.countParams());
  m.dispose();
  tv.dispose();
});

test('buildCnn follows every hyperparameter value it is given', () => {
  const hp = new HyperParameters();
  const values = {
    num_blocks: 3, filters_1: 8, kernel_size_1: 5, pool_size_1: 2, dropout_1: 0,
    filters_2: 16, kernel_size_2: 3, pool_size_2: 1, dropout_2: 0.3,
    filters_3: 12, kernel_size_3: 5, pool_size_3: 3, dropout_3: 0.5,
    dense_units: 32, dense_dropout: 0.2, learning_rate: 0.005, optimizer: 'sgd',
  };
  for (const [k, v] of Object.entries(values)) hp.setValue(k, v);
  const m = buildCnn(hp, { inputShape: [64, 64, 3], numClasses: 4 });
  // 64 -> 32 -> 16 (block 1) -> 8 (block 2, no second pool) -> 4 -> 1 (block 3)
  assert.deepEqual(names(m), [
    'block1_conv', 'block1_pool', 'block1_pool2',
    'block2_conv', 'block2_pool', 'block2_dropout',
    'block3_conv', 'block3_pool', 'block3_pool3', 'block3_dropout',
    'flatten', 'hidden_dense', 'hidden_dropout', 'output',
  ]);
  assert.equal(layer(m, 'block1_conv').filters, 8);
  assert.deepEqual(layer(m, 'block1_conv').kernelSize, [5, 5]);
  assert.equal(layer(m, 'block2_conv').filters, 16);
  assert.equal(layer(m, 'block2_dropout').rate, 0.3);
  assert.equal(layer(m, 'block3_conv').filters, 12);
  assert.deepEqual(layer(m, 'block3_pool3').poolSize, [3, 3]);
  assert.equal(layer(m, 'block3_dropout').rate, 0.5);
  assert.equal(layer(m, 'hidden_dense').units, 32);
  assert.equal(layer(m, 'hidden_dense').activation, 'relu');
  assert.deepEqual(m.getLayer('flatten').outputShape, [null, 12]);
  assert.ok(m.optimizer instanceof tf.SGDOptimizer);
  assert.equal((m.optimizer as unknown as { learningRate: number }).learningRate, 0.005);
  assert.deepEqual(hp.values, values);
  assert.deepEqual(outputShape(m, [64, 64, 3]), [2, 4]);
  assert.equal(describeCnn(cnnConfigFromHp(hp, { inputShape: [64, 64, 3], numClasses: 4 })),
    '64x64x3 > conv 8@5x5 > pool 2 > pool 2 | conv 16@3x3 > pool 2 > dropout 0.3 | conv 12@5x5 > pool 2 > pool 3 > dropout 0.5 | ' +
    'flatten > dense 32 relu > dropout 0.2 > dense 4 softmax; sgd 0.005, sparseCategoricalCrossentropy');
  m.dispose();

  const hp2 = new HyperParameters();
  hp2.setValue('optimizer', 'rmsprop');
  const m2 = buildCnn(hp2, { inputShape: [32, 32, 3], numClasses: 4 });
  assert.ok(m2.optimizer instanceof tf.RMSPropOptimizer);
  m2.dispose();
});

test('per-block hyperparameters are declared for every reachable block but active only up to num_blocks', () => {
  const hp = new HyperParameters();
  hp.setValue('num_blocks', 1);
  const m = buildCnn(hp, { inputShape: [32, 32, 3], numClasses: 4 });
  assert.deepEqual(names(m), ['block1_conv', 'block1_pool', 'block1_pool2', 'flatten', 'output']);
  assert.deepEqual(Object.keys(hp.values).sort(), ['dense_units', 'dropout_1', 'filters_1', 'kernel_size_1', 'learning_rate', 'num_blocks', 'optimizer', 'pool_size_1'].sort());
  assert.deepEqual(specOf(hp, 'filters_1').conditions, [{ parentName: 'num_blocks', parentValues: [1, 2, 3] }]);
  assert.deepEqual(specOf(hp, 'filters_2').conditions, [{ parentName: 'num_blocks', parentValues: [2, 3] }]);
  assert.deepEqual(specOf(hp, 'dropout_3').conditions, [{ parentName: 'num_blocks', parentValues: [3] }]);
  assert.deepEqual(specOf(hp, 'learning_rate').conditions, []);
  assert.throws(() => hp.get('filters_2'), /inactive/);
  m.dispose();

  // With num_blocks limited to 1 or 3, block 2 exists only for 3 blocks.
  const hp2 = new HyperParameters();
  cnnConfigFromHp(hp2, { inputShape: [32, 32, 3], numClasses: 4, space: { num_blocks: { values: [1, 3] } } });
  assert.equal(specOf(hp2, 'num_blocks').type, 'choice');
  assert.deepEqual(specOf(hp2, 'kernel_size_2').conditions, [{ parentName: 'num_blocks', parentValues: [3] }]);
  assert.equal(hp2.get('num_blocks'), 1);

  // A log-sampled step multiplies: 1, 2, 4 blocks, so block 3 exists only for 4.
  const hp3 = new HyperParameters();
  cnnConfigFromHp(hp3, { inputShape: [64, 64, 3], numClasses: 4, space: { num_blocks: { min: 1, max: 4, sampling: 'log', step: 2, default: 1 } } });
  assert.deepEqual(specOf(hp3, 'filters_2').conditions, [{ parentName: 'num_blocks', parentValues: [2, 4] }]);
  assert.deepEqual(specOf(hp3, 'filters_3').conditions, [{ parentName: 'num_blocks', parentValues: [4] }]);
});

test('space overrides narrow, widen or fix every hyperparameter', () => {
  const hp = new HyperParameters();
  const cfg = cnnConfigFromHp(hp, {
    inputShape: [32, 32, 3], numClasses: 4,
    space: {
      num_blocks: { min: 1, max: 4 },
      filters: { min: 8, max: 64, step: 8 },
      kernel_size: { values: [3, 5, 7], default: 5 },
      pool_size: { max: 2 },
      dropout: { fixed: 0.25 },
      blocks: [undefined, { filters: { fixed: 32 } }],
      dense_units: { min: 0, max: 256, step: 64 },
      learning_rate: { fixed: 0.01 },
      optimizer: { values: ['rmsprop', 'sgd'] },
    },
  });
  assert.deepEqual(specOf(hp, 'num_blocks'), { type: 'int', name: 'num_blocks', min: 1, max: 4, step: 1, sampling: 'linear', default: 2, conditions: [] });
  const f1 = specOf(hp, 'filters_1');
  assert.ok(f1.type === 'int' && f1.min === 8 && f1.max === 64 && f1.step === 8 && f1.default === undefined);
  const k3 = specOf(hp, 'kernel_size_3');
  assert.ok(k3.type === 'choice');
  assert.deepEqual(k3.values, [3, 5, 7]);
  const p1 = specOf(hp, 'pool_size_1');
  assert.ok(p1.type === 'int' && p1.min === 1 && p1.max === 2 && p1.default === 2);
  assert.equal(specOf(hp, 'dropout_1').type, 'fixed');
  assert.equal(specOf(hp, 'filters_2').type, 'fixed');
  assert.equal(specOf(hp, 'learning_rate').type, 'fixed');
  const opt = specOf(hp, 'optimizer');
  assert.ok(opt.type === 'choice');
  assert.deepEqual(opt.values, ['rmsprop', 'sgd']);
  assert.equal(hp.space.filter((s) => s.name.startsWith('filters_')).length, 4, 'filters for blocks 1..4');
  assert.deepEqual(cfg.blocks, [
    { filters: 8, kernelSize: 5, poolSize: 2, dropout: 0.25 },
    { filters: 32, kernelSize: 5, poolSize: 2, dropout: 0.25 },
  ]);
  assert.equal(cfg.learningRate, 0.01);
  assert.equal(cfg.optimizer, 'rmsprop');
  assert.equal(cfg.denseUnits, 0);
  assert.deepEqual(cnnConfigToValues(cfg), hp.values);

  // The ToonVision preset as a fixed space: every hp fixed, same model as the preset.
  const hpFixed = new HyperParameters();
  const fixedCfg = cnnConfigFromHp(hpFixed, { inputShape: [32, 32, 3], numClasses: 4, space: toonVisionSpace({ filters: 8 }) });
  assert.ok(hpFixed.space.every((s) => s.type === 'fixed'));
  assert.equal(fixedCfg.blocks.length, 2);
  assert.ok(fixedCfg.blocks.every((b) => b.filters === 8 && b.kernelSize === 3 && b.poolSize === 2));
});

test('bad space overrides are errors that name the option', () => {
  const build = (space: object) => () => cnnConfigFromHp(new HyperParameters(), { inputShape: [32, 32, 3], numClasses: 4, space });
  assert.throws(build({ filter: { max: 8 } }), /space has an unknown key "filter"\. Did you mean "filters"\? Its keys are num_blocks, /);
  assert.throws(build({ blocks: [{ pool: { fixed: 2 } }] }), /space\.blocks\[0\] has an unknown key "pool"/);
  assert.throws(build({ filters: { min: 16, max: 8 } }), /space\.blocks\[0\]\.filters has min 16 above max 8/);
  assert.throws(build({ dropout: { fixed: 1 } }), /dropout.fixed must be below 1/);
  assert.throws(build({ filters: { fixed: 2.5 } }), /must be an integer/);
  assert.throws(build({ kernel_size: { min: 3 } }), /space\.blocks\[0\]\.kernel_size replaces a list of values with a range: give both min and max/);
  assert.throws(build({ filters: { values: [4], min: 2 } }), /mixes/);
  assert.throws(build({ optimizer: { values: ['adamw'] } }), /space\.optimizer\.values\[0\] must be one of adam, rmsprop, sgd/);
  assert.throws(build({ learning_rate: { min: 0, max: 1 } }), /log sampling, which needs min > 0/);
  assert.throws(build({ num_blocks: { fixed: 1 }, blocks: [{}, { filters: { fixed: 8 } }] }), /space\.blocks has 2 entries but num_blocks is at most 1/);
});

test('a model that does not fit the input throws InvalidModelError naming the block and sizes, before any layer is made', () => {
  const before = tf.memory().numTensors;
  const hp = new HyperParameters();
  hp.setValue('num_blocks', 3);
  let err: unknown;
  try {
    buildCnn(hp, { inputShape: [16, 24, 3], numClasses: 4, fit: 'strict' });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof InvalidModelError, `expected InvalidModelError, got ${err}`);
  assert.equal(err.name, 'InvalidModelError');
  // 16x24 -> block 1: 4x6 -> block 2: 1x1 -> block 3 cannot pool.
  assert.match(err.message, /Block 3 of 3 does not fit the input: its first max pooling \(pool 2\) needs a feature map of at least 2x2 but gets 1x1/);
  assert.match(err.message, /input 16x24x3 -> block 1: 4x6 -> block 2: 1x1/);
  assert.match(err.message, /fewer blocks \(num_blocks\), smaller pool sizes/);
  assert.equal(tf.memory().numTensors, before, 'no weights were created');
  // The space is still declared, so the tuner can record the trial.
  assert.ok(hp.space.some((s) => s.name === 'filters_3'));

  const hp2 = new HyperParameters();
  hp2.setValue('pool_size_1', 4);
  // 8x8: pool 2 -> 4x4, pool 4 -> 1x1, then block 2 has nothing to pool.
  assert.throws(() => buildCnn(hp2, { inputShape: [8, 8, 1], numClasses: 3, fit: 'strict' }),
    (e: Error) => e instanceof InvalidModelError && /^Block 2 of 2 .* gets 1x1 \(input 8x8x1 -> block 1: 1x1\)/.test(e.message));
  assert.throws(() => toonVisionModel({ inputShape: [8, 8, 3], numClasses: 4 }), InvalidModelError);
});

test('maxParams turns an oversized model into InvalidModelError, counted before any layer is made', () => {
  // ToonVision-sized input, one block without a second pooling, a wide dense layer.
  const hp = new HyperParameters();
  for (const [k, v] of Object.entries({ num_blocks: 1, filters_1: 32, pool_size_1: 1, dense_units: 128 })) hp.setValue(k, v);
  const opts = { inputShape: [600, 200, 3], numClasses: 4, fit: 'strict' as const };
  const cfg = cnnConfigFromHp(hp, opts);
  // conv 3*3*3*32+32, dense 300*100*32*128+128, output 128*4+4
  assert.equal(countCnnParams(cfg), 896 + 122_880_128 + 516);
  const before = tf.memory().numTensors;
  assert.throws(() => buildCnn(hp, { ...opts, maxParams: 5_000_000 }),
    (e: Error) => e instanceof InvalidModelError && /would have 122,881,540 weights, more than maxParams 5,000,000/.test(e.message) && /input 600x200x3 -> block 1: 300x100/.test(e.message));
  assert.equal(tf.memory().numTensors, before);
  const small = buildCnn(new HyperParameters(), { inputShape: [32, 32, 3], numClasses: 4, maxParams: 1000 });
  assert.ok(small.countParams() <= 1000);
  small.dispose();
});

test('binary and multiclass heads: units, activation, loss and output shape follow task and labelMode', () => {
  const cases: Array<{ opts: { numClasses: number; task?: 'binary' | 'multiclass'; labelMode?: 'sparse' | 'categorical' | 'binary' }; units: number; act: string; loss: string }> = [
    { opts: { numClasses: 2 }, units: 1, act: 'sigmoid', loss: 'binaryCrossentropy' },
    { opts: { numClasses: 2, labelMode: 'binary' }, units: 1, act: 'sigmoid', loss: 'binaryCrossentropy' },
    { opts: { numClasses: 2, labelMode: 'categorical' }, units: 2, act: 'softmax', loss: 'categoricalCrossentropy' },
    { opts: { numClasses: 2, task: 'multiclass' }, units: 2, act: 'softmax', loss: 'sparseCategoricalCrossentropy' },
    { opts: { numClasses: 4 }, units: 4, act: 'softmax', loss: 'sparseCategoricalCrossentropy' },
    { opts: { numClasses: 5, labelMode: 'categorical' }, units: 5, act: 'softmax', loss: 'categoricalCrossentropy' },
  ];
  for (const c of cases) {
    const m = buildCnn(new HyperParameters(), { inputShape: [16, 16, 1], ...c.opts });
    const what = JSON.stringify(c.opts);
    assert.equal(layer(m, 'output').units, c.units, what);
    assert.equal(layer(m, 'output').activation, c.act, what);
    assert.equal(m.loss, c.loss, what);
    assert.deepEqual(outputShape(m, [16, 16, 1]), [2, c.units], what);
    m.dispose();
  }
  const bad = (opts: object) => () => buildCnn(new HyperParameters(), { inputShape: [16, 16, 1], numClasses: 3, ...opts });
  assert.throws(bad({ task: 'binary' }), /task 'binary' needs numClasses 2, got 3/);
  assert.throws(bad({ numClasses: 2, task: 'binary', labelMode: 'categorical' }), /cannot take one-hot labels/);
  assert.throws(bad({ labelMode: 'binary' }), /labelMode 'binary' \(0\/1 labels\) goes with task 'binary'/);
  assert.throws(bad({ numClasses: 1 }), /numClasses must be an integer of at least 2/);
  assert.throws(bad({ inputShape: [16, 16] }), /inputShape must be \[height, width, channels\]/);
});

test("random draws from the whole space build a working model or throw InvalidModelError with fit 'strict', and leak nothing", () => {
  const first = new HyperParameters();
  const opts = { inputShape: [24, 24, 3], numClasses: 4, space: { num_blocks: { min: 1, max: 4 } }, fit: 'strict' as const };
  cnnConfigFromHp(first, opts);
  const rng = new Rng(7);
  const before = tf.memory().numTensors;
  let built = 0, invalid = 0;
  for (let i = 0; i < 25; i++) {
    const hp = HyperParameters.fromConfig({ space: first.space, values: {} });
    hp.ensureActiveValues(rng);
    try {
      const m = buildCnn(hp, opts);
      assert.deepEqual(outputShape(m, [24, 24, 3]), [2, 4]);
      assert.equal(countCnnParams(cnnConfigFromHp(hp, opts)), m.countParams(), 'weights counted without tfjs');
      assert.equal(m.layers.filter((l) => l.name.endsWith('_conv')).length, hp.get('num_blocks'));
      m.dispose();
      built++;
    } catch (e) {
      if (!(e instanceof InvalidModelError)) throw e;
      invalid++;
    }
  }
  assert.ok(built > 0 && invalid > 0, `expected both outcomes, got ${built} built and ${invalid} invalid`);
  assert.equal(tf.memory().numTensors, before);
});

test('a seed makes the initial weights reproducible', () => {
  const make = (seed: number) => buildCnn(new HyperParameters(), { inputShape: [16, 16, 3], numClasses: 4, seed });
  const [a, b, c] = [make(1), make(1), make(2)];
  const w = (m: tf.LayersModel) => m.getWeights().map((t) => Array.from(t.dataSync()));
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
  [a, b, c].forEach((m) => m.dispose());
});

test('a built model (rescaling, dropout, hidden dense included) saves and loads in tfjs format with the same predictions', async () => {
  const hp = new HyperParameters();
  for (const [k, v] of Object.entries({ dropout_1: 0.2, dense_units: 32, optimizer: 'rmsprop' })) hp.setValue(k, v);
  const m = buildCnn(hp, { inputShape: [16, 16, 3], numClasses: 3, rescale: 1 / 255, seed: 5 });
  assert.equal(m.layers[0].name, 'rescaling');
  let artifacts: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  const x = tf.randomUniform([2, 16, 16, 3], 0, 255);
  const [a, b] = [m.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
  const [pa, pb] = [Array.from(a.dataSync()), Array.from(b.dataSync())];
  pa.forEach((v, i) => assert.ok(Math.abs(v - pb[i]) < 1e-6, `prediction ${i}: ${v} vs ${pb[i]}`));
  assert.deepEqual(names(loaded), names(m));
  tf.dispose([x, a, b]);
  m.dispose();
  loaded.dispose();
});

test('dense_dropout is searched only while there is a hidden dense layer, and puts a Dropout after it', () => {
  const hp = new HyperParameters();
  cnnConfigFromHp(hp, { inputShape: [28, 28, 3], numClasses: 10 });
  const spec = specOf(hp, 'dense_dropout');
  assert.ok(spec.type === 'float');
  assert.deepEqual([spec.min, spec.max, spec.step, spec.default], [0, 0.5, 0.1, 0]);
  assert.deepEqual(spec.conditions, [{ parentName: 'dense_units', parentValues: [32, 64, 128] }]);
  assert.equal('dense_dropout' in hp.values, false, 'inactive while dense_units is 0 (its default)');

  const on = new HyperParameters();
  for (const [k, v] of Object.entries({ num_blocks: 1, dense_units: 64, dense_dropout: 0.5 })) on.setValue(k, v);
  const config = cnnConfigFromHp(on, { inputShape: [28, 28, 3], numClasses: 10, seed: 3 });
  assert.equal(config.denseDropout, 0.5);
  assert.equal(cnnConfigToValues(config).dense_dropout, 0.5);
  assert.match(describeCnn(config), /dense 64 relu > dropout 0\.5 > dense 10 softmax/);
  const m = buildCnn(on, { inputShape: [28, 28, 3], numClasses: 10 });
  assert.deepEqual(names(m).slice(-4), ['flatten', 'hidden_dense', 'hidden_dropout', 'output']);
  assert.equal(layer(m, 'hidden_dropout').rate, 0.5);
  m.dispose();

  // dense_units fixed at 0: no dense layer, so no dense_dropout at all
  const none = new HyperParameters();
  cnnConfigFromHp(none, { inputShape: [28, 28, 3], numClasses: 10, space: { dense_units: { fixed: 0 } } });
  assert.equal(none.space.some((s) => s.name === 'dense_dropout'), false);
  // a hand-made config is checked
  assert.throws(() => buildCnnFromConfig({ ...config, denseDropout: 1 }), /denseDropout must be at least 0 and below 1, got 1/);
});

test('the default space leaves out what rarely learns in a short search; TOONVISION_RANGES and --space toonvision restore the article\'s ranges', () => {
  const declared = (space?: CnnSpace) => {
    const hp = new HyperParameters();
    cnnConfigFromHp(hp, { inputShape: [28, 28, 3], numClasses: 10, ...(space ? { space } : {}) });
    return hp;
  };
  const range = (hp: HyperParameters, name: string) => {
    const s = specOf(hp, name);
    assert.ok(s.type === 'int' || s.type === 'float', `${name} is a range`);
    return [s.min, s.max, s.step, s.default];
  };
  const dflt = declared();
  assert.deepEqual(range(dflt, 'filters_1'), [4, 64, 4, 4]);
  assert.deepEqual(range(dflt, 'pool_size_2'), [1, 2, 1, 2]);
  assert.deepEqual(range(dflt, 'dropout_3'), [0, 0.5, 0.1, 0]);
  const opt = specOf(dflt, 'optimizer');
  assert.ok(opt.type === 'choice');
  assert.deepEqual(opt.values, ['adam', 'rmsprop']);
  // the defaults are still the ToonVision hand-made model
  assert.deepEqual(dflt.values, { num_blocks: 2, filters_1: 4, kernel_size_1: 3, pool_size_1: 2, dropout_1: 0, filters_2: 4, kernel_size_2: 3, pool_size_2: 2, dropout_2: 0, dense_units: 0, learning_rate: 1e-3, optimizer: 'adam' });

  // the article has no dropout after its dense layer
  const withDense = new HyperParameters();
  withDense.setValue('dense_units', 64);
  const tvConfig = cnnConfigFromHp(withDense, { inputShape: [28, 28, 3], numClasses: 10, space: TOONVISION_RANGES });
  assert.equal(specOf(withDense, 'dense_dropout').type, 'fixed');
  assert.equal(tvConfig.denseDropout, undefined);
  for (const tv of [declared(TOONVISION_RANGES), declared(parseSpace('toonvision'))]) {
    assert.deepEqual(range(tv, 'filters_1'), [4, 32, 4, 4]);
    assert.deepEqual(range(tv, 'pool_size_2'), [1, 4, 1, 2]);
    assert.deepEqual(range(tv, 'dropout_3'), [0, 0.9, 0.1, 0]);
    const o = specOf(tv, 'optimizer');
    assert.ok(o.type === 'choice');
    assert.deepEqual(o.values, ['adam', 'rmsprop', 'sgd']);
  }
  // the preset is a copy: changing what --space returned does not change the exported ranges
  (parseSpace('toonvision').filters as { max: number }).max = 8;
  assert.deepEqual(range(declared(parseSpace('toonvision')), 'filters_1'), [4, 32, 4, 4]);
});
