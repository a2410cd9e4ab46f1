import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { fromProtoValue, hparamsFromEvents, readEventRun, readEventRunSync, scalarsFromEvents } from '../../src/tensorboard/event-reader.js';
import { tensorBoardCallback } from '../../src/tensorboard/callback.js';

before(async () => {
  await initBackend();
});

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tb-callback-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A tiny classifier and a fixed 2-class dataset: XOR-ish blobs in 3-D. */
function tinyProblem() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 6, activation: 'relu', inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const n = 48;
  const x: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.sin(i * 1.7);
    const b = Math.cos(i * 2.3);
    x.push(a, b, a * b);
    labels.push(a * b > 0 ? 1 : 0);
  }
  const xs = tf.tensor2d(x, [n, 3]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  return { model, xs, ys, dispose: () => { tf.dispose([xs, ys]); model.dispose(); } };
}

const scalarsOf = async (dir: string) => scalarsFromEvents((await readEventRun(dir)).flatMap((f) => f.events));

test('scalars written during a real fit match the History, Keras-named, per run, per epoch', async (t) => {
  const dir = await tempDir(t);
  const { model, xs, ys, dispose } = tinyProblem();
  t.after(dispose);
  const epochs = 4;
  const tb = tensorBoardCallback(dir);
  // Files are readable while training runs: after each epoch the train run already holds that epoch.
  const seenLive: number[][] = [];
  const checker = new tf.CustomCallback({
    onEpochEnd: async () => {
      const events = readEventRunSync(join(dir, 'train')).flatMap((f) => f.events);
      seenLive.push(scalarsFromEvents(events).get('epoch_loss')!.map((p) => p.step));
    },
  });
  const tensorsBefore = tf.memory().numTensors;
  const history = await model.fit(xs, ys, { epochs, batchSize: 16, validationSplit: 0.25, callbacks: [tb, checker], verbose: 0 });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the callback leaks no tensors');
  assert.deepEqual(seenLive, [[0], [0, 1], [0, 1, 2], [0, 1, 2, 3]]);

  assert.deepEqual((await readdir(dir)).sort(), ['train', 'validation'], 'no hparams session without hparams');
  const train = await scalarsOf(join(dir, 'train'));
  const validation = await scalarsOf(join(dir, 'validation'));
  assert.deepEqual([...train.keys()].sort(), ['epoch_accuracy', 'epoch_loss']);
  assert.deepEqual([...validation.keys()].sort(), ['epoch_accuracy', 'epoch_loss']);
  const expected: [Map<string, { step: number; value: number }[]>, string, string][] = [
    [train, 'epoch_loss', 'loss'],
    [train, 'epoch_accuracy', 'acc'],
    [validation, 'epoch_loss', 'val_loss'],
    [validation, 'epoch_accuracy', 'val_acc'],
  ];
  for (const [run, tag, key] of expected) {
    const logged = history.history[key] as number[];
    assert.equal(logged.length, epochs);
    assert.deepEqual(run.get(tag)!.map((p) => p.step), [0, 1, 2, 3], `${tag} steps`);
    assert.deepEqual(run.get(tag)!.map((p) => p.value), logged.map((v) => Math.fround(v)), `${key} -> ${tag}`);
  }
  const losses = train.get('epoch_loss')!.map((p) => p.value);
  assert.ok(losses[epochs - 1] < losses[0], 'the curve is a real training curve (loss went down)');
});

test('with hparams, the logdir is an hparams session: values at train begin, success at train end', async (t) => {
  const dir = await tempDir(t);
  const { model, xs, ys, dispose } = tinyProblem();
  t.after(dispose);
  const tb = tensorBoardCallback(dir, { hparams: { units: 6, optimizer: 'sgd', dropout: 0.25, batchnorm: false } });
  // A plain-object callback first makes tfjs wrap every callback in a CustomCallback (unbound calls).
  await model.fit(xs, ys, { epochs: 2, batchSize: 16, callbacks: [{ onEpochEnd: async () => {} }, tb] as never, verbose: 0 });

  const session = hparamsFromEvents((await readEventRun(dir)).flatMap((f) => f.events));
  const start = session.sessionStartInfo!;
  assert.deepEqual(
    Object.fromEntries(Object.entries(start.hparams).map(([k, v]) => [k, fromProtoValue(v)])),
    { units: 6, optimizer: 'sgd', dropout: 0.25, batchnorm: false },
  );
  assert.equal(start.hparams.batchnorm.kind, 'boolValue', 'false is kept as a bool, not dropped');
  assert.match(start.groupName, /^[0-9a-f]{64}$/, 'grouped by a hash of the values, like TensorBoard\'s Python API');
  const again = tensorBoardCallback(join(dir, 'repeat'), { hparams: { batchnorm: false, dropout: 0.25, optimizer: 'sgd', units: 6 } });
  await again.onTrainBegin();
  again.close();
  const repeat = hparamsFromEvents((await readEventRun(join(dir, 'repeat'))).flatMap((f) => f.events));
  assert.equal(repeat.sessionStartInfo?.groupName, start.groupName, 'the same values (any key order) share a group');
  assert.equal(session.sessionEndInfo?.status, 'STATUS_SUCCESS');
  assert.ok(session.sessionEndInfo!.endTimeSecs >= start.startTimeSecs);
  const train = await scalarsOf(join(dir, 'train'));
  assert.deepEqual(train.get('epoch_loss')!.map((p) => p.step), [0, 1]);
  assert.equal((await readdir(dir)).includes('validation'), false, 'no validation run without validation data');
});

test('a second fit with the same callback continues in new files; initialEpoch continues the steps', async (t) => {
  const dir = await tempDir(t);
  const { model, xs, ys, dispose } = tinyProblem();
  t.after(dispose);
  const tb = tensorBoardCallback(dir);
  await model.fit(xs, ys, { epochs: 2, batchSize: 16, callbacks: [tb], verbose: 0 });
  await model.fit(xs, ys, { epochs: 4, initialEpoch: 2, batchSize: 16, callbacks: [tb], verbose: 0 });
  const files = await readEventRun(join(dir, 'train'));
  assert.equal(files.length, 2);
  const steps = scalarsFromEvents(files.flatMap((f) => f.events)).get('epoch_loss')!.map((p) => p.step);
  assert.deepEqual(steps, [0, 1, 2, 3]);
});

test('a bad logdir is refused with a clear message', () => {
  assert.throws(() => tensorBoardCallback(''), /logdir must be a non-empty directory path/);
});
