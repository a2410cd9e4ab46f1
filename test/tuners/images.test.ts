import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { GridSearch } from '../../src/tuners/builtin-tuners.js';
import { InvalidTrialError } from '../../src/tuners/errors.js';
import { disposeModel } from '../../src/tuners/trial-runner.js';
import type { HyperParameters } from '../../src/tuners/hyperparameters.js';
import { SIZE, decodeFolder, writeImages } from './fixtures/stripes.js';

function cnn(hp: HyperParameters): tf.LayersModel {
  const pools = hp.int('num_pools', { min: 1, max: 4 });
  const filters = hp.fixed('filters', 4);
  const model = tf.sequential();
  let side = SIZE;
  model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [SIZE, SIZE, 3] }));
  for (let i = 0; i < pools; i++) {
    side = Math.floor(side / 2);
    if (side < 1) throw new InvalidTrialError(`${pools} pooling layers shrink an ${SIZE}x${SIZE} image below 1 pixel.`);
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

test('tunes a CNN on real PNG images from a DirectoryIterator-like source; impossible models are INVALID, not crashes', async () => {
  await initBackend();
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-images-'));
  try {
    await writeImages(join(root, 'train'), 12, 1);
    await writeImages(join(root, 'val'), 6, 2);
    const train = await decodeFolder(join(root, 'train'));
    const val = await decodeFolder(join(root, 'val'));
    const samples = { xs: tf.unstack(train.xs), ys: tf.unstack(train.ys) };
    let datasets = 0;
    // Structurally a DirectoryIterator: only toDataset() matters to the tuner.
    const iterator = {
      toDataset() {
        datasets++;
        return tf.data.zip({ xs: tf.data.array(samples.xs), ys: tf.data.array(samples.ys) })
          .shuffle(24, String(datasets)).batch(8) as unknown as tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>;
      },
    };
    // tfjs keeps a cached tensor after its first conv training: warm up with a 1-trial search first.
    await new GridSearch({ hypermodel: cnn, objective: 'val_accuracy', maxTrials: 1, directory: root, projectName: 'warm-up', verbose: 0 })
      .search(iterator, { validationData: val, epochs: 1 });
    datasets = 0;
    const tensorsBefore = tf.memory().numTensors;
    const tuner = new GridSearch({ hypermodel: cnn, objective: 'val_accuracy', maxTrials: 4, maxRetriesPerTrial: 3, maxConsecutiveFailedTrials: 1, directory: root, projectName: 'cnn', verbose: 0 });
    await tuner.search(iterator, { validationData: val, epochs: 3 });
    assert.equal(datasets, 3, 'one dataset per trial that trained');
    const trials = [...tuner.oracle.trials.values()];
    assert.deepEqual(trials.map((t) => [t.values.num_pools, t.status]), [[1, 'COMPLETED'], [2, 'COMPLETED'], [3, 'COMPLETED'], [4, 'INVALID']]);
    assert.match(trials[3].message!, /4 pooling layers shrink an 8x8 image below 1 pixel/);
    assert.equal(trials[3].failedAttempts, 0, 'an impossible model is not retried');
    const best = tuner.getBestTrials(1)[0];
    assert.ok(best.score! >= 0.75, `stripes are learnable (val_accuracy ${best.score})`);
    const [model] = await tuner.getBestModels(1);
    const [loss, acc] = model.evaluate(val.xs, val.ys) as tf.Scalar[];
    assert.ok(Math.abs(acc.dataSync()[0] - best.score!) < 1e-6);
    tf.dispose([loss, acc]);
    disposeModel(model);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaks');
    tf.dispose([train.xs, train.ys, val.xs, val.ys, ...samples.xs, ...samples.ys]);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
