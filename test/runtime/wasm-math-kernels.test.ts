import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { maxElementError, randArray, rng, runOn } from './kernel-test-utils.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

test('wasm BatchMatMul equals the cpu kernel for every transpose, batch broadcast and odd sizes', async () => {
  await initBackend('wasm');
  const r = rng(5);
  // [batchA, batchB, m, k, n]: the dense-layer gradients of the reference CNN, column remainders, batches
  const cases: [number[], number[], number, number, number][] = [
    [[1], [1], 32, 8192, 4],
    [[1], [1], 8192, 32, 4],
    [[], [], 7, 5, 3],
    [[], [], 5, 9, 21],
    [[3], [3], 4, 6, 17],
    [[2, 3], [1], 5, 4, 8],
    [[1], [4], 3, 7, 2],
    [[2], [2], 1, 1, 1],
  ];
  for (const [ba, bb, m, k, n] of cases)
    for (const transposeA of [false, true])
      for (const transposeB of [false, true]) {
        const aShape = [...ba, ...(transposeA ? [k, m] : [m, k])];
        const bShape = [...bb, ...(transposeB ? [n, k] : [k, n])];
        if (aShape.length !== bShape.length && ba.length && bb.length) continue;
        const inputs = { a: [randArray(size(aShape), r), aShape] as [Float32Array, number[]], b: [randArray(size(bShape), r), bShape] as [Float32Array, number[]] };
        const what = `BatchMatMul ${JSON.stringify({ aShape, bShape, transposeA, transposeB })}`;
        const got = await runOn('wasm', 'BatchMatMul', inputs, { transposeA, transposeB });
        const want = await runOn('cpu', 'BatchMatMul', inputs, { transposeA, transposeB });
        assert.deepEqual(got.shape, want.shape, what);
        assert.equal(got.leaked, 0, `${what} leaked tensors`);
        // sums of up to 8192 products taken in another order: float32 rounding alone differs by ~2e-5
        assert.ok(maxElementError(got.data, want.data) <= 1e-4, `${what}: max element-wise error ${maxElementError(got.data, want.data)}`);
      }
  await tf.setBackend('wasm');
});

test('wasm Add equals the cpu kernel for bias vectors along the last axis and other broadcasts', async () => {
  await initBackend('wasm');
  const r = rng(9);
  const pairs: [number[], number[]][] = [
    [[32, 6, 5, 16], [16]],
    [[16], [4, 3, 16]],
    [[7, 5], [1, 5]],
    [[2, 3, 3], [1, 1, 3]],
    [[4, 6], [4, 6]],
    [[4, 6], [4, 1]],
    [[4, 6], []],
    [[3, 1], [1]],
  ];
  for (const [as, bs] of pairs) {
    const inputs = { a: [randArray(size(as), r), as] as [Float32Array, number[]], b: [randArray(size(bs), r), bs] as [Float32Array, number[]] };
    const got = await runOn('wasm', 'Add', inputs, {});
    const want = await runOn('cpu', 'Add', inputs, {});
    assert.deepEqual(got.shape, want.shape, `Add ${as} + ${bs}`);
    assert.equal(got.leaked, 0);
    assert.ok(maxElementError(got.data, want.data) <= 1e-6, `Add ${as} + ${bs}`);
  }
  await tf.setBackend('wasm');
});

test('wasm Identity shares the data and outlives its input', async () => {
  await initBackend('wasm');
  const before = tf.memory().numDataBuffers;
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.clone(x);
  assert.equal(tf.memory().numDataBuffers, before + 1, 'no copy: one buffer for both tensors');
  x.dispose();
  assert.deepEqual(await y.data(), Float32Array.from([1, 2, 3, 4]));
  y.dispose();
  assert.equal(tf.memory().numDataBuffers, before);
  const s = tf.clone(tf.tensor1d(['a', 'b'], 'string'));
  assert.deepEqual(await s.data(), ['a', 'b']);
});

test('the gradient of relu on wasm equals cpu, NaN and zero included, and stays tfjs\'s own elsewhere', async () => {
  const x = Float32Array.from([-2, -0, 0, 1e-30, 3, NaN, 0.5, -1, 2]);
  const dy = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, Infinity]);
  const grads: Record<string, Float32Array> = {};
  for (const backend of ['wasm', 'cpu']) {
    await initBackend(backend as 'wasm' | 'cpu');
    const xt = tf.tensor1d(x);
    const dyt = tf.tensor1d(dy);
    const g = tf.grad((v: tf.Tensor) => tf.relu(v))(xt, dyt);
    grads[backend] = (await g.data()) as Float32Array;
    tf.dispose([xt, dyt, g]);
  }
  assert.deepEqual([...grads.wasm], [...grads.cpu]);
  assert.deepEqual([...grads.cpu].map((v) => (Number.isNaN(v) ? 'NaN' : v)), [0, 0, 0, 4, 5, 'NaN', 7, 0, Infinity]);
  await initBackend('wasm');
});
