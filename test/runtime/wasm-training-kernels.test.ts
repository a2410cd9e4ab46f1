import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { assertTrainsLikeCpu, convGradCases, maxElementError, randArray, rng, runOn } from './kernel-test-utils.js';

test('wasm Conv2DBackpropFilter and Conv2DBackpropInput equal the cpu kernels', async () => {
  await initBackend('wasm');
  const r = rng(42);
  let worst = 0;
  for (const c of convGradCases()) {
    const info = tf.backend_util.computeConv2DInfo([c.b, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, 1, c.pad);
    const x: [Float32Array, number[]] = [randArray(c.b * c.h * c.w * c.ci, r), [c.b, c.h, c.w, c.ci]];
    const dyShape = [c.b, info.outHeight, info.outWidth, c.co];
    const dy: [Float32Array, number[]] = [randArray(dyShape.reduce((p, q) => p * q), r), dyShape];
    const filter: [Float32Array, number[]] = [randArray(c.k * c.k * c.ci * c.co, r), [c.k, c.k, c.ci, c.co]];
    const fAttrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.ci, c.co] };
    const iAttrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.b, c.h, c.w, c.ci] };
    for (const [name, inputs, attrs] of [
      ['Conv2DBackpropFilter', { x, dy }, fAttrs],
      ['Conv2DBackpropInput', { dy, filter }, iAttrs],
    ] as const) {
      const got = await runOn('wasm', name, inputs, attrs);
      const want = await runOn('cpu', name, inputs, attrs);
      assert.deepEqual(got.shape, want.shape, `${name} shape for ${JSON.stringify(c)}`);
      assert.equal(got.leaked, 0, `${name} ${JSON.stringify(c)} leaked tensors`);
      const err = maxElementError(got.data, want.data);
      worst = Math.max(worst, err);
      assert.ok(err <= 1e-4, `${name} ${JSON.stringify(c)}: max element-wise error ${err}`);
    }
  }
  assert.ok(worst < 1e-4);
  await tf.setBackend('wasm');
});

test('wasm MaxPoolGrad equals the cpu kernel, ties included', async () => {
  await initBackend('wasm');
  const r = rng(3);
  const pools: { f: [number, number]; s: [number, number]; pad: 'same' | 'valid' }[] = [
    { f: [2, 2], s: [2, 2], pad: 'valid' },
    { f: [3, 3], s: [3, 3], pad: 'valid' },
    { f: [2, 3], s: [2, 3], pad: 'valid' },
    { f: [2, 2], s: [2, 2], pad: 'same' },
    { f: [3, 3], s: [2, 2], pad: 'valid' }, // overlapping windows add up
    { f: [3, 3], s: [2, 2], pad: 'same' },
    { f: [3, 2], s: [1, 1], pad: 'same' },
  ];
  // channels: the scalar path (1, 3), SIMD + scalar (5), SIMD only (8)
  for (const [b, h, w, c] of [[2, 8, 12, 3], [3, 7, 9, 5], [1, 6, 6, 1], [2, 5, 7, 8]])
    for (const p of pools) {
      // few distinct values, so that windows hold ties (flat image regions do)
      const x = Float32Array.from({ length: b * h * w * c }, () => Math.round(r() * 3));
      await tf.setBackend('cpu');
      const xt = tf.tensor4d(x, [b, h, w, c]);
      const y = tf.maxPool(xt, p.f, p.s, p.pad);
      const yData = (await y.data()) as Float32Array;
      const yShape = y.shape;
      tf.dispose([xt, y]);
      const dy: [Float32Array, number[]] = [randArray(yData.length, r), yShape];
      const inputs = { dy, input: [x, [b, h, w, c]] as [Float32Array, number[]], output: [yData, yShape] as [Float32Array, number[]] };
      const attrs = { filterSize: p.f, strides: p.s, pad: p.pad };
      const got = await runOn('wasm', 'MaxPoolGrad', inputs, attrs);
      const want = await runOn('cpu', 'MaxPoolGrad', inputs, attrs);
      assert.deepEqual(got.shape, want.shape);
      const err = maxElementError(got.data, want.data);
      assert.ok(err <= 1e-6, `MaxPoolGrad ${JSON.stringify({ b, h, w, c, ...p })}: max element-wise error ${err}`);
    }
  await tf.setBackend('wasm');
});

test('wasm Sum equals the cpu kernel over leading axes (the fast path) and any other axes', async () => {
  await initBackend('wasm');
  const r = rng(11);
  const shapes = [[32, 6, 5, 16], [3, 4, 7, 5], [7, 3], [2, 3, 4, 1]];
  for (const shape of shapes)
    for (const axis of [[0], [0, 1], [0, 1, 2], [1, 0], [1], [shape.length - 1], [0, 2], [-1]])
      for (const keepDims of [false, true]) {
        if (axis.some((a) => a >= shape.length)) continue;
        const x: [Float32Array, number[]] = [randArray(shape.reduce((p, q) => p * q), r), shape];
        const got = await runOn('wasm', 'Sum', { x }, { axis, keepDims });
        const want = await runOn('cpu', 'Sum', { x }, { axis, keepDims });
        const what = `Sum ${JSON.stringify({ shape, axis, keepDims })}`;
        assert.deepEqual(got.shape, want.shape, what);
        assert.equal(got.leaked, 0, `${what} leaked tensors`);
        assert.ok(maxElementError(got.data, want.data) <= 1e-5, `${what}: max element-wise error ${maxElementError(got.data, want.data)}`);
      }
  await tf.setBackend('wasm');
});

test('unsupported attributes raise a clear error', async () => {
  await initBackend('wasm');
  const x = tf.zeros([1, 4, 4, 2]);
  const dy = tf.zeros([1, 4, 4, 3]);
  assert.throws(
    () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] } as any),
    /dataFormat NCHW is not supported; use channelsLast/,
  );
  tf.dispose([x, dy]);
});

function smallCnn(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 10, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'glorotUniform' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}

test('a small CNN trains to the same losses and weight updates on wasm and cpu from identical weights', async () => {
  await assertTrainsLikeCpu(smallCnn, initBackend);
});

test('200 training steps on wasm leave no tensors behind', async () => {
  await initBackend('wasm');
  const model = smallCnn();
  const x = tf.randomUniform([8, 12, 10, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32'), 3);
  await model.trainOnBatch(x, y);
  const after1 = tf.memory().numTensors;
  for (let i = 0; i < 200; i++) await model.trainOnBatch(x, y);
  assert.equal(tf.memory().numTensors, after1);
  tf.dispose([x, y]);
  model.dispose();
});
