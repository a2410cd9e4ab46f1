import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { makeClassFolder, removeDir, tempDir } from './helpers.js';

await initBackend();

/** CONTRACTS.md's TrainData: `npx tsc --noEmit` checks that our iterator and datasets fit it. */
type TrainData =
  | { xs: tf.Tensor; ys: tf.Tensor }
  | tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>
  | { toDataset(): tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }> };

test('model.fitDataset trains a tiny CNN from flowFromDirectory on wasm (categorical, sparse and binary labels)', async (t) => {
  assert.equal(tf.getBackend(), 'wasm');
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { cats: 12, dogs: 12 }, { ext: 'jpg' });
  const gen = new ImageDataGenerator({ rescale: 1 / 255, horizontalFlip: true, rotationRange: 10, validationSplit: 0.25 });
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  for (const [classMode, loss, units, activation] of [
    ['categorical', 'categoricalCrossentropy', 2, 'softmax'],
    ['sparse', 'sparseCategoricalCrossentropy', 2, 'softmax'],
    ['binary', 'binaryCrossentropy', 1, 'sigmoid'],
  ] as const) {
    const opts = { targetSize: [8, 8] as [number, number], batchSize: 6, seed: 1, classMode, verbose: false };
    const train = gen.flowFromDirectory(root, { ...opts, subset: 'training' });
    const val = gen.flowFromDirectory(root, { ...opts, subset: 'validation', shuffle: false });
    const asTrainData: TrainData[] = [train, val.toDataset()];
    assert.equal(asTrainData.length, 2);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: train.imageShape, filters: 4, kernelSize: 3, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss, metrics: ['accuracy'] });
    const h = await model.fitDataset(train.toDataset(), { epochs: 12, validationData: val.toDataset(), verbose: 0 });
    const losses = h.history.loss as number[];
    const valAcc = h.history.val_acc as number[];
    assert.ok(losses[losses.length - 1] < losses[0], `${classMode}: loss falls ${losses}`);
    assert.ok(valAcc[valAcc.length - 1] >= 0.99, `${classMode}: separable classes are learned, val acc ${valAcc}`);
    assert.equal(train.epoch, 12, 'each fitDataset epoch is one pass of the iterator');
    model.dispose();
    optimizer.dispose();
    // tfjs keeps one tensor cached after the first training; after that, nothing may accumulate.
    counts.push(tf.memory().numTensors - before);
  }
  assert.ok(counts[0] <= 1 && counts.every((c) => c === counts[0]), `no tensors leak through fitDataset: ${counts}`);
});
