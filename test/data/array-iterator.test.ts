import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend } from '../../src/runtime/backend.js';
import { ArrayIterator, type ArrayBatch } from '../../src/data/array-iterator.js';
import { DataConfigError } from '../../src/data/errors.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';
import { setAugmentWorkers } from '../../src/data/augment-pool.js';
import { captureConsole, removeDir, tempDir } from './helpers.js';

await initBackend();

const H = 8;
const W = 8;
const C = 3;
const SIZE = H * W * C;

/** Image i: value 10 * i + 2 * x + c, so every image is known by its minimum and a mirror image is told apart. */
function images(n: number): Float32Array {
  const out = new Float32Array(n * SIZE);
  for (let i = 0; i < n; i++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out[i * SIZE + (y * W + x) * C + c] = 10 * i + 2 * x + c;
  return out;
}

/** Pixels of image i mirrored left-right. */
function mirrored(img: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out.push(img[(y * W + (W - 1 - x)) * C + c]);
  return out;
}

/** The id of each image in a batch (its minimum / 10) and the pixels. */
async function batchImages(b: ArrayBatch): Promise<{ ids: number[]; px: number[][] }> {
  const data = await b.xs.data();
  const ids: number[] = [];
  const px: number[][] = [];
  for (let j = 0; j < b.xs.shape[0]; j++) {
    const img = Array.from(data.subarray(j * SIZE, (j + 1) * SIZE));
    px.push(img);
    ids.push(Math.round(Math.min(...img) / 10));
  }
  return { ids, px };
}

async function epochIds(it: ArrayIterator): Promise<number[]> {
  const ids: number[] = [];
  for await (const b of it) {
    ids.push(...(await batchImages(b)).ids);
    tf.dispose(b as unknown as tf.TensorContainer);
  }
  return ids;
}

test('batches: shapes, dtypes, y and no y, the short batch last, the input untouched', async () => {
  const n = 12;
  const raw = images(n);
  const x = tf.tensor4d(raw, [n, H, W, C]);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const it = new ImageDataGenerator().flow(x, labels, { batchSize: 5, shuffle: false });
  x.dispose(); // read once: the iterator does not need the tensor any more
  assert.equal(it.length, 3);
  assert.equal(it.n, 12);
  assert.equal(it.samples, 12);
  assert.deepEqual(it.imageShape, [H, W, C]);
  const sizes: number[] = [];
  const ids: number[] = [];
  for await (const b of it) {
    assert.equal(b.xs.dtype, 'float32');
    assert.equal(b.ys!.dtype, 'int32');
    assert.deepEqual(b.ys!.shape, [b.xs.shape[0]]);
    const got = await batchImages(b);
    for (let j = 0; j < got.ids.length; j++) assert.deepEqual(got.px[j], Array.from(raw.subarray(got.ids[j] * SIZE, (got.ids[j] + 1) * SIZE)));
    assert.deepEqual(Array.from(await b.ys!.data()), got.ids.map((i) => i % 3), 'labels stay with their images');
    sizes.push(b.xs.shape[0]);
    ids.push(...got.ids);
    tf.dispose(b as unknown as tf.TensorContainer);
  }
  assert.deepEqual(sizes, [5, 5, 2]);
  assert.deepEqual(ids, [...Array(n).keys()], 'shuffle: false keeps the order');
  assert.deepEqual(Array.from(images(n)), Array.from(raw), 'x is not modified');

  // No y: images only. One-hot y as nested arrays keeps its shape. x as {data, shape} with non-integer values.
  const scaled = raw.map((v) => v / 255);
  const noY = new ImageDataGenerator({ dtype: 'int32' }).flow({ data: raw, shape: [n, H, W, C] }, null, { batchSize: 4 });
  const b0 = await noY.getBatch(0);
  assert.deepEqual(Object.keys(b0), ['xs']);
  assert.equal(b0.xs.dtype, 'int32');
  tf.dispose(b0 as unknown as tf.TensorContainer);
  const oneHot = Array.from({ length: n }, (_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
  const it2 = new ImageDataGenerator().flow({ data: scaled, shape: [n, H, W, C] }, oneHot, { batchSize: 7, shuffle: false });
  const b1 = await it2.getBatch(1);
  assert.deepEqual(b1.ys!.shape, [5, 3]);
  assert.equal(b1.ys!.dtype, 'float32');
  assert.deepEqual(await b1.ys!.array(), oneHot.slice(7));
  const px = await b1.xs.data();
  assert.equal(px[0], scaled[7 * SIZE], 'float pixels are kept exactly');
  assert.equal(px[5], scaled[7 * SIZE + 5]);
  tf.dispose(b1 as unknown as tf.TensorContainer);
  await assert.rejects(() => it2.getBatch(2), /out of range.*0\.\.1/);
});

test('shuffle: every sample once per epoch, a new order each epoch, the same batches for the same seed', async () => {
  const n = 20;
  const x = { data: images(n), shape: [n, H, W, C] };
  const gen = new ImageDataGenerator();
  const it = gen.flow(x, null, { batchSize: 6, seed: 3 });
  const e0 = await epochIds(it);
  const e1 = await epochIds(it);
  assert.equal(it.epoch, 2);
  assert.deepEqual([...e0].sort((a, b) => a - b), [...Array(n).keys()]);
  assert.deepEqual([...e1].sort((a, b) => a - b), [...Array(n).keys()]);
  assert.notDeepEqual(e0, e1, 'reshuffled each epoch');
  assert.notDeepEqual(e0, [...Array(n).keys()]);
  assert.deepEqual(await epochIds(gen.flow(x, null, { batchSize: 6, seed: 3 })), e0, 'same seed, same order');
  assert.notDeepEqual(await epochIds(gen.flow(x, null, { batchSize: 6, seed: 4 })), e0, 'another seed, another order');
  it.reset();
  const b = await it.getBatch(0);
  assert.deepEqual((await batchImages(b)).ids, e0.slice(0, 6), 'reset() and getBatch give epoch 0 again');
  tf.dispose(b as unknown as tf.TensorContainer);
});

test('augmentation: horizontalFlip mirrors some images, the same seed gives the same batches with and without workers', async (t) => {
  t.after(() => setAugmentWorkers(1));
  const n = 16;
  const raw = images(n);
  const x = tf.tensor4d(raw, [n, H, W, C]);
  const y = Float32Array.from({ length: n }, (_, i) => i);
  const flip = new ImageDataGenerator({ horizontalFlip: true });
  setAugmentWorkers(0);
  const it = flip.flow(x, y, { batchSize: n, seed: 5 });
  const b = await it.getBatch(0);
  const { ids, px } = await batchImages(b);
  assert.deepEqual(Array.from(await b.ys!.data()), ids, 'labels follow their images');
  let flipped = 0;
  for (let j = 0; j < n; j++) {
    const src = raw.subarray(ids[j] * SIZE, (ids[j] + 1) * SIZE);
    if (px[j][0] !== src[0]) {
      assert.deepEqual(px[j], mirrored(src), `image ${ids[j]} is either mirrored or untouched`);
      flipped++;
    } else assert.deepEqual(px[j], Array.from(src));
  }
  assert.ok(flipped > 0 && flipped < n, `some but not all images flipped (${flipped} of ${n})`);
  tf.dispose(b as unknown as tf.TensorContainer);

  // A real warp, on the main thread and on workers: identical.
  const warp = new ImageDataGenerator({ rotationRange: 30, zoomRange: 0.2, horizontalFlip: true, rescale: 1 / 255 });
  const grab = async () => {
    const all: number[] = [];
    for await (const bb of warp.flow(x, y, { batchSize: 5, seed: 9 })) {
      all.push(...(await bb.xs.data()));
      tf.dispose(bb as unknown as tf.TensorContainer);
    }
    return all;
  };
  setAugmentWorkers(0);
  const main = await grab();
  setAugmentWorkers(2);
  const pooled = await grab();
  x.dispose();
  assert.equal(pooled.length, n * SIZE);
  assert.deepEqual(pooled, main);
  assert.ok(Math.max(...main) <= 1.0001, 'rescale applied');
});

test('rescale and featurewise standardisation after fit(x)', async () => {
  const n = 10;
  const raw = images(n);
  const gen = new ImageDataGenerator({ rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true });
  await gen.fit({ data: raw, shape: [n, H, W, C] });
  assert.equal(gen.mean!.length, 3);
  // Channel 0 of the rescaled images: the mean of 10 i + 2 x over i, x, divided by 255.
  assert.ok(Math.abs(gen.mean![0] - (10 * 4.5 + 2 * 3.5) / 255) < 1e-5, `channel 0 mean ${gen.mean![0]}`);
  const it = gen.flow(tf.tensor4d(raw, [n, H, W, C]), null, { batchSize: n });
  const b = await it.getBatch(0);
  const m = tf.tidy(() => tf.moments(b.xs, [0, 1, 2]));
  const mean = await m.mean.data();
  const variance = await m.variance.data();
  for (let k = 0; k < C; k++) {
    assert.ok(Math.abs(mean[k]) < 1e-4, `channel ${k} mean ${mean[k]}`);
    assert.ok(Math.abs(variance[k] - 1) < 1e-3, `channel ${k} variance ${variance[k]}`);
  }
  tf.dispose([b as unknown as tf.TensorContainer, m.mean, m.variance]);
  assert.throws(() => gen.flow({ data: new Float32Array(2 * H * W), shape: [2, H, W, 1] }), /fit\(\) on images with 3 channels, but x has 1/);
});

test("subsets split by index like Keras (validation first) and check that both have every class", async () => {
  const n = 12;
  const x = { data: images(n), shape: [n, H, W, C] };
  const gen = new ImageDataGenerator({ validationSplit: 0.25 });
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const weights = Float32Array.from({ length: n }, (_, i) => i / 10);
  const val = gen.flow(x, y, { subset: 'validation', shuffle: false, sampleWeight: weights });
  const train = gen.flow(x, y, { subset: 'training', shuffle: false, sampleWeight: weights });
  assert.equal(val.n, 3);
  assert.equal(train.n, 9);
  assert.equal(train.offset, 3);
  const vb = await val.getBatch(0);
  const tb = await train.getBatch(0);
  assert.deepEqual((await batchImages(vb)).ids, [0, 1, 2]);
  assert.deepEqual((await batchImages(tb)).ids, [3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(Array.from(await tb.ys!.data()), [1, 0, 1, 0, 1, 0, 1, 0, 1]);
  assert.deepEqual(Array.from(await tb.sampleWeight!.data()), Array.from(weights.subarray(3)), 'sample weights are split with the samples');
  tf.dispose([vb, tb] as unknown as tf.TensorContainer);

  // Sorted labels: class 1 never reaches the validation subset.
  const sorted = Int32Array.from({ length: n }, (_, i) => (i < 6 ? 0 : 1));
  assert.throws(() => gen.flow(x, sorted, { subset: 'training' }), (e: Error) => e instanceof DataConfigError && /class\(es\) 1 only in training/.test(e.message) && /ignoreClassSplit: true/.test(e.message) && /shuffle/.test(e.message));
  const oneHotSorted = Array.from(sorted, (k) => [1 - k, k]);
  assert.throws(() => gen.flow(x, oneHotSorted, { subset: 'validation' }), /class\(es\) 1 only in training/, 'one-hot rows are checked per class column');
  assert.equal(gen.flow(x, sorted, { subset: 'validation', ignoreClassSplit: true }).n, 3);
  assert.equal(gen.flow(x, null, { subset: 'training' }).n, 9, 'no y, no class check');
  assert.throws(() => new ImageDataGenerator().flow(x, y, { subset: 'training' }), /subset: 'training' needs a validationSplit/);
  assert.throws(() => new ImageDataGenerator({ validationSplit: 0.05 }).flow(x, null, { subset: 'validation' }), /subset 'validation' is empty/);
});

test('sampleWeight rides along in batches; toDataset leaves it out with a warning', async () => {
  const n = 7;
  const x = { data: images(n), shape: [n, H, W, C] };
  const w = tf.tensor1d(Array.from({ length: n }, (_, i) => i + 0.5));
  const it = new ImageDataGenerator().flow(x, Float32Array.from({ length: n }, (_, i) => i), { sampleWeight: w, batchSize: 4, seed: 1 });
  w.dispose();
  for await (const b of it) {
    const ids = (await batchImages(b)).ids;
    assert.deepEqual(Array.from(await b.sampleWeight!.data()), ids.map((i) => i + 0.5));
    assert.deepEqual(b.sampleWeight!.shape, [ids.length]);
    tf.dispose(b as unknown as tf.TensorContainer);
  }
  // The README's custom loop: the weights reach the loss (training with them differs from training with ones).
  const train = async (ones: boolean) => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [H, W, C] }), tf.layers.dense({ units: 1, kernelInitializer: 'zeros' })] });
    const optimizer = tf.train.sgd(1e-5);
    it.reset();
    for await (const { xs, ys, sampleWeight } of it) {
      const sw = ones ? tf.onesLike(sampleWeight!) : sampleWeight!;
      optimizer.minimize(() => tf.losses.meanSquaredError(ys!.reshape([-1, 1]), model.apply(xs, { training: true }) as tf.Tensor, sw.reshape([-1, 1])) as tf.Scalar);
      tf.dispose([xs, ys!, sampleWeight!, sw]);
    }
    const kernel = Array.from(await model.getWeights()[0].data());
    model.dispose();
    optimizer.dispose();
    return kernel;
  };
  const weighted = await train(false);
  assert.ok(weighted.every(Number.isFinite) && weighted.some((v) => v !== 0), 'weighted training moves the kernel');
  assert.notDeepEqual(weighted, await train(true));

  const { result: ds, warnings } = await captureConsole(() => it.toDataset());
  assert.match(warnings.join('\n'), /sample weights are left out/);
  const first = (await ds.take(1).toArray())[0];
  assert.deepEqual(Object.keys(first).sort(), ['xs', 'ys']);
  tf.dispose(first as unknown as tf.TensorContainer);
});

