/**
 * Every options object of the library rejects keys it does not read, saying what to write: the camelCase
 * of a Keras / KerasTuner (Python) spelling, the call that takes an option given to the other one, or the
 * closest key (issue 15: `max_trials` was silently ignored and the search ran its default 10 trials).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { ASHA, BayesianOptimization, BOHB, GridSearch, Hyperband, RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { buildCnn } from '../../src/models/cnn.js';
import { toonVisionModel } from '../../src/models/toonvision.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { imageDatasetFromDirectory } from '../../src/data/image-dataset.js';
import { tensorBoardCallback } from '../../src/tensorboard/callback.js';
import { flowFromDirectoryForWorkers } from '../../src/data/worker-sources/directory-source.js';
import { flowFromDataframeForWorkers } from '../../src/data/worker-sources/dataframe-source.js';
import { denseHypermodel, tinyData } from './fixtures/tiny.js';

let root: string;
before(async () => {
  await initBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'option-keys-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const base = () => ({ hypermodel: denseHypermodel, objective: 'val_loss', directory: root, projectName: 'p' });

test('tuner constructors: KerasTuner spellings name the camelCase key; search() options given to the tuner say so', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => new RandomSearch({ ...base(), max_trials: 5 } as never),
      /^Error: new RandomSearch\(\): unknown option "max_trials"\. "max_trials" is the KerasTuner \(Python\) spelling: write maxTrials\.$/],
    [() => new RandomSearch({ ...base(), executions_per_trial: 2 } as never), /"executions_per_trial" is the KerasTuner \(Python\) spelling: write executionsPerTrial\./],
    [() => new Hyperband({ ...base(), hyperband_iterations: 2 } as never), /new Hyperband\(\): unknown option "hyperband_iterations"\..*write hyperbandIterations\./],
    [() => new Hyperband({ ...base(), max_epochs: 9 } as never), /write maxEpochs\./],
    [() => new Hyperband({ ...base(), project_name: 'x' } as never), /write projectName\./],
    [() => new BOHB({ ...base(), min_bandwidth: 0.1 } as never), /new BOHB\(\).*write minBandwidth\./],
    [() => new BayesianOptimization({ ...base(), num_initial_points: 2 } as never), /write numInitialPoints\./],
    [() => new ASHA({ ...base(), min_epochs: 2 } as never), /write minEpochs\./],
    // An option of another tuner is unknown here, with the closest key of this one.
    [() => new RandomSearch({ ...base(), maxEpochs: 9 } as never), /new RandomSearch\(\): unknown option "maxEpochs"\. maxEpochs is an option of Hyperband, BOHB, ASHA, not of RandomSearch\.$/],
    [() => new Hyperband({ ...base(), max_trials: 9 } as never), /"max_trials" is the KerasTuner \(Python\) spelling: write maxTrials\./],
    [() => new GridSearch({ ...base(), factor: 2 } as never), /factor is an option of Hyperband, BOHB, ASHA, not of GridSearch\./],
    [() => new GridSearch({ ...base(), validation_data: 1 } as never),
      /unknown option "validation_data"\. validationData is an option of search\(\): tuner\.search\(data, \{\.\.\.\}\) \(and "validation_data" the KerasTuner \(Python\) spelling of it\)\./],
    [() => new Hyperband({ ...base(), callbacks: [] } as never), /unknown option "callbacks"\. callbacks is an option of search\(\)/],
    [() => new Hyperband({ ...base(), max_model_size: 1e6 } as never), /"max_model_size" is the KerasTuner \(Python\) spelling; here: the built-in CNN keeps its weights under maxParams/],
    [() => new Hyperband({ ...base(), objectiv: 'val_loss' } as never), /unknown option "objectiv"\. Did you mean "objective"\?/],
  ];
  for (const [make, re] of cases) assert.throws(make, (e: Error) => re.test(String(e)), String(re));
  // Every documented option is accepted.
  new Hyperband({ ...base(), maxEpochs: 3, factor: 3, hyperbandIterations: 1, seed: 1, overwrite: true, executionsPerTrial: 1, verbose: 0,
    tunerId: 't', deterministic: true, maxConsecutiveFailedTrials: 3, maxRetriesPerTrial: 0, allowNewEntries: true, tuneNewEntries: true });
});

test('search() options: KerasTuner / Keras fit spellings, tuner options given to search(), options it does not have', async () => {
  const tuner = new RandomSearch({ ...base(), maxTrials: 1, verbose: 0 });
  const data = tinyData(8, 1);
  try {
    const cases: Array<[object, RegExp]> = [
      [{ validation_data: data }, /^search\(\): unknown option "validation_data"\. "validation_data" is the KerasTuner \(Python\) spelling: write validationData\.$/],
      [{ batch_size: 4 }, /write batchSize\./],
      [{ overwrite: true }, /unknown option "overwrite"\. overwrite is an option of the tuner: new RandomSearch\(\{\.\.\.\}\)\./],
      [{ directory: 'x' }, /directory is an option of the tuner: new RandomSearch/],
      [{ project_name: 'x' }, /projectName is an option of the tuner: new RandomSearch\(\{\.\.\.\}\) \(and "project_name" the KerasTuner \(Python\) spelling of it\)/],
      [{ max_trials: 3 }, /maxTrials is an option of the tuner/],
      [{ verbose: 2 }, /verbose is an option of the tuner/],
      [{ class_weight: { 0: 1 } }, /"class_weight" is the KerasTuner \(Python\) spelling; here: not an option of search\(\): write a hypermodel object whose fit/],
      [{ epoch: 3 }, /unknown option "epoch"\. Did you mean "epochs"\?/],
    ];
    for (const [opts, re] of cases) await assert.rejects(tuner.search(data, opts as never), (e: Error) => re.test(e.message), String(re));
  } finally {
    tf.dispose([data.xs, data.ys]);
  }
});

test('HyperParameters methods: KerasTuner\'s min_value / max_value / parent_name, and typos', () => {
  const hp = new HyperParameters();
  assert.throws(() => hp.int('units', { min_value: 1, max_value: 4 } as never),
    /^Error: hp\.int\("units"\): unknown option "min_value"\. "min_value" is the KerasTuner \(Python\) spelling: write min\.$/);
  assert.throws(() => hp.float('lr', { min: 0.1, max: 1, max_value: 1 } as never), /hp\.float\("lr"\): unknown option "max_value"\..*write max\./);
  assert.throws(() => hp.float('lr', { min: 0.1, max: 1, samplng: 'log' } as never), /unknown option "samplng"\. Did you mean "sampling"\?/);
  assert.throws(() => hp.choice('act', ['a', 'b'], { parent_name: 'x', parent_values: [1] } as never), /hp\.choice\("act"\).*write parentName\./);
  assert.throws(() => hp.boolean('b', { defualt: true } as never), /hp\.boolean\("b"\): unknown option "defualt"\. Did you mean "default"\?/);
  assert.throws(() => hp.fixed('f', 1, { ordered: true } as never), /hp\.fixed\("f"\): unknown option "ordered"/);
  assert.throws(() => hp.float('lr', { min: 0.1, max: 1, sampling: 'reverse_log' } as never), /"reverse_log" is the KerasTuner \(Python\) spelling: write "reverseLog"/);
  assert.deepEqual(hp.space, [], 'nothing was declared by the rejected calls');
});

test('buildCnn, toonVisionModel, flow, fit, flowFromDataframe, imageDatasetFromDirectory, tensorBoardCallback and the worker sources\' options', async () => {
  const hp = new HyperParameters();
  assert.throws(() => buildCnn(hp, { input_shape: [8, 8, 3], numClasses: 2 } as never), /buildCnn\(\): unknown option "input_shape"\. "input_shape" is the Keras \(Python\) spelling: write inputShape\./);
  assert.throws(() => buildCnn(hp, { inputShape: [8, 8, 3], numClasses: 2, max_model_size: 10 } as never), /buildCnn\(\).*"max_model_size".*maxParams/);
  assert.throws(() => toonVisionModel({ inputShape: [8, 8, 3], numClasses: 4, learning_rate: 0.1 } as never), /toonVisionModel\(\): unknown option "learning_rate".*write learningRate\./);
  const gen = new ImageDataGenerator();
  assert.throws(() => gen.flow([[[[0]]]], [0], { batch_size: 1 } as never), /flow\(\): unknown option "batch_size"\..*write batchSize\./);
  await assert.rejects(gen.fit(root, { round: 2 } as never), /fit\(\): unknown option "round"\. Did you mean "rounds"\?/);
  assert.throws(() => gen.flowFromDataframe([], { x_col: 'filename' } as never), /flowFromDataframe\(\): unknown option "x_col"\..*write xCol\./);
  assert.throws(() => imageDatasetFromDirectory(root, { image_size: [8, 8] } as never), /imageDatasetFromDirectory\(\): unknown option "image_size"\..*write imageSize\./);
  assert.throws(() => imageDatasetFromDirectory(root, { labelMod: 'int' } as never), /Did you mean "labelMode"\?/);
  assert.throws(() => tensorBoardCallback(join(root, 'tb'), { hparam: {} } as never), /tensorBoardCallback\(\): unknown option "hparam"\. Did you mean "hparams"\?/);
  // The worker sources take generator and flow options as two objects: a flat one says where it goes.
  assert.throws(() => flowFromDirectoryForWorkers({ directory: root, targetSize: [8, 8] } as never),
    /^DataConfigError: flowFromDirectoryForWorkers\(\): unknown option "targetSize"\. targetSize is a flow option: pass it inside flow: \{targetSize\}\.$/);
  assert.throws(() => flowFromDirectoryForWorkers({ directory: root, rotation_range: 10 } as never), /"rotation_range" is the Keras \(Python\) spelling; here: rotationRange is an ImageDataGenerator option: pass it inside generator: \{rotationRange\}/);
  assert.throws(() => flowFromDataframeForWorkers({ records: [], xCol: 'file' } as never), /flowFromDataframeForWorkers\(\): unknown option "xCol"\. xCol is a flow option/);
});

test('a misspelt objective: the direction error and the missing-metric error both name the metric meant', async () => {
  assert.throws(() => new RandomSearch({ ...base(), objective: 'val_acuracy' }),
    /Could not infer optimization direction \("min" or "max"\) for objective "val_acuracy"\. Did you mean "val_accuracy"\? For a metric of your own, pass objective: \{ name: "val_acuracy", direction: "min" \}/);
  // With a direction the name is taken as given; the first epoch shows it is not logged (tfjs logs val_acc).
  const tuner = new RandomSearch({ ...base(), projectName: 'typo', objective: { name: 'val_acuracy', direction: 'max' }, maxTrials: 1, verbose: 0 });
  const data = tinyData(8, 1);
  try {
    await assert.rejects(tuner.search(data, { validationData: data, epochs: 1 }),
      /The objective "val_acuracy" is not among the metrics fit logs: val_loss, val_acc, loss, acc\. Did you mean "val_accuracy"\?/);
    const es = new RandomSearch({ ...base(), projectName: 'typo-es', maxTrials: 1, verbose: 0 });
    await assert.rejects(es.search(data, { validationData: data, epochs: 2, earlyStopping: { monitor: 'val_los', patience: 1 } }),
      /earlyStopping: cannot tell whether "val_los" should go down or up\. Did you mean "val_loss"\? For a metric of your own, pass mode/);
    await assert.rejects(es.search(data, { validationData: data, epochs: 2, earlyStopping: { monitor: 'val_acuracy', mode: 'max', patience: 1 } }),
      /earlyStopping\.monitor "val_acuracy" is not among the metrics fit logs: .*\. Did you mean "val_accuracy"\?/);
  } finally {
    tf.dispose([data.xs, data.ys]);
  }
});
