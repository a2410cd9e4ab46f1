import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend } from '../../src/runtime/backend.js';
import { assertSameClasses, DirectoryIterator, type Batch } from '../../src/data/directory-iterator.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { captureConsole, classLevel, makeClassFolder, removeDir, tempDir, writeImage } from './helpers.js';

await initBackend();

/** Mean pixel value of each image in a batch. */
async function imageMeans(xs: tf.Tensor4D): Promise<number[]> {
  const m = tf.tidy(() => xs.mean([1, 2, 3]));
  const v = Array.from(await m.data());
  m.dispose();
  return v;
}

/** A folder where every image has its own flat level (10, 20, ...), so a test can identify each sample. */
async function uniqueFolder(root: string, perClass: Record<string, number>): Promise<Map<number, string>> {
  const levels = new Map<number, string>();
  let level = 10;
  for (const cls of Object.keys(perClass).sort()) {
    for (let i = 0; i < perClass[cls]; i++, level += 10) {
      const rel = `${cls}/f${i}.png`;
      await writeImage(path.join(root, rel), { width: 6, height: 5, fill: level });
      levels.set(level, rel);
    }
  }
  return levels;
}

async function collect(it: AsyncIterable<Batch>): Promise<{ means: number[]; labels: number[][] }> {
  const means: number[] = [];
  const labels: number[][] = [];
  for await (const b of it) {
    means.push(...(await imageMeans(b.xs)));
    if (b.ys) labels.push(...((await b.ys.array()) as number[][]));
    tf.dispose(b as unknown as tf.TensorContainer);
  }
  return { means, labels };
}

test('attributes, Keras message, and batches that cover every file once with the short batch last', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  const levels = await uniqueFolder(root, { cat: 3, dog: 5 });
  const { result: it, logs } = await captureConsole(() => new ImageDataGenerator().flowFromDirectory(root, { targetSize: [4, 6], batchSize: 3, seed: 7 }));
  assert.deepEqual(logs, ['Found 8 images belonging to 2 classes.']);
  assert.deepEqual(it.classIndices, { cat: 0, dog: 1 });
  assert.deepEqual(it.classNames, ['cat', 'dog']);
  assert.deepEqual(Array.from(it.classes), [0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual(it.filenames.slice(0, 2), ['cat/f0.png', 'cat/f1.png']);
  assert.equal(it.filepaths[3], path.join(root, 'dog', 'f0.png'));
  assert.equal(it.samples, 8);
  assert.equal(it.numClasses, 2);
  assert.equal(it.batchSize, 3);
  assert.equal(it.length, 3);
  assert.deepEqual(it.imageShape, [4, 6, 3]);
  assert.equal(it.classMode, 'categorical');
  const sizes: number[] = [];
  const seen: number[] = [];
  for await (const b of it) {
    sizes.push(b.xs.shape[0]);
    assert.deepEqual(b.xs.shape.slice(1), [4, 6, 3]);
    assert.equal(b.xs.dtype, 'float32');
    const means = await imageMeans(b.xs);
    const ys = (await b.ys!.array()) as number[][];
    means.forEach((m, j) => {
      const rel = levels.get(Math.round(m))!;
      assert.ok(rel, `pixel level ${m} is one of the images`);
      assert.deepEqual(ys[j], rel.startsWith('cat') ? [1, 0] : [0, 1], `label of ${rel}`);
      seen.push(Math.round(m));
    });
    tf.dispose([b.xs, b.ys!]);
  }
  assert.deepEqual(sizes, [3, 3, 2]);
  assert.deepEqual(seen.sort((a, b) => a - b), [...levels.keys()]);
  const quiet = await captureConsole(() => new ImageDataGenerator().flowFromDirectory(root, { verbose: false }));
  assert.deepEqual(quiet.logs, []);
});

test('class modes: binary [B,1], sparse [B], input (images as targets), none (images only)', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 3, b: 2 });
  const gen = new ImageDataGenerator();
  const base = { targetSize: [4, 4] as [number, number], batchSize: 5, verbose: false };
  const check = async (classMode: 'binary' | 'sparse' | 'input' | null) => {
    const b = await gen.flowFromDirectory(root, { ...base, classMode }).getBatch(0);
    const means = await imageMeans(b.xs);
    const expected = means.map((m) => (Math.round(m) === classLevel(0) ? 0 : 1));
    if (classMode === 'binary') {
      assert.deepEqual(b.ys!.shape, [5, 1]);
      assert.equal(b.ys!.dtype, 'float32');
      assert.deepEqual(((await b.ys!.array()) as number[][]).map((r) => r[0]), expected);
    } else if (classMode === 'sparse') {
      assert.deepEqual(b.ys!.shape, [5]);
      assert.deepEqual(await b.ys!.array(), expected);
    } else if (classMode === 'input') {
      assert.notEqual(b.ys, b.xs);
      assert.deepEqual(await b.ys!.array(), await b.xs.array());
    } else {
      assert.equal(b.ys, undefined);
    }
    tf.dispose(b as unknown as tf.TensorContainer);
  };
  for (const m of ['binary', 'sparse', 'input', null] as const) await check(m);
  assert.equal(gen.flowFromDirectory(root, { ...base, classMode: 'none' }).classMode, null);
  await makeClassFolder(root, { c: 1 });
  assert.throws(
    () => gen.flowFromDirectory(root, { ...base, classMode: 'binary' }),
    (e: Error) => /'binary' needs exactly 2 classes/.test(e.message) && e.message.includes(root) && /\(a, b, c\)/.test(e.message),
  );
  assert.throws(() => gen.flowFromDirectory(root, { ...base, classMode: 'binary', classes: ['a'] }), /'binary' needs exactly 2 classes, but .* has 1 \(a\)/);
  assert.throws(() => gen.flowFromDirectory(root, { ...base, classMode: 'multi' as never }), /Unknown classMode "multi"/);
  assert.throws(() => gen.flowFromDirectory(root, { ...base, batchSize: 0 }), /batchSize/);
  assert.throws(() => gen.flowFromDirectory(root, { ...base, targetSize: [4, 0] }), /targetSize/);
  assert.throws(() => gen.flowFromDirectory(root, { ...base, interpolation: 'gaussian' as never }), /Unknown interpolation "gaussian"/);
  assert.throws(() => gen.flowFromDirectory(root, { ...base, classes: ['a', 'zz'] }), (e: Error) => e.message.includes(path.join(root, 'zz')));
});

