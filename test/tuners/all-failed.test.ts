import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RandomSearch } from '../../src/tuners/builtin-tuners.js';
import type { HyperParameters } from '../../src/tuners/hyperparameters.js';

const root = mkdtempSync(join(tmpdir(), 'tfjs-tuner-all-failed-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('search() throws with the first trial\'s cause when every trial failed (a model whose output does not match the labels)', async () => {
  await tf.setBackend('cpu');
  const xs = tf.randomUniform([8, 4], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).asType('float32');
  // categorical labels with one sigmoid unit: "logits and labels must have the same shape"-like failures
  const hypermodel = (hp: HyperParameters) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: hp.choice('u', [1, 1]) as number, inputShape: [4], activation: 'sigmoid' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const tuner = new RandomSearch({ hypermodel, maxTrials: 2, maxConsecutiveFailedTrials: 5, objective: 'loss', seed: 1, directory: root, projectName: 'p', verbose: 0 });
  await assert.rejects(tuner.search({ xs, ys }, { epochs: 1 }), (err: Error) => {
    assert.match(err.message, /No trial completed in .*p: all \d+ failed\. Trial \S+ (FAILED|INVALID): .+\. Failed trials are not retried .*overwrite: true/);
    return true;
  });
  // running it again says the same, instead of returning with nothing
  const again = new RandomSearch({ hypermodel, maxTrials: 2, maxConsecutiveFailedTrials: 5, objective: 'loss', seed: 1, directory: root, projectName: 'p', verbose: 0 });
  await assert.rejects(again.search({ xs, ys }, { epochs: 1 }), /No trial completed/);
  tf.dispose([xs, ys]);
});
