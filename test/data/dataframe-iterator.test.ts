import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { DataConfigError } from '../../src/data/errors.js';
import { DataFrameIterator, type DataFrameBatch, type FlowFromDataframeOptions } from '../../src/data/dataframe-iterator.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { captureConsole, removeDir, tempDir, writeImage } from './helpers.js';

await initBackend();

/**
 * `n` images img0.png .. each a flat grey level 10 * (i + 1), so a test can tell from the pixels which
 * row an image is. Returns the folder.
 */
async function levelImages(n: number): Promise<string> {
  const root = await tempDir('tfjs-tuner-df-');
  await Promise.all(Array.from({ length: n }, (_, i) => writeImage(path.join(root, `img${i}.png`), { width: 6 + (i % 3), height: 5, fill: 10 * (i + 1) })));
  return root;
}

/** The row each image of a batch came from (by its level). */
async function rowsOf(xs: tf.Tensor4D): Promise<number[]> {
  const m = tf.tidy(() => xs.mean([1, 2, 3]));
  const v = Array.from(await m.data());
  m.dispose();
  return v.map((x) => Math.round(x / 10) - 1);
}

/** Every batch of one epoch as plain arrays: rows (from the pixels), ys and weights. */
async function epoch(it: DataFrameIterator): Promise<{ rows: number[]; ys: unknown[]; weights: number[] }> {
  const rows: number[] = [];
  const ys: unknown[] = [];
  const weights: number[] = [];
  for await (const b of it) {
    rows.push(...(await rowsOf(b.xs)));
    if (Array.isArray(b.ys)) {
      const parts = await Promise.all(b.ys.map((t) => t.array() as Promise<unknown[]>));
      for (let j = 0; j < b.xs.shape[0]; j++) ys.push(parts.map((p) => p[j]));
    } else if (b.ys) ys.push(...((await b.ys.array()) as unknown[]));
    if (b.sampleWeight) weights.push(...(await b.sampleWeight.data()));
    disposeBatch(b);
  }
  return { rows, ys, weights };
}

function disposeBatch(b: DataFrameBatch): void {
  tf.dispose([b.xs, ...(Array.isArray(b.ys) ? b.ys : b.ys ? [b.ys] : []), ...(b.sampleWeight ? [b.sampleWeight] : [])]);
}

const quiet = (o: FlowFromDataframeOptions): FlowFromDataframeOptions => ({ targetSize: [4, 4], verbose: false, ...o });

test('categorical (default): Keras message, sorted classes, labels that follow the rows, every row once', async (t) => {
  const root = await levelImages(7);
  t.after(() => removeDir(root));
  const labels = ['dog', 'cat', 'dog', 'bird', 'cat', 'dog', 'cat'];
  const records = labels.map((c, i) => ({ filename: `img${i}.png`, class: c, extra: i }));
  const { result: it, logs } = await captureConsole(() => new ImageDataGenerator().flowFromDataframe(records, { directory: root, targetSize: [4, 6], batchSize: 3, seed: 3 }));
  assert.deepEqual(logs, ['Found 7 validated image filenames belonging to 3 classes.']);
  assert.deepEqual(it.classNames, ['bird', 'cat', 'dog']);
  assert.deepEqual(it.classIndices, { bird: 0, cat: 1, dog: 2 });
  assert.deepEqual(it.classes, [2, 1, 2, 0, 1, 2, 1]);
  assert.deepEqual(it.filenames, records.map((r) => r.filename));
  assert.equal(it.filepaths[3], path.join(root, 'img3.png'));
  assert.equal(it.samples, 7);
  assert.equal(it.numClasses, 3);
  assert.equal(it.length, 3);
  assert.equal(it.classMode, 'categorical');
  assert.deepEqual(it.imageShape, [4, 6, 3]);
  const { rows, ys } = await epoch(it);
  assert.deepEqual([...rows].sort(), [0, 1, 2, 3, 4, 5, 6], 'every row once');
  rows.forEach((r, j) => assert.deepEqual(ys[j], [0, 1, 2].map((k) => (k === it.classes[r] ? 1 : 0)), `one-hot of row ${r}`));
  assert.equal(it.epoch, 1);
  const w = it.classWeights();
  assert.deepEqual(w, { 0: 7 / 3, 1: 7 / 9, 2: 7 / 9 });
});

