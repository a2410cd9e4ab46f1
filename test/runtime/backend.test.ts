import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';

test('auto picks wasm here and says why tfjs-node was skipped', async () => {
  const choice = await initBackend('auto');
  assert.equal(choice.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(choice.reason, /tfjs-node-gpu: not installed/);
  assert.match(choice.reason, /tfjs-node: not installed/);
});

test('a forced backend that cannot load is an error, not a fallback', async () => {
  await assert.rejects(initBackend('tensorflow'), /Backend "tensorflow" was requested but cannot load/);
  await assert.rejects(initBackend('webgpu'), /"webgpu"/);
  await assert.rejects(initBackend('gpu-please'), /Unknown backend "gpu-please"/);
});

test('cpu can be forced', async () => {
  const choice = await initBackend('cpu');
  assert.equal(choice.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
});
