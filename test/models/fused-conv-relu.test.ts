import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { CONV_RELU_KERNEL } from '../../src/runtime/wasm-conv-relu.js';
import { fuseConvReluWhileTraining } from '../../src/models/fused-conv-relu.js';

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];

/** Two Conv2D layers with the same weights, the second routed through the fused kernel. */
function pair(args: ConvArgs, inputShape: number[]) {
  const plain = tf.layers.conv2d(args);
  const fused = tf.layers.conv2d(args);
  fuseConvReluWhileTraining(fused);
  plain.build(inputShape);
  fused.build(inputShape);
  fused.setWeights(plain.getWeights());
  return { plain, fused };
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** Output, input gradient and weight gradients of sum(layer(x) * w), w a fixed random weighting. */
function outputsAndGradients(layer: tf.layers.Layer, x: tf.Tensor4D, w: tf.Tensor) {
  const y = layer.apply(x) as tf.Tensor;
  const loss = (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, w)) as tf.Scalar;
  const dx = tf.grad(loss)(x);
  const { grads } = tf.variableGrads(() => loss(x), layer.trainableWeights.map((v) => v.read() as tf.Variable));
  return { y, dx, dw: Object.values(grads) };
}

test('a fused Conv2D(relu) computes what tfjs computes, forward and every gradient, on wasm', async () => {
  await initBackend('wasm');
  const cases: Array<[ConvArgs, [number, number, number, number]]> = [
    [{ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }, [4, 16, 16, 3]],
    [{ filters: 5, kernelSize: 5, padding: 'valid', activation: 'relu' }, [2, 13, 11, 6]],
    [{ filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' }, [3, 9, 10, 4]],
    [{ filters: 16, kernelSize: 1, strides: [2, 1], padding: 'valid', activation: 'relu' }, [2, 8, 8, 8]],
  ];
  for (const [args, shape] of cases) {
    const what = JSON.stringify(args);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { plain, fused } = pair({ ...args, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2, stddev: 0.3 }) }, shape);
      const x = tf.randomNormal(shape, 0, 1, 'float32', 3) as tf.Tensor4D;
      const w = tf.randomNormal((plain.computeOutputShape(shape) as number[]), 0, 1, 'float32', 4);
      const a = outputsAndGradients(plain, x, w);
      const b = outputsAndGradients(fused, x, w);
      assert.deepEqual(b.y.shape, a.y.shape, what);
      assert.ok(maxDiff(a.y, b.y) < 1e-5, `${what}: output differs by ${maxDiff(a.y, b.y)}`);
      assert.ok(maxDiff(a.dx, b.dx) < 1e-4, `${what}: input gradient differs by ${maxDiff(a.dx, b.dx)}`);
      assert.equal(b.dw.length, 2, what);
      a.dw.forEach((g, i) => assert.ok(maxDiff(g, b.dw[i]) < 1e-3, `${what}: weight gradient ${i} differs by ${maxDiff(g, b.dw[i])}`));
      for (const v of [...plain.weights, ...fused.weights]) v.dispose();
    });
    assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
  }
});

test('while training, a fused Conv2D(relu) runs one kernel instead of Conv2D, Add and Relu', async () => {
  await initBackend('wasm');
  const model = tf.sequential();
  const conv = tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' });
  fuseConvReluWhileTraining(conv);
  model.add(conv);
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = tf.randomUniform([8, 12, 12, 3]);
  const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1]);
  await model.trainOnBatch(x, y);
  const before = tf.memory().numTensors;
  const info = await tf.profile(async () => { await model.trainOnBatch(x, y); });
  const names = info.kernels.map((k) => k.name);
  assert.ok(names.includes(CONV_RELU_KERNEL), `kernels: ${names.join(', ')}`);
  for (const unfused of ['Conv2D', 'Relu', 'Conv2DBackpropInput']) assert.ok(!names.includes(unfused), `${unfused} ran: ${names.join(', ')}`);
  assert.equal(tf.memory().numTensors, before, 'a training step leaked tensors');
  // the saved form is a plain Conv2D
  assert.equal((model.toJSON(null, false) as { config: { layers: Array<{ class_name: string }> } }).config.layers[0].class_name, 'Conv2D');
  model.dispose();
  tf.dispose([x, y]);
});

test('on a backend without the fused kernel, and for configurations it does not cover, the layer runs as tfjs', async () => {
  await initBackend('cpu');
  const { plain, fused } = pair({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }, [1, 6, 6, 2]);
  const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 6) as tf.Tensor4D;
  assert.equal(maxDiff(plain.apply(x) as tf.Tensor, fused.apply(x) as tf.Tensor), 0);
  await initBackend('wasm');
  // dilation 2 and a tanh activation keep tfjs's path (the kernel covers relu at dilation 1 only)
  for (const args of [{ dilationRate: 2 }, { activation: 'tanh' as const }]) {
    const p = pair({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', ...args, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }, [1, 6, 6, 2]);
    const info = await tf.profile(() => p.fused.apply(x) as tf.Tensor);
    assert.ok(!info.kernels.some((k) => k.name === CONV_RELU_KERNEL), JSON.stringify(args));
    assert.ok(maxDiff(p.plain.apply(x) as tf.Tensor, p.fused.apply(x) as tf.Tensor) < 1e-6, JSON.stringify(args));
  }
});