test('directory null: xCol holds the paths as given; custom xCol/yCol', async (t) => {
  const root = await levelImages(3);
  t.after(() => removeDir(root));
  const records = [0, 1, 2].map((i) => ({ id: path.join(root, `img${i}.png`), label: i === 1 ? 'b' : 'a' }));
  const it = new ImageDataGenerator().flowFromDataframe(records, quiet({ xCol: 'id', yCol: 'label', classMode: 'sparse', shuffle: false }));
  assert.deepEqual(it.filepaths, records.map((r) => r.id));
  const b = await it.getBatch(0);
  assert.deepEqual(await rowsOf(b.xs), [0, 1, 2]);
  assert.deepEqual(Array.from(await (b.ys as tf.Tensor).data()), [0, 1, 0]);
  assert.equal((b.ys as tf.Tensor).dtype, 'float32');
  disposeBatch(b);
});

test('binary, sparse, input and null class modes', async (t) => {
  const root = await levelImages(4);
  t.after(() => removeDir(root));
  const records = ['yes', 'no', 'no', 'yes'].map((c, i) => ({ filename: `img${i}.png`, class: c }));
  const gen = new ImageDataGenerator();
  const base = quiet({ directory: root, shuffle: false });

  const binary = gen.flowFromDataframe(records, { ...base, classMode: 'binary' });
  let b = await binary.getBatch(0);
  assert.deepEqual((b.ys as tf.Tensor).shape, [4, 1]);
  assert.deepEqual(Array.from(await (b.ys as tf.Tensor).data()), [1, 0, 0, 1], 'no=0, yes=1 (sorted)');
  disposeBatch(b);
  const flipped = gen.flowFromDataframe(records, { ...base, classMode: 'binary', classes: ['yes', 'no'] });
  b = await flipped.getBatch(0);
  assert.deepEqual(Array.from(await (b.ys as tf.Tensor).data()), [0, 1, 1, 0], 'explicit classes keep their order');
  disposeBatch(b);

  const sparse = gen.flowFromDataframe(records, { ...base, classMode: 'sparse' });
  b = await sparse.getBatch(0);
  assert.deepEqual((b.ys as tf.Tensor).shape, [4]);
  assert.deepEqual(Array.from(await (b.ys as tf.Tensor).data()), [1, 0, 0, 1]);
  disposeBatch(b);

  // input and null need no yCol at all.
  const noLabels = records.map(({ filename }) => ({ filename }));
  const { result: input, logs } = await captureConsole(() => gen.flowFromDataframe(noLabels, { ...base, verbose: true, classMode: 'input' }));
  assert.deepEqual(logs, ['Found 4 validated image filenames.']);
  assert.deepEqual(input.classNames, []);
  b = await input.getBatch(0);
  assert.deepEqual(await (b.ys as tf.Tensor).array(), await b.xs.array());
  assert.notEqual(b.ys, b.xs, 'ys is its own tensor (disposing both is safe)');
  disposeBatch(b);

  const none = gen.flowFromDataframe(noLabels, { ...base, classMode: null });
  b = await none.getBatch(0);
  assert.deepEqual(Object.keys(b), ['xs']);
  disposeBatch(b);
});

