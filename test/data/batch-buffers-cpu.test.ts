// On the cpu backend a float32 tensor keeps its values array as storage: batch buffers must not be
// recycled there, or a later batch would overwrite the pixels of one the caller still holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { removeDir, tempDir, writeImage } from './helpers.js';

await initBackend('cpu');

test('batches held by the caller keep their pixels while later batches load (cpu backend)', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  for (let i = 0; i < 8; i++) await writeImage(path.join(root, i % 2 ? 'b' : 'a', `f${i}.png`), { width: 6, height: 5, fill: (x, y, k) => (x * 30 + y * 11 + k * 50 + i * 17) & 255 });
  for (const dtype of ['float32', 'int32'] as const) {
    const it = new ImageDataGenerator({ rotationRange: 20, horizontalFlip: true, dtype }).flowFromDirectory(root, { targetSize: [5, 6], batchSize: 2, seed: 3, verbose: false });
    const held: tf.Tensor[] = [];
    const atOnce: number[][] = [];
    for (let e = 0; e < 2; e++) {
      for await (const b of it) {
        atOnce.push(Array.from(b.xs.dataSync()));
        held.push(b.xs);
        b.ys?.dispose();
      }
    }
    assert.equal(held.length, 8);
    assert.deepEqual(held.map((x) => Array.from(x.dataSync())), atOnce, `${dtype}: every held batch still has its own pixels`);
    tf.dispose(held);
  }
});
