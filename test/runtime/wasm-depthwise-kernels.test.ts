import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { assertTrainsLikeCpu, maxElementError, randArray, rng, runOn } from './kernel-test-utils.js';
import { registerWasmDepthwiseKernels } from '../../src/runtime/wasm-depthwise-kernels.js';
import { registerWasmConvFixes } from '../../src/runtime/wasm-conv-fixes.js';

before(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmDepthwiseKernels();
  registerWasmDepthwiseKernels(); // idempotent
  registerWasmConvFixes();
  await initBackend('wasm');
});

type Case = { b: number; h: number; w: number; c: number; m: number; k: number; s: number; pad: 'same' | 'valid' };

// Strides 1 and 2, same/valid, kernels 1/3/5/7, multipliers 1 and 2, batch 1..64, channels 1..64, non-square.
function cases(): Case[] {
  const shapes = [
    { b: 1, h: 9, w: 7, c: 1 },
    { b: 2, h: 8, w: 13, c: 3 },
    { b: 5, h: 12, w: 10, c: 16 },
    { b: 64, h: 7, w: 9, c: 2 },
    { b: 3, h: 10, w: 6, c: 64 },
  ];
  const out: Case[] = [];
  shapes.forEach((sh, n) => {
    for (const k of [1, 3, 5, 7])
      for (const s of [1, 2])
        for (const pad of ['same', 'valid'] as const) {
          if (pad === 'valid' && (k > sh.h || k > sh.w)) continue;
          out.push({ ...sh, k, s, pad, m: (n + k + s) % 2 === 0 ? 1 : 2 });
        }
  });
  return out;
}

type Extra = { explicit?: tf.backend_util.ExplicitPadding; kw?: number; sw?: number };

async function compare(c: Case & Extra, r: () => number) {
  const pad = c.explicit ?? c.pad;
  const strides: [number, number] = [c.s, c.sw ?? c.s];
  const xShape = [c.b, c.h, c.w, c.c];
  const fShape = [c.k, c.kw ?? c.k, c.c, c.m];
  const info = tf.backend_util.computeConv2DInfo(xShape as any, fShape as any, strides, 1, pad, undefined, true);
  const dyShape = [c.b, info.outHeight, info.outWidth, c.c * c.m];
  const x: [Float32Array, number[]] = [randArray(c.b * c.h * c.w * c.c, r), xShape];
  const dy: [Float32Array, number[]] = [randArray(dyShape.reduce((p, q) => p * q), r), dyShape];
  const filter: [Float32Array, number[]] = [randArray(fShape.reduce((p, q) => p * q), r), fShape];
  const fAttrs = { strides, pad, dilations: 1, filterShape: fShape };
  const iAttrs = { strides, pad, dilations: 1, inputShape: xShape };
  for (const [name, inputs, attrs] of [
    ['DepthwiseConv2dNativeBackpropFilter', { x, dy }, fAttrs],
    ['DepthwiseConv2dNativeBackpropInput', { dy, filter }, iAttrs],
  ] as const) {
    const got = await runOn('wasm', name, inputs, attrs);
    const want = await runOn('cpu', name, inputs, attrs);
    const label = `${name} ${JSON.stringify(c)}`;
    assert.deepEqual(got.shape, want.shape, `${label}: shape`);
    assert.equal(got.leaked, 0, `${label}: leaked tensors`);
    const err = maxElementError(got.data, want.data);
    assert.ok(err <= 1e-4, `${label}: max element-wise error ${err}`);
  }
}

test('wasm depthwise gradient kernels equal the cpu kernels over strides, paddings, kernels, multipliers', async () => {
  const r = rng(11);
  const all = cases();
  assert.ok(all.length >= 60);
  for (const c of all) await compare(c, r);
  await tf.setBackend('wasm');
});

test('stride 3, unequal strides, non-square kernels and explicit padding', async () => {
  const r = rng(5);
  await compare({ b: 2, h: 11, w: 9, c: 4, m: 3, k: 3, s: 3, pad: 'same' }, r);
  await compare({ b: 2, h: 10, w: 9, c: 4, m: 1, k: 2, s: 3, pad: 'same' }, r); // kernel smaller than stride
  await compare({ b: 2, h: 9, w: 11, c: 3, m: 2, k: 3, s: 2, pad: 'valid', explicit: [[0, 0], [1, 2], [0, 1], [0, 0]] }, r);
  await compare({ b: 1, h: 6, w: 6, c: 2, m: 1, k: 3, s: 1, pad: 'valid', explicit: [[0, 0], [2, 0], [0, 2], [0, 0]] }, r);
  await compare({ b: 3, h: 10, w: 11, c: 5, m: 2, k: 3, kw: 5, s: 1, sw: 2, pad: 'same' }, r);
  await compare({ b: 2, h: 12, w: 7, c: 3, m: 1, k: 4, kw: 1, s: 3, sw: 1, pad: 'valid' }, r);
  await compare({ b: 4, h: 8, w: 9, c: 6, m: 3, k: 2, kw: 3, s: 4, sw: 3, pad: 'same' }, r);
  await tf.setBackend('wasm');
});

test('unsupported attributes raise a clear error naming the kernel', async () => {
  await tf.setBackend('wasm');
  const x = tf.zeros([1, 6, 6, 2]);
  const dy = tf.zeros([1, 6, 6, 2]);
  const filter = tf.zeros([3, 3, 2, 1]);
  assert.throws(
    () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dilations: 2, filterShape: [3, 3, 2, 1] } as any),
    /DepthwiseConv2dNativeBackpropFilter \(wasm, tfjs-tuner\): dilation rate 2x2 is not supported for training; use dilationRate 1/,
  );
  assert.throws(
    () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: 1, pad: 'same', dilations: [1, 2], inputShape: [1, 6, 6, 2] } as any),
    /DepthwiseConv2dNativeBackpropInput \(wasm, tfjs-tuner\): dilation rate 1x2 is not supported/,
  );
  assert.throws(
    () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: 1, pad: 'same', dilations: 1, dataFormat: 'NCHW', inputShape: [1, 6, 6, 2] } as any),
    /dataFormat NCHW is not supported; use channelsLast \(NHWC\)/,
  );
  tf.dispose([x, dy, filter]);
});

function separableModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.depthwiseConv2d({ inputShape: [12, 10, 3], kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }),
      tf.layers.separableConv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.separableConv2d({ filters: 4, kernelSize: 5, depthMultiplier: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}

test('a model with depthwiseConv2d and separableConv2d layers trains to the same losses on wasm and cpu', async () => {
  await assertTrainsLikeCpu(separableModel, (name) => tf.setBackend(name));
  // and further steps on wasm leave no tensors behind
  const model = separableModel();
  const x = tf.randomUniform([8, 12, 10, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32'), 3);
  await model.trainOnBatch(x, y);
  const after1 = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) await model.trainOnBatch(x, y);
  assert.equal(tf.memory().numTensors, after1, 'training steps leave no tensors behind');
  tf.dispose([x, y]);
  model.dispose();
});