test('raw (numbers and numeric strings, one or several columns) and multi_output', async (t) => {
  const root = await levelImages(4);
  t.after(() => removeDir(root));
  const records = [0, 1, 2, 3].map((i) => ({ filename: `img${i}.png`, age: i * 1.5, height: String(100 + i), box: [i, i + 1] }));
  const gen = new ImageDataGenerator();
  const base = quiet({ directory: root, shuffle: false });

  const one = gen.flowFromDataframe(records, { ...base, classMode: 'raw', yCol: 'age' });
  let b = await one.getBatch(0);
  assert.deepEqual(await (b.ys as tf.Tensor).array(), [[0], [1.5], [3], [4.5]]);
  disposeBatch(b);

  const two = gen.flowFromDataframe(records, { ...base, classMode: 'raw', yCol: ['age', 'height'], batchSize: 2 });
  b = await two.getBatch(1);
  assert.deepEqual(await (b.ys as tf.Tensor).array(), [[3, 102], [4.5, 103]]);
  disposeBatch(b);

  const lists = gen.flowFromDataframe(records, { ...base, classMode: 'raw', yCol: 'box' });
  b = await lists.getBatch(0);
  assert.deepEqual((b.ys as tf.Tensor).shape, [4, 2]);
  disposeBatch(b);

  const multi = gen.flowFromDataframe(records, { ...base, classMode: 'multi_output', yCol: ['age', 'box'], shuffle: true, seed: 5 });
  const { rows, ys } = await epoch(multi);
  rows.forEach((r, j) => assert.deepEqual(ys[j], [[r * 1.5], [r, r + 1]], `both outputs of row ${r}`));
  b = await gen.flowFromDataframe(records, { ...base, classMode: 'multi_output', yCol: ['age', 'box'] }).getBatch(0);
  assert.deepEqual((b.ys as tf.Tensor[]).map((y) => y.shape), [[4, 1], [4, 2]]);
  disposeBatch(b);

  // A nested array per row (a 2x2x1 mask) comes out as [B, 2, 2, 1], like Keras.
  const masks = records.map((r, i) => ({ ...r, mask: [[[i], [i + 1]], [[i + 2], [i + 3]]] }));
  b = await gen.flowFromDataframe(masks, { ...base, classMode: 'multi_output', yCol: ['mask', 'age'] }).getBatch(0);
  const [mask, age] = b.ys as tf.Tensor[];
  assert.deepEqual(mask.shape, [4, 2, 2, 1]);
  assert.deepEqual(((await mask.array()) as number[][][][])[3], [[[3], [4]], [[5], [6]]]);
  assert.deepEqual(age.shape, [4, 1]);
  disposeBatch(b);
  // Rows whose nested lists differ in shape are refused, naming the column and row.
  const ragged = masks.map((r, i) => (i === 2 ? { ...r, mask: [[1, 2], [3]] } : r));
  assert.throws(() => gen.flowFromDataframe(ragged, { ...base, classMode: 'multi_output', yCol: ['mask'] }), /yCol column "mask" has .* in row 2, but its nested lists differ in length/);
});

test('multi-label categorical gives multi-hot rows; explicit classes drop the other labels and rows', async (t) => {
  const root = await levelImages(5);
  t.after(() => removeDir(root));
  const labels: Array<string | string[]> = [['cat', 'dog'], 'dog', ['bird'], ['bird', 'cat'], 'fish'];
  const records = labels.map((c, i) => ({ filename: `img${i}.png`, tags: c }));
  const gen = new ImageDataGenerator();
  const base = quiet({ directory: root, shuffle: false, yCol: 'tags' });

  const all = gen.flowFromDataframe(records, base);
  assert.deepEqual(all.classNames, ['bird', 'cat', 'dog', 'fish']);
  let b = await all.getBatch(0);
  assert.deepEqual(await (b.ys as tf.Tensor).array(), [
    [0, 1, 1, 0],
    [0, 0, 1, 0],
    [1, 0, 0, 0],
    [1, 1, 0, 0],
    [0, 0, 0, 1],
  ]);
  disposeBatch(b);
  assert.throws(() => all.classWeights(), /list of labels/);

  const { result: some, logs } = await captureConsole(() => gen.flowFromDataframe(records, { ...base, verbose: true, classes: ['dog', 'cat'] }));
  assert.deepEqual(logs, ['Found 3 validated image filenames belonging to 2 classes.']);
  assert.deepEqual(some.classIndices, { dog: 0, cat: 1 });
  assert.deepEqual(some.filenames, ['img0.png', 'img1.png', 'img3.png'], 'rows 2 (bird) and 4 (fish) have no wanted label');
  assert.deepEqual(some.classes, [[1, 0], 0, [1]]);
  b = await some.getBatch(0);
  assert.deepEqual(await rowsOf(b.xs), [0, 1, 3]);
  assert.deepEqual(await (b.ys as tf.Tensor).array(), [
    [1, 1],
    [1, 0],
    [0, 1],
  ]);
  disposeBatch(b);
});