test('shuffle order and augmentation are reproducible under a seed, random access matches iteration, epochs reshuffle, reset rewinds', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await uniqueFolder(root, { a: 6, b: 6 });
  const gen = new ImageDataGenerator({ rotationRange: 40, horizontalFlip: true, fillMode: 'constant', cval: 3 });
  const make = (seed: number) => gen.flowFromDirectory(root, { targetSize: [5, 6], batchSize: 4, seed, verbose: false });
  const a = make(11);
  const b = make(11);
  const pixels = async (it: DirectoryIterator, i: number) => {
    const batch = await it.getBatch(i);
    const v = Array.from(await batch.xs.data());
    tf.dispose(batch as unknown as tf.TensorContainer);
    return v;
  };
  // Random access in another order gives the same batches as the other iterator in order.
  const b2 = await pixels(b, 2);
  const b0 = await pixels(b, 0);
  assert.deepEqual(await pixels(a, 0), b0);
  assert.deepEqual(await pixels(a, 2), b2);
  const inOrder: number[][] = [];
  for await (const batch of make(11)) {
    inOrder.push(Array.from(await batch.xs.data()));
    tf.dispose(batch as unknown as tf.TensorContainer);
  }
  assert.deepEqual(inOrder[0], b0);
  assert.deepEqual(inOrder[2], b2);
  assert.notDeepEqual(await pixels(make(12), 0), b0, 'another seed gives other batches');
  a.onEpochEnd();
  assert.equal(a.epoch, 1);
  const e1 = await pixels(a, 0);
  assert.notDeepEqual(e1, b0, 'a new epoch has a new order and augmentation');
  a.reset();
  assert.deepEqual(await pixels(a, 0), b0);
  await assert.rejects(a.getBatch(3), /out of range: this iterator has 3 batches/);
  const plain = new ImageDataGenerator().flowFromDirectory(root, { targetSize: [5, 6], batchSize: 12, shuffle: false, verbose: false });
  const { means } = await collect(plain);
  assert.deepEqual(means.map(Math.round), Array.from({ length: 12 }, (_, i) => 10 * (i + 1)), 'shuffle: false keeps index order');
});