test('saveToDir writes decodable pictures of the augmented images', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const n = 5;
  const raw = images(n);
  const it = new ImageDataGenerator({ horizontalFlip: true, rescale: 1 / 255 }).flow({ data: raw, shape: [n, H, W, C] }, null, { batchSize: 2, seed: 2, saveToDir: dir, savePrefix: 'aug' });
  for await (const b of it) {
    assert.ok(Math.max(...(await b.xs.data())) <= 1, 'the batches are rescaled; the files are not');
    tf.dispose(b as unknown as tf.TensorContainer);
  }
  const files = (await readdir(dir)).sort();
  assert.equal(files.length, n);
  for (const f of files) {
    assert.match(f, /^aug_\d+_e0_\d+\.png$/);
    const sample = Number(f.split('_')[1]);
    const { data, info } = await sharp(path.join(dir, f)).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [W, H, C]);
    const src = raw.subarray(sample * SIZE, (sample + 1) * SIZE);
    const got = Array.from(data);
    assert.ok(got.every((v, k) => v === src[k]) || got.every((v, k) => v === mirrored(src)[k]), `${f} holds image ${sample} (0-255, before rescale), mirrored or not`);
  }
});

test('model.fitDataset trains a tiny CNN from flow(...).toDataset() on wasm, without leaking tensors', async () => {
  assert.equal(tf.getBackend(), 'wasm');
  const n = 32;
  // Class 0: dark left half; class 1: dark right half.
  const data = new Float32Array(n * SIZE);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let py = 0; py < H; py++) for (let px = 0; px < W; px++) for (let c = 0; c < C; c++) data[i * SIZE + (py * W + px) * C + c] = (px < W / 2) === (i % 2 === 0) ? 20 + i : 220 - i;
  }
  const gen = new ImageDataGenerator({ rescale: 1 / 255, validationSplit: 0.25, zoomRange: 0.1 });
  const train = gen.flow({ data, shape: [n, H, W, C] }, y, { subset: 'training', batchSize: 8, seed: 1 });
  const val = gen.flow({ data, shape: [n, H, W, C] }, y, { subset: 'validation', batchSize: 8, shuffle: false });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [H, W, C], filters: 4, kernelSize: 3, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const optimizer = tf.train.adam(0.02);
  model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  // y is [B]; the model's output is [B, 1]: reshape in a map like any tf.data pipeline.
  const asColumn = (d: tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor }>) => d.map((e) => ({ xs: e.xs, ys: e.ys.reshape([-1, 1]) }));
  await model.fitDataset(asColumn(train.toDataset()), { epochs: 1, verbose: 0 });
  const before = tf.memory().numTensors;
  const h = await model.fitDataset(asColumn(train.toDataset()), { epochs: 10, validationData: asColumn(val.toDataset()), verbose: 0 });
  const losses = h.history.loss as number[];
  const valAcc = h.history.val_acc as number[];
  assert.ok(losses[losses.length - 1] < losses[0], `loss falls: ${losses}`);
  assert.ok(valAcc[valAcc.length - 1] >= 0.99, `val acc ${valAcc}`);
  assert.equal(train.epoch, 11);
  assert.ok(tf.memory().numTensors - before <= 1, `no tensors accumulate across epochs: ${tf.memory().numTensors - before}`);
  model.dispose();
  optimizer.dispose();
});