test('validateFilenames drops missing files and non-images with Keras warning; false keeps them and the read fails naming the file', async (t) => {
  const root = await levelImages(4);
  t.after(() => removeDir(root));
  await writeFile(path.join(root, 'notes.txt'), 'not an image');
  const records = [
    { filename: 'img0.png', class: 'a' },
    { filename: 'gone.png', class: 'b' },
    { filename: 'img1.png', class: 'b' },
    { filename: 'notes.txt', class: 'a' },
    { filename: 'img2.png', class: 'a' },
  ];
  const gen = new ImageDataGenerator();
  const { result: it, logs, warnings } = await captureConsole(() => gen.flowFromDataframe(records, { directory: root, targetSize: [4, 4], shuffle: false }));
  assert.match(warnings.join('\n'), /^Found 2 invalid image filename\(s\) in xCol="filename"\. These filename\(s\) will be ignored\./);
  assert.match(warnings.join('\n'), /row 1: gone\.png \(no such file\)/);
  assert.match(warnings.join('\n'), /row 3: notes\.txt \(not an image extension\)/);
  assert.deepEqual(logs, ['Found 3 validated image filenames belonging to 2 classes.']);
  assert.deepEqual(it.filenames, ['img0.png', 'img1.png', 'img2.png']);
  const { rows, ys } = await epoch(it);
  assert.deepEqual(rows, [0, 1, 2]);
  assert.deepEqual(ys, [[1, 0], [0, 1], [1, 0]]);

  const { result: raw, logs: rawLogs } = await captureConsole(() => gen.flowFromDataframe(records.slice(0, 3), { directory: root, targetSize: [4, 4], shuffle: false, validateFilenames: false }));
  assert.deepEqual(rawLogs, ['Found 3 non-validated image filenames belonging to 2 classes.']);
  await assert.rejects(raw.getBatch(0), (e: Error) => e.message.includes(path.join(root, 'gone.png')));
  const skipping = gen.flowFromDataframe(records.slice(0, 3), quiet({ directory: root, shuffle: false, validateFilenames: false, onError: 'skip' }));
  const { result: kept } = await captureConsole(() => epoch(skipping));
  assert.deepEqual(kept.rows, [0, 1]);
  assert.deepEqual(skipping.skippedFiles, [path.join(root, 'gone.png')]);
});

