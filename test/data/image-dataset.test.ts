import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { imageDatasetFromDirectory } from '../../src/data/image-dataset.js';
import type { Batch } from '../../src/data/directory-iterator.js';
import { captureConsole, classLevel, makeClassFolder, removeDir, tempDir, writeImage } from './helpers.js';

await initBackend();

async function batches(ds: tf.data.Dataset<Batch>): Promise<Array<{ xs: number[][]; shape: number[]; ys?: unknown; ysShape?: number[]; ysDtype?: string }>> {
  const out: Array<{ xs: number[][]; shape: number[]; ys?: unknown; ysShape?: number[]; ysDtype?: string }> = [];
  await ds.forEachAsync((b) => {
    const { xs, ys } = b as Batch;
    const m = tf.tidy(() => (xs.rank === 4 ? xs.mean([1, 2, 3]) : xs.mean().reshape([1])));
    out.push({ xs: [Array.from(m.dataSync())], shape: xs.shape, ys: ys?.arraySync(), ysShape: ys?.shape, ysDtype: ys?.dtype });
    m.dispose();
  });
  return out;
}

test('labelMode int, categorical, binary and null, with Keras messages and attributes', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 3, b: 2 });
  const { result: ds, logs } = await captureConsole(() => imageDatasetFromDirectory(root, { imageSize: [4, 5], batchSize: 5, seed: 1 }));
  assert.deepEqual(logs, ['Found 5 files belonging to 2 classes.']);
  assert.deepEqual(ds.classNames, ['a', 'b']);
  assert.equal(ds.filePaths.length, 5);
  const [b] = await batches(ds);
  assert.deepEqual(b.shape, [5, 4, 5, 3]);
  assert.equal(b.ysDtype, 'int32');
  assert.deepEqual(b.ysShape, [5]);
  const labels = b.ys as number[];
  b.xs[0].forEach((m, j) => assert.ok(Math.abs(m - classLevel(labels[j])) < 1e-3, 'labels match images'));
  // Without shuffling, batches follow filePaths (sorted class folders, then files).
  const ordered = imageDatasetFromDirectory(root, { imageSize: 4, batchSize: 5, shuffle: false, verbose: false });
  assert.deepEqual(((await batches(ordered))[0].ys as number[]), ordered.filePaths.map((p) => (path.basename(path.dirname(p)) === 'a' ? 0 : 1)));
  assert.deepEqual(ordered.filePaths.map((p) => path.relative(root, p)), ['a/img000.png', 'a/img001.png', 'a/img002.png', 'b/img000.png', 'b/img001.png']);
  const cat = await batches(imageDatasetFromDirectory(root, { imageSize: 4, labelMode: 'categorical', verbose: false }));
  assert.deepEqual(cat[0].ysShape, [5, 2]);
  const bin = await batches(imageDatasetFromDirectory(root, { imageSize: 4, labelMode: 'binary', verbose: false }));
  assert.deepEqual(bin[0].ysShape, [5, 1]);
  assert.equal(bin[0].ysDtype, 'float32');
  const none = await batches(imageDatasetFromDirectory(root, { imageSize: 4, labelMode: null, verbose: false }));
  assert.equal(none[0].ys, undefined);
  const single = await batches(imageDatasetFromDirectory(root, { imageSize: 4, batchSize: null, verbose: false }));
  assert.equal(single.length, 5);
  assert.deepEqual(single[0].shape, [4, 4, 3]);
  assert.deepEqual(single[0].ysShape, []);
  await makeClassFolder(root, { c: 1 });
  assert.throws(() => imageDatasetFromDirectory(root, { labelMode: 'binary', verbose: false }), /'binary' needs exactly 2 classes/);
  const sub = imageDatasetFromDirectory(root, { classNames: ['c', 'a'], imageSize: 4, verbose: false });
  assert.deepEqual(sub.classNames, ['c', 'a']);
  assert.equal(sub.filePaths.length, 4);
});

