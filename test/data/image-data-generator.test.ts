import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { DataConfigError } from '../../src/data/errors.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { captureConsole, classLevel, makeClassFolder, removeDir, tempDir } from './helpers.js';

await initBackend();

test('bad options are rejected with the option name and what is allowed', () => {
  const bad: Array<[object, RegExp]> = [
    [{ brightnessRange: [0.5] }, /"brightnessRange" must be \[lo, hi\]/],
    [{ fillMode: 'mirror' }, /Unknown fillMode "mirror". Use one of: constant, nearest, reflect, wrap/],
    [{ validationSplit: 1 }, /"validationSplit" must be a number in \(0, 1\)/],
    [{ rotationRange: -5 }, /"rotationRange" must be a number >= 0/],
    [{ zoomRange: [0, 1] }, /"zoomRange"/],
    [{ zoomRange: 1.5 }, /zoom factor <= 0/],
    [{ widthShiftRange: ['a'] }, /"widthShiftRange"/],
    [{ rescale: '1/255' }, /"rescale" must be a number/],
    [{ dtype: 'uint8' }, /"dtype" must be 'float32' or 'int32'/],
    [{ preprocessingFunction: 3 }, /"preprocessingFunction" must be a function/],
  ];
  for (const [o, re] of bad) assert.throws(() => new ImageDataGenerator(o as never), (e: Error) => e instanceof DataConfigError && re.test(e.message), JSON.stringify(o));
  const g = new ImageDataGenerator({ zoomRange: 0.2, samplewiseStdNormalization: true, featurewiseStdNormalization: true });
  assert.deepEqual(g.augment.zoomRange.map((v) => +v.toFixed(6)), [0.8, 1.2]);
  assert.ok(g.samplewiseCenter && g.featurewiseCenter, 'std normalisation implies centring, as in Keras');
});

test('standardize: preprocessingFunction, then rescale, then samplewise centring and scaling', () => {
  const x = tf.tensor3d([100, 0, 50, 250], [2, 2, 1]);
  const g = new ImageDataGenerator({ preprocessingFunction: (im) => im.add(10), rescale: 0.5 });
  assert.deepEqual(Array.from(g.standardize(x).dataSync()), [55, 5, 30, 130]);
  const s = new ImageDataGenerator({ samplewiseCenter: true, samplewiseStdNormalization: true }).standardize(x);
  const d = Array.from(s.dataSync());
  const mean = d.reduce((a, b) => a + b) / 4;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
  assert.ok(Math.abs(mean) < 1e-5 && Math.abs(std - 1) < 1e-4, `${mean} ${std}`);
  assert.throws(() => new ImageDataGenerator({ preprocessingFunction: () => tf.zeros([1, 1, 1]) as tf.Tensor3D }).standardize(x), /must return a tensor of shape \[2, 2, 1\]/);
  tf.dispose([x, s]);
});

test('fit() on a tensor computes per-channel mean and std after rescale; featurewise normalisation uses them', async () => {
  // Channel 0 is 0 or 100; channel 1 is always 40.
  const x = tf.tensor4d([0, 40, 100, 40, 0, 40, 100, 40], [2, 2, 1, 2]);
  const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 0.1 });
  const warned = await captureConsole(() => g.standardize(tf.tensor3d([1, 2], [1, 1, 2])));
  assert.match(warned.warnings[0], /fit\(\) was never called/);
  await g.fit(x);
  assert.deepEqual(Array.from(g.mean!), [5, 4]);
  assert.deepEqual(Array.from(g.std!).map((v) => +v.toFixed(5)), [5, 0]);
  const y = g.standardize(tf.tensor3d([100, 40], [1, 1, 2]));
  const [a, b] = Array.from(y.dataSync());
  assert.ok(Math.abs(a - 1) < 1e-5, `(10 - 5) / 5 = 1, got ${a}`);
  assert.ok(Math.abs(b) < 1e-5);
  const rank3 = tf.zeros([2, 2, 2]);
  await assert.rejects(g.fit(rank3 as never), /rank-4 tensor/);
  tf.dispose([x, y, warned.result, rank3]);
});

test('fit() streams a folder (or an iterator), and the iterator then yields featurewise-normalised batches', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 2, b: 2 }); // levels 30 and 90
  const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
  await g.fit(root, { targetSize: [4, 4] });
  assert.deepEqual(Array.from(g.mean!).map((v) => +v.toFixed(3)), [60, 60, 60]);
  assert.deepEqual(Array.from(g.std!).map((v) => +v.toFixed(3)), [30, 30, 30]);
  const it = g.flowFromDirectory(root, { targetSize: [4, 4], batchSize: 4, verbose: false });
  const b = await it.getBatch(0);
  const vals = [...new Set(Array.from(await b.xs.data()).map((v) => +v.toFixed(4)))].sort();
  assert.deepEqual(vals, [-1, 1]);
  tf.dispose(b as unknown as tf.TensorContainer);
  const g2 = new ImageDataGenerator({ featurewiseCenter: true, rotationRange: 30 });
  await g2.fit(it, { augment: true, rounds: 2, seed: 1 });
  assert.ok(Math.abs(g2.mean![0] - 60) < 1e-3, 'flat images keep their mean under rotation with nearest fill');
});

test('applyTransform and randomTransform work on tensors', () => {
  const g = new ImageDataGenerator({ horizontalFlip: true, verticalFlip: true });
  const x = tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
  const flipped = g.applyTransform(x, { flipHorizontal: true, flipVertical: true });
  assert.deepEqual(Array.from(flipped.dataSync()), [4, 3, 2, 1]);
  const r = g.randomTransform(x, 5);
  assert.deepEqual(Array.from(r.dataSync()).sort(), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(g.randomTransform(x, 5).dataSync()), Array.from(r.dataSync()));
  tf.dispose([x, flipped, r]);
});

test('brightness and channel shift on a real folder keep values in range and change them per epoch', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 2, b: 2 });
  const g = new ImageDataGenerator({ brightnessRange: [0.5, 1.5], rescale: 1 / 255 });
  const it = g.flowFromDirectory(root, { targetSize: [4, 4], batchSize: 4, shuffle: false, seed: 9, verbose: false });
  const e0 = await it.getBatch(0);
  it.onEpochEnd();
  const e1 = await it.getBatch(0);
  const v0 = Array.from(await e0.xs.data());
  const v1 = Array.from(await e1.xs.data());
  assert.ok(v0.every((v) => v >= 0 && v <= 1));
  assert.notDeepEqual(v0, v1);
  // Each image stays flat (brightness is global), at level * factor.
  const first = v0.slice(0, 48);
  assert.ok(first.every((v) => v === first[0]));
  const factor = (first[0] * 255) / classLevel(0);
  assert.ok(factor >= 0.49 && factor <= 1.51, `factor ${factor}`);
  tf.dispose([e0.xs, e0.ys!, e1.xs, e1.ys!]);
});
