import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { explicitPaddingForSame, registerWasmConvFixes } from '../../src/runtime/wasm-conv-fixes.js';

before(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmConvFixes();
  registerWasmConvFixes(); // idempotent
  await initBackend('wasm');
});

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((i + 1) * 12.9898 + seed) * 0.5);

type Kind = 'Conv2D' | 'FusedConv2D' | 'DepthwiseConv2dNative' | 'FusedDepthwiseConv2D';

function forward(kind: Kind, x: tf.Tensor4D, f: tf.Tensor4D, s: number | [number, number], pad: 'same' | 'valid'): tf.Tensor {
  const outChannels = f.shape[kind.includes('Depthwise') ? 2 : 3] * (kind.includes('Depthwise') ? f.shape[3] : 1);
  switch (kind) {
    case 'Conv2D':
      return tf.conv2d(x, f, s, pad);
    case 'FusedConv2D':
      return tf.fused.conv2d({ x, filter: f, strides: s, pad, bias: tf.linspace(-0.5, 0.5, outChannels), activation: 'relu' });
    case 'DepthwiseConv2dNative':
      return tf.depthwiseConv2d(x, f, s, pad);
    case 'FusedDepthwiseConv2D':
      return tf.fused.depthwiseConv2d({ x, filter: f, strides: s, pad, bias: tf.linspace(-0.5, 0.5, outChannels), activation: 'relu' });
  }
}

async function run(backend: string, kind: Kind, xShape: number[], fShape: number[], s: number | [number, number], pad: 'same' | 'valid') {
  await tf.setBackend(backend);
  const x = tf.tensor4d(values(xShape.reduce((a, b) => a * b), 1), xShape as any);
  const f = tf.tensor4d(values(fShape.reduce((a, b) => a * b), 2), fShape as any);
  const y = tf.tidy(() => forward(kind, x, f, s, pad));
  const out = { shape: y.shape, data: (await y.data()) as Float32Array };
  tf.dispose([x, f, y]);
  return out;
}

test('wasm forward convolutions equal the cpu backend for every same/valid shape, kernel and stride', async () => {
  let compared = 0;
  let fixed = 0;
  for (const kind of ['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'] as const)
    for (const h of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13])
      for (const k of [1, 2, 3, 4, 5])
        for (const s of [1, 2, 3, 4])
          for (const pad of ['same', 'valid'] as const) {
            const w = h + (s % 2) + 1; // non-square
            if (pad === 'valid' && k > h) continue;
            const depthwise = kind.includes('Depthwise');
            const xShape = [2, h, w, 3];
            const fShape = depthwise ? [k, k, 3, 2] : [k, k, 3, 4];
            if (explicitPaddingForSame(xShape as any, fShape as any, { strides: s, pad }, depthwise)) fixed++;
            const got = await run('wasm', kind, xShape, fShape, s, pad);
            const want = await run('cpu', kind, xShape, fShape, s, pad);
            const label = `${kind} x ${xShape} filter ${fShape} stride ${s} ${pad}`;
            assert.deepEqual(got.shape, want.shape, label);
            let diff = 0;
            for (let i = 0; i < got.data.length; i++) diff = Math.max(diff, Math.abs(got.data[i] - want.data[i]));
            assert.ok(diff <= 1e-4, `${label}: max abs diff ${diff}`);
            compared++;
          }
  assert.ok(compared > 1500, `${compared} cases`);
  assert.ok(fixed > 50, `${fixed} of them take the explicit-padding path`);
  await tf.setBackend('wasm');
});

test('the reported case: x [2,9,7,3], filter [2,2,3,5], stride 3, same', async () => {
  const got = await run('wasm', 'Conv2D', [2, 9, 7, 3], [2, 2, 3, 5], 3, 'same');
  const want = await run('cpu', 'Conv2D', [2, 9, 7, 3], [2, 2, 3, 5], 3, 'same');
  assert.deepEqual(got.shape, [2, 3, 3, 5]);
  assert.deepEqual(Array.from(got.data, (v) => v.toFixed(4)), Array.from(want.data, (v) => v.toFixed(4)));
  await tf.setBackend('wasm');
});

test('only the shapes XNNPACK gets wrong leave the fast path', () => {
  // total padding (out-1)*stride + kernel - in is negative only when the kernel is smaller than the stride
  assert.deepEqual(explicitPaddingForSame([2, 9, 7, 3], [2, 2, 3, 5], { strides: 3, pad: 'same' }, false), [[0, 0], [0, 0], [0, 1], [0, 0]]);
  assert.deepEqual(explicitPaddingForSame([1, 9, 9, 3], [2, 2, 3, 5], { strides: 3, pad: 'same' }, false), [[0, 0], [0, 0], [0, 0], [0, 0]]);
  assert.equal(explicitPaddingForSame([1, 32, 32, 3], [3, 3, 3, 8], { strides: 2, pad: 'same' }, false), undefined);
  assert.equal(explicitPaddingForSame([1, 32, 32, 3], [3, 3, 3, 8], { strides: 1, pad: 'same' }, false), undefined);
  assert.equal(explicitPaddingForSame([1, 9, 9, 3], [2, 2, 3, 8], { strides: 3, pad: 'valid' }, false), undefined);
  for (let k = 1; k <= 7; k++)
    for (let s = 1; s <= k; s++)
      for (let h = 1; h <= 20; h++) assert.equal(explicitPaddingForSame([1, h, h, 1], [k, k, 1, 1], { strides: s, pad: 'same' }, false), undefined);
});