test('toDataset reshuffles every pass, leaks no tensors, and classWeights balances the classes', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await uniqueFolder(root, { a: 2, b: 6 });
  const it = new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(root, { targetSize: [4, 4], batchSize: 3, seed: 3, verbose: false });
  const ds = it.toDataset();
  const before = tf.memory().numTensors;
  const orders: number[][] = [];
  for (let pass = 0; pass < 3; pass++) {
    const order: number[] = [];
    await ds.forEachAsync((b) => {
      const { xs, ys } = b as Batch;
      assert.deepEqual(ys!.shape.slice(1), [2]);
      const m = tf.tidy(() => xs.mean([1, 2, 3]));
      order.push(...Array.from(m.dataSync()).map((v) => Math.round(v * 255)));
      m.dispose();
    });
    assert.deepEqual([...order].sort((x, y) => x - y), [10, 20, 30, 40, 50, 60, 70, 80]);
    orders.push(order);
  }
  assert.ok(orders[0].join() !== orders[1].join() || orders[1].join() !== orders[2].join(), 'each pass is a new shuffle');
  assert.equal(it.epoch, 3);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(tf.memory().numTensors, before, 'every batch was disposed by the dataset machinery');
  const w = it.classWeights();
  assert.equal(w[0], 8 / (2 * 2));
  assert.ok(Math.abs(w[1] - 8 / (2 * 6)) < 1e-12);
});

test('no tensors are left behind by a for-await epoch when the caller disposes its batches', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 4, b: 3 });
  const it = new ImageDataGenerator({ rotationRange: 10, samplewiseCenter: true }).flowFromDirectory(root, { targetSize: [4, 4], batchSize: 2, verbose: false });
  const before = tf.memory().numTensors;
  for await (const b of it) tf.dispose(b as unknown as tf.TensorContainer);
  // An abandoned epoch (break) leaves nothing either.
  for await (const b of it) {
    tf.dispose(b as unknown as tf.TensorContainer);
    break;
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(tf.memory().numTensors, before);
});

test('validationSplit + subset split each class; subset needs validationSplit', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 4, b: 8 });
  const gen = new ImageDataGenerator({ validationSplit: 0.25 });
  const train = gen.flowFromDirectory(root, { targetSize: [4, 4], subset: 'training', verbose: false });
  const val = gen.flowFromDirectory(root, { targetSize: [4, 4], subset: 'validation', verbose: false });
  assert.equal(val.samples, 3);
  assert.deepEqual(val.filenames, ['a/img000.png', 'b/img000.png', 'b/img001.png']);
  assert.equal(train.samples, 9);
  assert.ok(!train.filenames.some((f) => val.filenames.includes(f)));
  assert.throws(() => new ImageDataGenerator().flowFromDirectory(root, { subset: 'validation' }), /needs a validationSplit/);
  assert.throws(() => new ImageDataGenerator({ validationSplit: 1.5 }), /"validationSplit" must be a number in \(0, 1\)/);
});

test('saveToDir writes the augmented images for inspection', async (t) => {
  const root = await tempDir();
  const out = await tempDir();
  t.after(() => Promise.all([removeDir(root), removeDir(out)]));
  await makeClassFolder(root, { a: 2, b: 3 });
  const it = new ImageDataGenerator({ horizontalFlip: true, rescale: 1 / 255 }).flowFromDirectory(root, {
    targetSize: [6, 7],
    batchSize: 5,
    saveToDir: out,
    savePrefix: 'aug',
    saveFormat: 'jpeg',
    verbose: false,
  });
  const b = await it.getBatch(0);
  const max = b.xs.max().dataSync()[0];
  assert.ok(max <= 1, 'the batch itself is still rescaled');
  tf.dispose(b as unknown as tf.TensorContainer);
  const files = (await readdir(out)).sort();
  assert.equal(files.length, 5);
  assert.ok(files.every((f) => /^aug_\d+_e0_\d+\.jpg$/.test(f)), files.join());
  const meta = await sharp(path.join(out, files[0])).metadata();
  assert.equal(meta.width, 7);
  assert.equal(meta.height, 6);
  const px = await sharp(path.join(out, files[0])).raw().toBuffer();
  assert.ok([classLevel(0), classLevel(1)].some((l) => Math.abs(px[0] - l) <= 3), `saved 0-255 pixels: ${px[0]}`);
});

