/**
 * The relaxed-SIMD build of the kernels (fused multiply-add), which Node >= 22 runs by default. Node 20
 * has relaxed SIMD behind a V8 flag, set here before the kernels are compiled, so this file checks that
 * build on any Node: the same sweep against the cpu backend as the baseline build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const { initBackend } = await import('../../src/runtime/backend.js');
const { kernelsBuild } = await import('../../src/runtime/simd/training-kernels.js');
const { assertTrainsLikeCpu, convGradCases, maxElementError, randArray, rng, runOn } = await import('./kernel-test-utils.js');

test('the relaxed-SIMD kernels equal the cpu kernels and train like cpu', async () => {
  await initBackend('wasm');
  assert.equal(kernelsBuild(), 'relaxed');
  const r = rng(4);
  for (const c of convGradCases()) {
    const info = tf.backend_util.computeConv2DInfo([c.b, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, 1, c.pad);
    const dyShape = [c.b, info.outHeight, info.outWidth, c.co];
    const inputs = {
      x: [randArray(c.b * c.h * c.w * c.ci, r), [c.b, c.h, c.w, c.ci]] as [Float32Array, number[]],
      dy: [randArray(dyShape.reduce((p, q) => p * q), r), dyShape] as [Float32Array, number[]],
    };
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.ci, c.co] };
    const got = await runOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    const want = await runOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    assert.ok(maxElementError(got.data, want.data) <= 1e-4, `Conv2DBackpropFilter ${JSON.stringify(c)}`);
  }
  for (const [m, k, n] of [[32, 8192, 4], [7, 5, 21], [13, 3, 12]]) {
    const inputs = { a: [randArray(k * m, r), [1, k, m]] as [Float32Array, number[]], b: [randArray(k * n, r), [1, k, n]] as [Float32Array, number[]] };
    const got = await runOn('wasm', 'BatchMatMul', inputs, { transposeA: true, transposeB: false });
    const want = await runOn('cpu', 'BatchMatMul', inputs, { transposeA: true, transposeB: false });
    assert.ok(maxElementError(got.data, want.data) <= 1e-5, `BatchMatMul ${m}x${k}x${n}`);
  }
  await assertTrainsLikeCpu(() => {
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [12, 10, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    return model;
  }, initBackend);
});