test('subsets split by position after filtering: validation is the first floor(split * n) rows, training the rest', async (t) => {
  const root = await levelImages(9);
  t.after(() => removeDir(root));
  // Row 0 names a missing file: it is dropped before the split, so the split sees rows 1..9 (n = 9).
  const records = [{ filename: 'missing.png', class: 'x' }, ...Array.from({ length: 9 }, (_, i) => ({ filename: `img${i}.png`, class: i % 2 ? 'odd' : 'even' }))];
  const gen = new ImageDataGenerator({ validationSplit: 0.25 });
  const opts = quiet({ directory: root, shuffle: false });
  const { result: val } = await captureConsole(() => gen.flowFromDataframe(records, { ...opts, subset: 'validation' }));
  const { result: train } = await captureConsole(() => gen.flowFromDataframe(records, { ...opts, subset: 'training', shuffle: true, seed: 1 }));
  assert.deepEqual(val.filenames, ['img0.png', 'img1.png']);
  assert.equal(train.samples, 7);
  assert.deepEqual(train.filenames, Array.from({ length: 7 }, (_, i) => `img${i + 2}.png`));
  assert.deepEqual((await epoch(train)).rows.sort(), [2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(val.classNames, ['even', 'odd'], 'classes come from all rows, before the split');
  assert.throws(() => new ImageDataGenerator().flowFromDataframe(records, { ...opts, subset: 'training' }), /needs a validationSplit/);
  const tiny = new ImageDataGenerator({ validationSplit: 0.1 });
  const { warnings } = await captureConsole(() =>
    assert.throws(
      () => tiny.flowFromDataframe(records, { ...opts, subset: 'validation' }),
      (e: Error) => e instanceof DataConfigError && /no rows left out of 10: dropped 1 with a missing file/.test(e.message) && /'validation' subset \(validationSplit 0.1\) of the 9 left is empty/.test(e.message),
    ),
  );
  assert.match(warnings.join(), /Found 1 invalid image filename/);
});

test('weightCol: sampleWeight per batch row; toDataset leaves it out with one warning', async (t) => {
  const root = await levelImages(5);
  t.after(() => removeDir(root));
  const records = Array.from({ length: 5 }, (_, i) => ({ filename: `img${i}.png`, class: i < 2 ? 'a' : 'b', w: i === 4 ? '0.5' : i + 1 }));
  const it = new ImageDataGenerator().flowFromDataframe(records, quiet({ directory: root, weightCol: 'w', batchSize: 2, seed: 9 }));
  assert.deepEqual(Array.from(it.sampleWeight!), [1, 2, 3, 4, 0.5]);
  const { rows, weights } = await epoch(it);
  assert.equal(weights.length, 5);
  rows.forEach((r, j) => assert.equal(weights[j], [1, 2, 3, 4, 0.5][r], `weight of row ${r}`));
  const { result: ds, warnings } = await captureConsole(() => it.toDataset());
  assert.match(warnings.join(), /sample weights \(weightCol "w"\) are left out/);
  const first = (await ds.take(1).toArray())[0] as DataFrameBatch;
  assert.deepEqual(Object.keys(first).sort(), ['xs', 'ys']);
  disposeBatch(first);
  const { warnings: again } = await captureConsole(() => it.toDataset());
  assert.deepEqual(again, [], 'warned once');
});

test('seeded shuffle: same seed, same batches across iterators; new order each epoch; reset returns to epoch 0', async (t) => {
  const root = await levelImages(8);
  t.after(() => removeDir(root));
  const records = Array.from({ length: 8 }, (_, i) => ({ filename: `img${i}.png`, class: String.fromCharCode(97 + (i % 3)) }));
  const gen = new ImageDataGenerator({ horizontalFlip: true });
  const make = (seed: number) => gen.flowFromDataframe(records, quiet({ directory: root, batchSize: 3, seed }));
  const a = make(42);
  const b = make(42);
  const a0 = await epoch(a);
  const b0 = await epoch(b);
  assert.deepEqual(a0, b0);
  assert.notDeepEqual(a0.rows, [0, 1, 2, 3, 4, 5, 6, 7], 'shuffled');
  const a1 = await epoch(a);
  assert.notDeepEqual(a1.rows, a0.rows, 'a new order in epoch 1');
  a.reset();
  assert.deepEqual(await epoch(a), a0);
  assert.notDeepEqual((await epoch(make(43))).rows, a0.rows, 'another seed, another order');
});

test('model.fitDataset trains a tiny model on wasm from flowFromDataframe, without leaking tensors', async (t) => {
  assert.equal(tf.getBackend(), 'wasm');
  const root = await tempDir('tfjs-tuner-df-');
  t.after(() => removeDir(root));
  // Kaggle-style: all files in one folder, the label in a CSV column.
  const records = Array.from({ length: 16 }, (_, i) => ({ id: `${i}.png`, label: i % 2 ? 'bright' : 'dark' }));
  await Promise.all(records.map((r, i) => writeImage(path.join(root, r.id), { width: 8, height: 8, fill: (x, y) => (i % 2 ? 180 : 40) + ((x + y + i) % 5) * 8 })));
  const gen = new ImageDataGenerator({ rescale: 1 / 255, horizontalFlip: true, validationSplit: 0.25 });
  const opts = quiet({ directory: root, xCol: 'id', yCol: 'label', targetSize: [8, 8], batchSize: 4, seed: 1 });
  const before = tf.memory().numTensors;
  const train = gen.flowFromDataframe(records, { ...opts, subset: 'training' });
  const val = gen.flowFromDataframe(records, { ...opts, subset: 'validation', shuffle: false });
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: train.imageShape }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const optimizer = tf.train.adam(0.05);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const h = await model.fitDataset(train.toDataset(), { epochs: 10, validationData: val.toDataset(), verbose: 0, classWeight: train.classWeights() });
  const losses = h.history.loss as number[];
  const valAcc = h.history.val_acc as number[];
  assert.ok(losses[losses.length - 1] < losses[0], `loss falls ${losses}`);
  assert.equal(valAcc[valAcc.length - 1], 1, `val acc ${valAcc}`);
  assert.equal(train.epoch, 10);
  model.dispose();
  optimizer.dispose();
  for (let i = 0; i < train.length; i++) disposeBatch(await train.getBatch(i));
  assert.ok(tf.memory().numTensors - before <= 1, `no tensors leak: ${tf.memory().numTensors - before}`);
});

test('raw and multi_output targets train a regression and a two-headed model with fitDataset', async (t) => {
  const root = await tempDir('tfjs-tuner-df-');
  t.after(() => removeDir(root));
  const levels = Array.from({ length: 12 }, (_, i) => 20 + 18 * i);
  const records = levels.map((v, i) => ({ filename: `${i}.png`, brightness: v / 255, dark: v < 128 ? 1 : 0 }));
  await Promise.all(levels.map((v, i) => writeImage(path.join(root, `${i}.png`), { width: 4, height: 4, fill: v })));
  const gen = new ImageDataGenerator({ rescale: 1 / 255 });
  const before = tf.memory().numTensors;

  const raw = gen.flowFromDataframe(records, quiet({ directory: root, classMode: 'raw', yCol: 'brightness', batchSize: 4, seed: 1 }));
  const reg = tf.sequential({ layers: [tf.layers.flatten({ inputShape: raw.imageShape }), tf.layers.dense({ units: 1, kernelInitializer: 'zeros' })] });
  const regOpt = tf.train.adam(0.05);
  reg.compile({ optimizer: regOpt, loss: 'meanSquaredError' });
  const hr = await reg.fitDataset(raw.toDataset(), { epochs: 15, verbose: 0 });
  const rl = hr.history.loss as number[];
  assert.ok(rl[rl.length - 1] < rl[0] / 4, `regression loss falls ${rl}`);

  const multi = gen.flowFromDataframe(records, quiet({ directory: root, classMode: 'multi_output', yCol: ['brightness', 'dark'], batchSize: 4, seed: 1 }));
  const input = tf.input({ shape: multi.imageShape });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const level = tf.layers.dense({ units: 1, name: 'level', kernelInitializer: 'zeros' }).apply(flat) as tf.SymbolicTensor;
  const dark = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'dark', kernelInitializer: 'zeros' }).apply(flat) as tf.SymbolicTensor;
  const two = tf.model({ inputs: input, outputs: [level, dark] });
  const twoOpt = tf.train.adam(0.05);
  two.compile({ optimizer: twoOpt, loss: ['meanSquaredError', 'binaryCrossentropy'] });
  const hm = await two.fitDataset(multi.toDataset(), { epochs: 15, verbose: 0 });
  const ml = hm.history.loss as number[];
  assert.ok(ml[ml.length - 1] < ml[0], `two-headed loss falls ${ml}`);
  assert.ok(hm.history.level_loss && hm.history.dark_loss, 'both heads get their targets');

  reg.dispose();
  two.dispose();
  regOpt.dispose();
  twoOpt.dispose();
  assert.ok(tf.memory().numTensors - before <= 1, `no tensors leak: ${tf.memory().numTensors - before}`);
});