test('cache: memory serves later epochs without the files; disk cache too; a changed file is re-read', async (t) => {
  const root = await tempDir();
  const cacheDir = await tempDir();
  t.after(() => Promise.all([removeDir(root), removeDir(cacheDir)]));
  await makeClassFolder(path.join(root, 'm'), { a: 3, b: 3 });
  await makeClassFolder(path.join(root, 'd'), { a: 3, b: 3 });
  const gen = new ImageDataGenerator();
  const mem = gen.flowFromDirectory(path.join(root, 'm'), { targetSize: [4, 4], batchSize: 4, verbose: false, cache: 'memory' });
  const disk = gen.flowFromDirectory(path.join(root, 'd'), { targetSize: [4, 4], batchSize: 4, verbose: false, cache: 'disk', cacheDir });
  assert.equal(mem.cache, 'memory');
  assert.equal(gen.flowFromDirectory(path.join(root, 'm'), { targetSize: [4, 4], verbose: false }).cache, 'memory', "'auto' picks memory when it fits");
  const first = { m: (await collect(mem)).means.sort(), d: (await collect(disk)).means.sort() };
  assert.equal((await readdir(cacheDir)).filter((f) => f.endsWith('.raw')).length, 6);
  for (const f of mem.filepaths) await rm(f);
  for (const f of disk.filepaths) await rm(f);
  assert.deepEqual((await collect(mem)).means.sort(), first.m);
  assert.deepEqual((await collect(disk)).means.sort(), first.d);
  // A rewritten file (new size/mtime) is decoded again, not served stale.
  const f = path.join(root, 'm', 'a', 'img000.png');
  await writeImage(f, { width: 10, height: 9, fill: 222 });
  const again = gen.flowFromDirectory(path.join(root, 'm'), { classes: ['a'], targetSize: [4, 4], batchSize: 1, shuffle: false, verbose: false, cache: 'memory' });
  assert.deepEqual((await collect(again)).means.map(Math.round), [222]);
  assert.throws(() => gen.flowFromDirectory(path.join(root, 'm'), { classes: ['a'], cache: 'ram' as never, verbose: false }), /Unknown cache "ram"/);
});

test("onError: 'raise' names the unreadable file; 'skip' leaves it out, reports it once, and the epoch goes on", async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 3, b: 3 });
  const bad = path.join(root, 'b', 'broken.jpg');
  await writeFile(bad, 'not a jpeg at all');
  const gen = new ImageDataGenerator();
  const raising = gen.flowFromDirectory(root, { targetSize: [4, 4], batchSize: 2, verbose: false, cache: 'none' });
  await assert.rejects(collect(raising), (e: Error) => e.message.includes(bad) && /Cannot decode image/.test(e.message));
  const skipping = gen.flowFromDirectory(root, { targetSize: [4, 4], batchSize: 2, verbose: false, onError: 'skip', seed: 1 });
  const first = await captureConsole(() => collect(skipping));
  assert.equal(first.result.means.length, 6);
  assert.equal(first.warnings.length, 1);
  assert.match(first.warnings[0], /Skipped 1 unreadable image/);
  assert.ok(first.warnings[0].includes(bad));
  assert.deepEqual(skipping.skippedFiles, [bad]);
  const second = await captureConsole(() => collect(skipping));
  assert.equal(second.result.means.length, 6);
  assert.deepEqual(second.warnings, [], 'reported once');
});

test('a file deleted mid-epoch is an error naming it, not a crash; a decompression bomb is refused', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 4, b: 4 });
  const it = new ImageDataGenerator().flowFromDirectory(root, { targetSize: [4, 4], batchSize: 2, shuffle: false, verbose: false, cache: 'none', prefetchBatches: 0 });
  const victim = it.filepaths[7];
  let batches = 0;
  await assert.rejects(
    (async () => {
      for await (const b of it) {
        tf.dispose(b as unknown as tf.TensorContainer);
        if (++batches === 1) await rm(victim);
      }
    })(),
    (e: Error) => e.message.includes(victim) && /deleted or moved/.test(e.message),
  );
  assert.equal(batches, 3);
  const big = await tempDir();
  t.after(() => removeDir(big));
  await makeClassFolder(big, { a: 1, b: 1 }, { width: 64, height: 64 });
  const limited = new ImageDataGenerator().flowFromDirectory(big, { targetSize: [4, 4], verbose: false, maxImagePixels: 1000, cache: 'none' });
  await assert.rejects(limited.getBatch(0), /decompression bomb/);
});