test('getBatch and for-await across epochs leave no tensors behind; flowAsync reads tensors asynchronously', async () => {
  const n = 9;
  const x = tf.tensor4d(images(n), [n, H, W, C]);
  const y = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32');
  const start = tf.memory().numTensors;
  const it = await new ImageDataGenerator({ rotationRange: 10 }).flowAsync(x, y, { batchSize: 4 });
  for (let e = 0; e < 2; e++) for await (const b of it) tf.dispose(b as unknown as tf.TensorContainer);
  tf.dispose((await it.getBatch(2)) as unknown as tf.TensorContainer);
  assert.equal(tf.memory().numTensors, start);
  assert.equal(it.epoch, 2);
  const b = await it.getBatch(0);
  assert.equal(b.ys!.dtype, 'int32');
  tf.dispose([b as unknown as tf.TensorContainer, x, y]);
});

test('clear errors naming the option', () => {
  const gen = new ImageDataGenerator();
  const x = { data: images(4), shape: [4, H, W, C] };
  assert.throws(() => gen.flow({ data: new Float32Array(4 * H * W), shape: [4, H, W] }), /x must be images of rank 4.*\[4,8,8\].*\[n, h, w, 1\]/);
  assert.throws(() => gen.flow(x, [0, 1, 2]), /x \(images\) and y \(labels\) must have the same length.*y\.shape = \[3\]/);
  assert.throws(() => gen.flow(x, null, { sampleWeight: [1, 2] }), /"sampleWeight" must hold one weight per image, shape \[4\]/);
  assert.throws(() => gen.flow(x, null, { batchSize: 0 }), /"batchSize" must be a whole number > 0/);
  assert.throws(() => gen.flow(x, null, { batchSize: 2.5 }), /"batchSize"/);
  assert.throws(() => gen.flow(x, null, { subset: 'test' as 'training' }), /"subset" must be 'training' or 'validation'/);
  assert.throws(() => gen.flow({ data: new Float32Array(5), shape: [4, H, W, C] }), /x has 5 values but shape \[4,8,8,3\] needs 768/);
  assert.throws(() => gen.flow([[[[1]]], [[[1], [2]]]]), /ragged/);
  assert.throws(() => gen.flow(x, null, { saveFormat: 'gif' as 'png' }), /"saveFormat" must be png, jpeg or webp/);
});