test('featurewise fit() reads a DataFrameIterator; saveToDir writes the augmented images', async (t) => {
  const root = await levelImages(3);
  const out = await tempDir('tfjs-tuner-df-save-');
  t.after(() => Promise.all([removeDir(root), removeDir(out)]));
  const records = [0, 1, 2].map((i) => ({ filename: `img${i}.png` }));
  const gen = new ImageDataGenerator({ featurewiseCenter: true });
  await gen.fit(gen.flowFromDataframe(records, quiet({ directory: root, classMode: null })));
  assert.deepEqual(Array.from(gen.mean!).map((v) => Math.round(v)), [20, 20, 20]);
  const it = new ImageDataGenerator().flowFromDataframe(records, quiet({ directory: root, classMode: null, saveToDir: out, savePrefix: 'aug', colorMode: 'grayscale' }));
  assert.deepEqual(it.imageShape, [4, 4, 1]);
  disposeBatch(await it.getBatch(0));
  assert.equal((await readdir(out)).filter((f) => f.startsWith('aug') && f.endsWith('.png')).length, 3);
});

test('errors name the option, the row and the fix', async (t) => {
  const root = await levelImages(3);
  t.after(() => removeDir(root));
  const gen = new ImageDataGenerator();
  const ok = [0, 1, 2].map((i) => ({ filename: `img${i}.png`, class: ['a', 'b', 'c'][i], v: i }));
  const opts = quiet({ directory: root });
  const fails = (records: unknown[], o: FlowFromDataframeOptions, re: RegExp) =>
    assert.throws(() => gen.flowFromDataframe(records as never, { ...opts, ...o }), (e: Error) => e instanceof DataConfigError && re.test(e.message), String(re));

  fails([...ok, { file: 'img0.png', class: 'a' }], {}, /row 3 has no column "filename" \(xCol\)\. Its columns: "file", "class"\. Pass xCol/);
  fails([{ filename: 'img0.png' }], {}, /row 0 has no column "class" \(yCol\)/);
  fails(ok, { weightCol: 'weight' }, /row 0 has no column "weight" \(weightCol\)/);
  fails([{ filename: 7, class: 'a' }], {}, /xCol "filename" must be a filename string, but row 0 has 7/);
  fails(ok, { classMode: 'onehot' as never }, /Unknown classMode "onehot"\. Use one of: categorical, binary, sparse, raw, multi_output, input/);
  fails(ok, { classMode: 'raw', yCol: 'class' }, /yCol column "class" must hold numbers, but row 0 has "a"/);
  fails([{ ...ok[0], w: 'heavy' }], { weightCol: 'w' }, /weightCol column "w" must hold numbers, but row 0 has "heavy"/);
  fails(ok, { classMode: 'binary' }, /'binary' needs exactly 2 classes, but yCol "class" holds 3 \(a, b, c\)\. .*classes: \[negative, positive\]/);
  fails(ok, { classMode: 'binary', classes: ['a'] }, /'binary' needs exactly 2 classes, but "classes" names 1/);
  fails(ok, { classMode: 'multi_output', yCol: 'v' }, /'multi_output' needs yCol to be a list of column names/);
  fails(ok, { yCol: ['class', 'v'] }, /works with classMode 'raw' or 'multi_output'/);
  fails([{ filename: 'img0.png', class: 1 }], { classMode: 'sparse' }, /needs class names as strings in yCol "class", but row 0 has 1\. Convert the labels to strings/);
  fails([{ filename: 'img0.png', class: 1 }], {}, /'categorical' needs a class name \(string\) or a list of class names/);
  fails(ok, { classes: ['zebra'] }, /no rows left out of 3: dropped 3 with no label in "classes" \(zebra\)/);
  fails({} as never, {}, /needs an array of records/);
  fails([{ filename: 'img0.png', class: '' }], {}, /row 0 has an empty label in yCol "class"/);
  fails(ok, { directory: path.join(root, 'nope') }, /"directory" .* is not a folder .*directory: null when xCol holds full paths/);
  const { warnings } = await captureConsole(() =>
    assert.throws(() => gen.flowFromDataframe([{ filename: 'nope.png', class: 'a' }, { filename: 'x.csv', class: 'a' }], opts), /dropped 2 with a missing file or a non-image extension .* under "/),
  );
  assert.match(warnings[0], /Found 2 invalid image filename/);
  const { warnings: ignored } = await captureConsole(() => gen.flowFromDataframe(ok, { ...opts, classMode: 'raw', yCol: 'v', classes: ['a'] }));
  assert.match(ignored.join(), /"classes" is ignored with classMode "raw"/);
});