test('assertSameClasses explains how validation classes differ from training', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(path.join(root, 'train'), { cat: 1, dog: 1 });
  await makeClassFolder(path.join(root, 'val'), { cat: 1, fox: 1 });
  await makeClassFolder(path.join(root, 'test'), { cat: 1, dog: 1 });
  const gen = new ImageDataGenerator();
  const opts = { targetSize: [4, 4] as [number, number], verbose: false };
  const train = gen.flowFromDirectory(path.join(root, 'train'), opts);
  const valDir = path.join(root, 'val');
  assert.throws(
    () => assertSameClasses(train, gen.flowFromDirectory(valDir, opts), valDir),
    (e: Error) => e.message.includes(valDir) && /missing "dog"/.test(e.message) && /extra "fox"/.test(e.message) && /classes: \["cat", "dog"\]/.test(e.message),
  );
  assertSameClasses(train, gen.flowFromDirectory(path.join(root, 'test'), opts), path.join(root, 'test'));
});

test('grayscale iterators have one channel; dtype int32 gives int32 images', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 2, b: 2 });
  const g = new ImageDataGenerator({ dtype: 'int32' }).flowFromDirectory(root, { targetSize: [3, 5], colorMode: 'grayscale', batchSize: 4, verbose: false });
  assert.deepEqual(g.imageShape, [3, 5, 1]);
  const b = await g.getBatch(0);
  assert.deepEqual(b.xs.shape, [4, 3, 5, 1]);
  assert.equal(b.xs.dtype, 'int32');
  assert.deepEqual([...new Set(await b.xs.data())].sort(), [classLevel(0), classLevel(1)]);
  tf.dispose(b as unknown as tf.TensorContainer);
});

test('augmentation workers give exactly the batches the main thread gives', async (t) => {
  const { setAugmentWorkers } = await import('../../src/data/augment-pool.js');
  const root = await tempDir();
  t.after(async () => {
    setAugmentWorkers(1);
    await removeDir(root);
  });
  await uniqueFolder(root, { a: 5, b: 6 });
  const gen = new ImageDataGenerator({ rotationRange: 30, zoomRange: 0.2, horizontalFlip: true, rescale: 1 / 255, fillMode: 'reflect' });
  const grab = async () => {
    const it = gen.flowFromDirectory(root, { targetSize: [7, 9], batchSize: 11, seed: 4, verbose: false });
    const b = await it.getBatch(0);
    const v = Array.from(await b.xs.data());
    tf.dispose(b as unknown as tf.TensorContainer);
    return v;
  };
  setAugmentWorkers(0);
  const main = await grab();
  setAugmentWorkers(3);
  const pooled = await grab();
  assert.equal(pooled.length, 11 * 7 * 9 * 3);
  assert.deepEqual(pooled, main);
  // Shutting the pool down mid-epoch, with warps of batches ahead still queued, loses nothing.
  const epochPixels = async (switchOff: boolean) => {
    const it = gen.flowFromDirectory(root, { targetSize: [7, 9], batchSize: 2, seed: 4, verbose: false, prefetchBatches: 3 });
    const all: number[] = [];
    for await (const b of it) {
      all.push(...(await b.xs.data()));
      tf.dispose(b as unknown as tf.TensorContainer);
      if (switchOff && all.length === 2 * 7 * 9 * 3) setAugmentWorkers(0);
    }
    return all;
  };
  setAugmentWorkers(0);
  const reference = await epochPixels(false);
  setAugmentWorkers(2);
  assert.deepEqual(await epochPixels(true), reference);
});

