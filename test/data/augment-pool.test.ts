import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { applyTransform, randomTransform, type AugmentConfig, type TransformParams } from '../../src/data/augment.js';
import { claimBoard, type WarpBatch } from '../../src/data/augment-batch.js';
import { AugmentPool } from '../../src/data/augment-pool.js';
import { DecodedMemoryCache } from '../../src/data/decoded-cache.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { setAugmentWorkers } from '../../src/data/augment-pool.js';
import { Rng } from '../../src/util/rng.js';
import { captureConsole, removeDir, tempDir, writeImage } from './helpers.js';

await initBackend();

const H = 9;
const W = 7;
const C = 3;
const SIZE = H * W * C;
const cfg: AugmentConfig = {
  rotationRange: 40,
  widthShiftRange: 0.2,
  heightShiftRange: 0.1,
  shearRange: 10,
  zoomRange: [0.8, 1.2],
  uniformZoom: false,
  brightnessRange: null,
  channelShiftRange: 0,
  horizontalFlip: true,
  verticalFlip: true,
  fillMode: 'reflect',
  cval: 0,
};

/** A batch of `n` slots: slot 1 empty (a skipped file), slot 2 in ordinary (unshared) memory, the rest in one shared slab. */
function batch(n: number, seed: number): { b: WarpBatch; srcs: Array<Uint8Array | null>; params: TransformParams[] } {
  const rng = new Rng(seed);
  const slab = new Uint8Array(new SharedArrayBuffer(n * SIZE));
  const srcs: Array<Uint8Array | null> = [];
  for (let i = 0; i < n; i++) {
    const src = i === 2 ? new Uint8Array(SIZE) : slab.subarray(i * SIZE, (i + 1) * SIZE);
    for (let k = 0; k < SIZE; k++) src[k] = rng.nextInt(256);
    srcs.push(i === 1 ? null : src);
  }
  const params = srcs.map(() => randomTransform(cfg, rng, H, W));
  const out = new Float32Array(new SharedArrayBuffer(n * SIZE * 4)).fill(-1);
  return { b: { srcs, h: H, w: W, c: C, params, fillMode: 'reflect', cval: 0, scale: 1 / 255, out, claims: claimBoard(n, true) }, srcs, params };
}

/** The batch warped image by image on this thread; an empty slot stays as it was (-1). */
function expected(srcs: Array<Uint8Array | null>, params: TransformParams[]): Float32Array {
  const out = new Float32Array(srcs.length * SIZE).fill(-1);
  srcs.forEach((src, i) => src && applyTransform(src, H, W, C, params[i], 'reflect', 0, out, i * SIZE, 1 / 255));
  return out;
}

test('the pool warps a batch into shared memory exactly as the main thread does, with or without the main thread helping', async (t) => {
  const pool = new AugmentPool(2);
  t.after(() => pool.close());
  for (const help of [false, true]) {
    const { b, srcs, params } = batch(12, help ? 2 : 1);
    const tag = {};
    const done = pool.run(b, tag);
    if (help) pool.help(tag);
    await done;
    assert.deepEqual(Array.from(b.out), Array.from(expected(srcs, params)));
    assert.ok(b.claims[0] >= 12, 'every slot was claimed');
    assert.deepEqual(Array.from(b.claims.subarray(1)), new Array(12).fill(1), 'every slot is marked done');
  }
});

test('batches still out when the pool closes are finished on the main thread', async () => {
  const pool = new AugmentPool(1);
  const { b, srcs, params } = batch(40, 3);
  const done = pool.run(b, {});
  await pool.close();
  await done;
  assert.deepEqual(Array.from(b.out), Array.from(expected(srcs, params)));
});

test('the memory cache keeps pixels in shared memory, within its budget', () => {
  const cache = new DecodedMemoryCache(100);
  const img = { data: Uint8Array.from({ length: 48 }, (_, i) => i), height: 4, width: 4, channels: 3 };
  const kept = cache.store('a', img);
  assert.ok(kept.data.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(kept.data), Array.from(img.data));
  assert.equal(cache.store('a', img), kept, 'a second store returns the cached image');
  assert.ok(cache.set('b', { ...img }), 'room for a second image');
  assert.equal(cache.store('c', img), img, 'over the budget: not cached, the image itself comes back');
  assert.equal(cache.has('c'), false);
  assert.equal(cache.bytes, 96);
  assert.notEqual(cache.get('b')!.data.byteOffset, kept.data.byteOffset, 'slab slots do not overlap');
});

test('epochs with a skipped file are identical with 0 and 1 workers, and leak no tensors', async (t) => {
  const root = await tempDir();
  t.after(async () => {
    setAugmentWorkers(1);
    await removeDir(root);
  });
  for (let i = 0; i < 9; i++) {
    await writeImage(path.join(root, i % 2 ? 'b' : 'a', `f${i}.png`), { width: 10, height: 8, fill: (x, y, k) => (x * 25 + y * 7 + k * 40 + i * 13) & 255 });
  }
  await writeFile(path.join(root, 'b', 'broken.png'), 'not a png');
  const gen = new ImageDataGenerator({ rotationRange: 30, widthShiftRange: 0.2, horizontalFlip: true, rescale: 1 / 255, fillMode: 'constant', cval: 9 });
  const epochs = async (workers: number) => {
    setAugmentWorkers(workers);
    const it = gen.flowFromDirectory(root, { targetSize: [8, 10], batchSize: 4, seed: 5, verbose: false, onError: 'skip', prefetchBatches: 1 });
    const xs: number[] = [];
    const ys: number[] = [];
    for (let e = 0; e < 2; e++) {
      for await (const b of it) {
        xs.push(...(await b.xs.data()));
        ys.push(...(await b.ys!.data()));
        tf.dispose(b as unknown as tf.TensorContainer);
      }
    }
    return { xs, ys, skipped: it.skippedFiles };
  };
  const before = tf.memory().numTensors;
  const main = (await captureConsole(() => epochs(0))).result;
  const pooled = (await captureConsole(() => epochs(1))).result;
  assert.equal(main.xs.length, 2 * 9 * 8 * 10 * 3);
  assert.deepEqual(pooled.skipped, [path.join(root, 'b', 'broken.png')]);
  assert.deepEqual(pooled.ys, main.ys);
  assert.deepEqual(pooled.xs, main.xs);
  assert.equal(tf.memory().numTensors, before);
});

test('batches held by the caller keep their pixels while recycled buffers carry later batches (wasm backend)', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  for (let i = 0; i < 8; i++) await writeImage(path.join(root, i % 2 ? 'b' : 'a', `f${i}.png`), { width: 6, height: 5, fill: (x, y, k) => (x * 30 + y * 11 + k * 50 + i * 17) & 255 });
  const it = new ImageDataGenerator({ rotationRange: 20, horizontalFlip: true }).flowFromDirectory(root, { targetSize: [5, 6], batchSize: 2, seed: 3, verbose: false });
  const held: tf.Tensor[] = [];
  const atOnce: number[][] = [];
  for (let e = 0; e < 3; e++) {
    for await (const b of it) {
      atOnce.push(Array.from(b.xs.dataSync()));
      held.push(b.xs);
      b.ys?.dispose();
    }
  }
  assert.equal(new Set(atOnce.map((a) => a.join())).size, 12, 'every batch differs');
  assert.deepEqual(held.map((x) => Array.from(x.dataSync())), atOnce);
  tf.dispose(held);
});
