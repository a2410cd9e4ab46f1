import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { conv2dBackpropFilterByMatMul } from '../../src/runtime/filter-gradient-by-matmul.js';
import { maxElementError, randArray, rng } from './kernel-test-utils.js';

// The webgpu filter gradient is built from tfjs ops, so it can be checked here on the cpu backend (CI has
// no GPU) against the cpu backend's own kernel, over the same kind of sweep as the wasm kernels.
test('the matrix-product filter gradient (webgpu, and wasm when output channels are not a multiple of 4) equals the cpu kernel', async () => {
  await initBackend('cpu');
  const r = rng(21);
  const shapes = [
    { b: 2, h: 8, w: 13, ci: 3, co: 8 },
    { b: 3, h: 9, w: 7, ci: 5, co: 3 },
    { b: 1, h: 6, w: 6, ci: 1, co: 1 },
  ];
  for (const sh of shapes)
    for (const k of [1, 3, 5])
      for (const s of [1, 2])
        for (const pad of ['same', 'valid'] as const) {
          if (pad === 'valid' && (k > sh.h || k > sh.w)) continue;
          const filterShape: [number, number, number, number] = [k, k, sh.ci, sh.co];
          const info = tf.backend_util.computeConv2DInfo([sh.b, sh.h, sh.w, sh.ci], filterShape, s, 1, pad);
          const x = tf.tensor4d(randArray(sh.b * sh.h * sh.w * sh.ci, r), [sh.b, sh.h, sh.w, sh.ci]);
          const dy = tf.tensor4d(randArray(sh.b * info.outHeight * info.outWidth * sh.co, r), [sh.b, info.outHeight, info.outWidth, sh.co]);
          const attrs = { strides: s, pad, filterShape, dataFormat: 'NHWC' as const };
          const before = tf.memory().numTensors;
          const got = conv2dBackpropFilterByMatMul(x, dy, attrs);
          assert.equal(tf.memory().numTensors, before + 1, 'no intermediate tensors left');
          const want = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as any) as tf.Tensor;
          assert.deepEqual(got.shape, want.shape);
          const err = maxElementError((await got.data()) as Float32Array, (await want.data()) as Float32Array);
          assert.ok(err <= 1e-5, `${JSON.stringify({ ...sh, k, s, pad })}: max element-wise error ${err}`);
          tf.dispose([x, dy, got, want]);
        }
  await initBackend('wasm');
});
