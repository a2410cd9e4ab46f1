import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { rng } from './kernel-test-utils.js';

/** GatherV2 of the same inputs on one backend: values, shape, dtype and tensors left behind. */
async function gatherOn(backend: string, x: { data: number[]; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }, indices: { data: number[]; shape: number[] }, axis: number, batchDims = 0) {
  await tf.setBackend(backend);
  const xt = tf.tensor(x.data, x.shape, x.dtype);
  const it = tf.tensor(indices.data, indices.shape, 'int32');
  const before = tf.memory().numTensors;
  const out = tf.gather(xt, it, axis, batchDims);
  const leaked = tf.memory().numTensors - before - 1;
  const got = { data: Array.from(await out.data()), shape: out.shape, dtype: out.dtype, leaked };
  tf.dispose([xt, it, out]);
  return got;
}

test('wasm GatherV2 equals the cpu kernel on every axis, index shape and dtype, repeats and empty cases included', async () => {
  await initBackend('wasm');
  const r = rng(11);
  // [x shape, indices shape, axis]: batches out of a dataset (axis 0, rows of 2,352 and 12,288 values),
  // inner axes, the last axis (blocks of one value), a negative axis, nested indices, empty gathers
  const cases: Array<[number[], number[], number]> = [
    [[50, 28, 28, 3], [32], 0],
    [[20, 64, 64, 3], [16], 0],
    [[6, 5, 4], [7], 1],
    [[6, 5, 4], [3], 2],
    [[6, 5, 4], [2, 3], -1],
    [[9], [4, 2], 0],
    [[4, 3, 40], [5], 1],
    [[5, 3], [0], 0],
    [[0, 3], [0], 0],
  ];
  for (const [shape, ishape, axis] of cases) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Array.from({ length: n }, () => (dtype === 'float32' ? r() : dtype === 'int32' ? Math.round(r() * 1e6) : r() > 0 ? 1 : 0));
      const dim = shape[axis < 0 ? shape.length + axis : axis];
      const ilen = ishape.reduce((a, b) => a * b, 1);
      const idx = Array.from({ length: ilen }, (_, i) => (i * 7 + 3) % Math.max(dim, 1)); // with repeats where ilen > dim
      const what = `gather ${JSON.stringify({ shape, ishape, axis, dtype })}`;
      const got = await gatherOn('wasm', { data, shape, dtype }, { data: idx, shape: ishape }, axis);
      const want = await gatherOn('cpu', { data, shape, dtype }, { data: idx, shape: ishape }, axis);
      assert.deepEqual(got, want, what);
      assert.equal(got.leaked, 0, `${what} left a tensor`);
    }
  }
  await tf.setBackend('wasm');
});

test('wasm GatherV2: an index out of range throws naming it, and batchDims > 0 gathers as on cpu (wasm\'s own kernel does not)', async () => {
  await initBackend('wasm');
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
  const before = tf.memory().numTensors;
  assert.throws(() => tf.gather(x, tf.tensor1d([0, 3], 'int32')), /GatherV2: the index value 3 is not in \[0, 2\] \(axis 0 of a tensor of shape \[3, 2\]\)/);
  assert.throws(() => tf.gather(x, tf.tensor1d([-1], 'int32')), /the index value -1 is not in \[0, 2\]/);
  const r = rng(3);
  const data = Array.from({ length: 2 * 4 * 3 }, r);
  const idx = [3, 0, 1, 1, 2, 0];
  const got = await gatherOn('wasm', { data, shape: [2, 4, 3], dtype: 'float32' }, { data: idx, shape: [2, 3] }, 1, 1);
  const want = await gatherOn('cpu', { data, shape: [2, 4, 3], dtype: 'float32' }, { data: idx, shape: [2, 3] }, 1, 1);
  assert.deepEqual(got, want);
  await tf.setBackend('wasm');
  x.dispose();
  assert.ok(tf.memory().numTensors <= before + 2, 'only the two index tensors of the refused calls remain');
});

test('model.fit on wasm with tensors trains on the gathered batches exactly as on cpu (shuffled, with validation)', async () => {
  await initBackend('wasm');
  const r = rng(5);
  const ys = Array.from({ length: 40 }, (_, i) => i % 3);
  // learnable: the channel of an image's class is brighter
  const xs = Array.from({ length: 40 * 6 * 6 * 3 }, (_, k) => r() + 0.5 + (k % 3 === ys[Math.floor(k / 108)] ? 0.5 : 0));
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const model = tf.sequential({ layers: [
      tf.layers.flatten({ inputShape: [6, 6, 3] }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    ] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor4d(xs, [40, 6, 6, 3]);
    const y = tf.tensor1d(ys);
    const vx = x.slice(0, 10);
    const vy = y.slice(0, 10);
    // tfjs shuffles with Math.random: the same stream on both backends
    const random = Math.random;
    let s = 42;
    Math.random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    try {
      const h = await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: true, validationData: [vx, vy], verbose: 0 });
      return { loss: h.history.loss as number[], valLoss: h.history.val_loss as number[] };
    } finally {
      Math.random = random;
      tf.dispose([x, y, vx, vy]);
      model.dispose();
    }
  };
  const wasm = await run('wasm');
  const cpu = await run('cpu');
  for (const k of ['loss', 'valLoss'] as const) {
    wasm[k].forEach((v, i) => assert.ok(Math.abs(v - cpu[k][i]) < 1e-4, `${k} epoch ${i}: wasm ${v}, cpu ${cpu[k][i]}`));
  }
  assert.ok(wasm.loss[2] < wasm.loss[0], `the loss goes down: ${wasm.loss}`);
  await tf.setBackend('wasm');
});