test('keepAspectRatio centre-crops before resizing', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await writeImage(path.join(root, 'a', 'wide.png'), { width: 30, height: 10, fill: (x) => (x < 10 ? 0 : 100) });
  const gen = new ImageDataGenerator();
  const mean = async (keepAspectRatio: boolean) => {
    const b = await gen.flowFromDirectory(root, { targetSize: [5, 5], keepAspectRatio, classMode: null, verbose: false }).getBatch(0);
    const m = (await imageMeans(b.xs))[0];
    tf.dispose(b as unknown as tf.TensorContainer);
    return m;
  };
  assert.equal(await mean(true), 100);
  assert.ok((await mean(false)) < 80, 'stretching keeps the dark left third');
});

test("cache 'auto' fits the budget, and a later trial over the same folder reuses its pixels", async (t) => {
  const { decodedCache, setDecodedCacheBudget, DEFAULT_CACHE_BUDGET_BYTES } = await import('../../src/data/decoded-cache.js');
  const root = await tempDir();
  t.after(async () => {
    setDecodedCacheBudget(DEFAULT_CACHE_BUDGET_BYTES);
    await removeDir(root);
  });
  await makeClassFolder(path.join(root, 'one'), { a: 2, b: 2 });
  await makeClassFolder(path.join(root, 'two'), { a: 2, b: 2 });
  setDecodedCacheBudget(decodedCache.bytes + 4 * 4 * 4 * 3); // room for one folder of 4x4 RGB images
  const gen = new ImageDataGenerator();
  const opts = { targetSize: [4, 4] as [number, number], verbose: false };
  const first = gen.flowFromDirectory(path.join(root, 'one'), opts);
  assert.equal(first.cache, 'memory');
  const misses0 = decodedCache.misses;
  const hits0 = decodedCache.hits;
  await collect(first);
  // Small PNGs load synchronously; each is still counted once, as a miss.
  assert.equal(decodedCache.misses - misses0, 4, 'one miss per image of the first epoch');
  assert.equal(decodedCache.hits - hits0, 0);
  const hits = decodedCache.hits;
  const misses = decodedCache.misses;
  const again = gen.flowFromDirectory(path.join(root, 'one'), opts);
  assert.equal(again.cache, 'memory', 'the folder is already cached, so it needs no new room');
  await collect(again);
  assert.equal(decodedCache.hits - hits, 4, 'every image came from the cache');
  assert.equal(decodedCache.misses - misses, 0);
  // A file that needs sharp (a JPEG) is also counted once, though it tried the synchronous path first.
  await writeImage(path.join(root, 'three', 'a', 'x.jpg'), { width: 4, height: 4, fill: 50 });
  const beforeJpeg = decodedCache.misses;
  await collect(gen.flowFromDirectory(path.join(root, 'three'), { ...opts, cache: 'memory' }));
  assert.equal(decodedCache.misses - beforeJpeg, 1);
  assert.equal(gen.flowFromDirectory(path.join(root, 'two'), opts).cache, 'none', 'no room left for another folder');
});

test('while the consumer holds a batch, exactly prefetchBatches more are loaded ahead', async (t) => {
  const { decodedCache, clearDecodedCache } = await import('../../src/data/decoded-cache.js');
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 6, b: 6 });
  const settle = () => new Promise((r) => setTimeout(r, 300));
  for (const prefetchBatches of [0, 2]) {
    clearDecodedCache();
    const it = new ImageDataGenerator().flowFromDirectory(root, { targetSize: [4, 4], batchSize: 2, cache: 'memory', prefetchBatches, verbose: false });
    const epoch = it[Symbol.asyncIterator]();
    const first = await epoch.next();
    await settle(); // the consumer "trains" on batch 0
    assert.equal(decodedCache.size, 2 * (1 + prefetchBatches), `prefetchBatches ${prefetchBatches}: batch 0 plus ${prefetchBatches} ahead`);
    tf.dispose(first.value as unknown as tf.TensorContainer);
    const second = await epoch.next();
    await settle();
    assert.equal(decodedCache.size, 2 * (2 + prefetchBatches));
    tf.dispose(second.value as unknown as tf.TensorContainer);
    await epoch.return(undefined);
  }
});

test('an idle augmentation pool does not keep the process alive', () => {
  const script = `import { augmentPool } from ${JSON.stringify(new URL('../../src/data/augment-pool.ts', import.meta.url).href)}; augmentPool(); console.log('started');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
  assert.equal(r.signal, null, 'the process had to be killed: it hung');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /started/);
});