test("validationSplit with subset 'both' splits the shuffled list globally; a seed is required", async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await makeClassFolder(root, { a: 6, b: 4 });
  const { result, logs } = await captureConsole(() => imageDatasetFromDirectory(root, { imageSize: 4, validationSplit: 0.2, subset: 'both', seed: 5 }));
  const [train, val] = result;
  assert.deepEqual(logs, ['Found 10 files belonging to 2 classes.', 'Using 8 files for training.', 'Using 2 files for validation.']);
  assert.equal(train.filePaths.length, 8);
  assert.equal(val.filePaths.length, 2);
  assert.ok(!train.filePaths.some((p) => val.filePaths.includes(p)));
  const again = imageDatasetFromDirectory(root, { imageSize: 4, validationSplit: 0.2, subset: 'validation', seed: 5, verbose: false });
  assert.deepEqual(again.filePaths, val.filePaths, 'the same seed gives the same split');
  assert.throws(() => imageDatasetFromDirectory(root, { validationSplit: 0.2, subset: 'training' }), /pass a seed/);
  assert.throws(() => imageDatasetFromDirectory(root, { validationSplit: 0.2, seed: 1 }), /also pass subset/);
  assert.throws(() => imageDatasetFromDirectory(root, { subset: 'training', seed: 1 }), /needs validationSplit/);
  assert.throws(() => imageDatasetFromDirectory(root, { validationSplit: 0.01, subset: 'validation', seed: 1, verbose: false }), /validation subset .* is empty/);
  assert.throws(() => imageDatasetFromDirectory(root, { cropToAspectRatio: true, padToAspectRatio: true }), /only one of/);
});

test('cropToAspectRatio and padToAspectRatio; labels: null reads the whole tree', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  await writeImage(path.join(root, 'x', 'wide.png'), { width: 12, height: 4, fill: (x) => (x < 4 ? 0 : x < 8 ? 100 : 200) });
  await writeImage(path.join(root, 'loose.png'), { width: 12, height: 4, fill: 50 });
  const crop = await batches(imageDatasetFromDirectory(root, { imageSize: [4, 4], cropToAspectRatio: true, interpolation: 'nearest', verbose: false }));
  assert.ok(Math.abs(crop[0].xs[0][0] - 100) < 1e-3);
  const pad = await batches(imageDatasetFromDirectory(root, { imageSize: [12, 12], padToAspectRatio: true, interpolation: 'nearest', verbose: false }));
  assert.ok(Math.abs(pad[0].xs[0][0] - 100 / 3) < 1e-2, `a third of the rows hold the image: ${pad[0].xs[0][0]}`);
  const { result: all, logs } = await captureConsole(() => imageDatasetFromDirectory(root, { labels: null, imageSize: 4, shuffle: false }));
  assert.deepEqual(logs, ['Found 2 files.']);
  assert.deepEqual(all.filePaths, [path.join(root, 'loose.png'), path.join(root, 'x', 'wide.png')]);
});

test("labels as a list (Keras's manual labels) label the sorted files of the whole tree; labels: null gives classNames null", async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  // Four files, grey level 10 * k, one loose and three in folders: the manual labels ignore the folders.
  const rel = ['loose.png', 'p/a.png', 'p/b.png', 'q/c.png'];
  await Promise.all(rel.map((r, k) => writeImage(path.join(root, r), { width: 2, height: 2, fill: 10 * (k + 1) })));
  const labels = [2, 0, 1, 0];
  const { result: ds, logs } = await captureConsole(() => imageDatasetFromDirectory(root, { labels, imageSize: 2, batchSize: 4, shuffle: false }));
  assert.deepEqual(logs, ['Found 4 files belonging to 3 classes.']);
  assert.deepEqual(ds.classNames, ['0', '1', '2']);
  assert.deepEqual(ds.filePaths.map((p) => path.relative(root, p)), rel);
  const [b] = await batches(ds);
  assert.deepEqual(b.ys, labels);
  assert.deepEqual(b.xs[0], [10, 20, 30, 40], 'each label stays with its file');
  // Shuffled, each image keeps its label.
  const [s] = await batches(imageDatasetFromDirectory(root, { labels, imageSize: 2, batchSize: 4, seed: 3, verbose: false }));
  (s.ys as number[]).forEach((l, j) => assert.equal(l, labels[s.xs[0][j] / 10 - 1]));
  const [c] = await batches(imageDatasetFromDirectory(root, { labels, labelMode: 'categorical', imageSize: 2, batchSize: 4, shuffle: false, verbose: false }));
  assert.deepEqual(c.ys, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]);
  assert.throws(() => imageDatasetFromDirectory(root, { labels: [0, 1], verbose: false }), /"labels" has 2 entries but ".*" holds 4 image files/);
  assert.throws(() => imageDatasetFromDirectory(root, { labels: [0, 1.5, 0, 0], verbose: false }), /"labels"\[1\] is 1\.5/);
  assert.throws(() => imageDatasetFromDirectory(root, { labels, classNames: ['x'], verbose: false }), /"classNames" cannot be passed/);
  assert.equal(imageDatasetFromDirectory(root, { labels: null, verbose: false }).classNames, null);
});
