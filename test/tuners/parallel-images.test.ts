import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { GridSearch } from '../../src/tuners/builtin-tuners.js';
import { disposeModel } from '../../src/tuners/trial-runner.js';
import { SIZE, decodeFolder, writeImages } from './fixtures/stripes.js';
import { SharedImageSource, type SharedImages } from './fixtures/parallel-models.js';
import { flowFromDirectoryForWorkers } from '../../src/data/worker-sources/directory-source.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'parallel-models.ts');

/** Decodes the folder once into SharedArrayBuffers (what a DirectoryIterator's toWorkerSpec can hand its workers). */
async function decodeShared(dir: string): Promise<SharedImages> {
  const { xs, ys } = await decodeFolder(dir);
  const pixels = new SharedArrayBuffer(xs.size * 4);
  new Float32Array(pixels).set(xs.dataSync());
  const labels = new SharedArrayBuffer(ys.shape[0] * 4);
  new Int32Array(labels).set(tf.tidy(() => ys.argMax(1)).dataSync());
  const shape = xs.shape;
  tf.dispose([xs, ys]);
  return { pixels, labels, shape, numClasses: 2 };
}

test('a CNN on real PNG images tunes with 2 workers exactly as in one thread; workers share the decoded pixels', async () => {
  await initBackend();
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-parallel-images-'));
  try {
    await writeImages(join(root, 'train'), 12, 1);
    await writeImages(join(root, 'val'), 6, 2);
    const train = await new SharedImageSource(await decodeShared(join(root, 'train'))).ready();
    const val = await decodeFolder(join(root, 'val'));
    const make = (projectName: string) => new GridSearch({
      hypermodel: { module: MODELS, exportName: 'stripesCnn' }, objective: 'val_accuracy', maxTrials: 4, seed: 5, directory: root, projectName, verbose: 0,
    });
    const parallel = make('parallel');
    await parallel.search(train, { validationData: val, epochs: 3, batchSize: 8, workers: 2 });
    const serial = make('serial');
    await serial.search(train, { validationData: val, epochs: 3, batchSize: 8 });
    const summary = (t: GridSearch) => [...t.oracle.trials.values()].map((x) => [x.trialId, x.values, x.status, x.score, x.metrics.val_loss]);
    assert.deepEqual(summary(parallel), summary(serial));
    assert.equal(parallel.oracle.trials.size, 4);
    const best = parallel.getBestTrials(1)[0];
    assert.ok(best.score! >= 0.75, `stripes are learnable (val_accuracy ${best.score})`);
    const [model] = await parallel.getBestModels(1);
    const [loss, acc] = model.evaluate(val.xs, val.ys) as tf.Scalar[];
    assert.ok(Math.abs(acc.dataSync()[0] - best.score!) < 1e-6, 'the checkpoint a worker wrote reloads here with its score');
    tf.dispose([loss, acc]);
    disposeModel(model);
    tf.dispose([val.xs, val.ys]);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('a DirectoryIterator goes to the workers with its folder decoded once, in shared memory', async () => {
  await initBackend();
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-parallel-folder-'));
  try {
    await writeImages(join(root, 'train'), 12, 3);
    await writeImages(join(root, 'val'), 6, 4);
    const files: string[] = [];
    for (const sub of ['train', 'val']) for (const cls of ['horizontal', 'vertical']) for (const f of await fs.readdir(join(root, sub, cls))) files.push(join(root, sub, cls, f));
    const stamp = new Date(1_700_000_000_000);
    for (const f of files) await fs.utimes(f, stamp, stamp);
    const source = (sub: string, shuffle: boolean) => flowFromDirectoryForWorkers({
      directory: join(root, sub), generator: { rescale: 1 / 255, horizontalFlip: true },
      flow: { targetSize: [SIZE, SIZE], batchSize: 8, shuffle, seed: 11, verbose: false },
    });
    const make = (projectName: string) => new GridSearch({
      hypermodel: { module: MODELS, exportName: 'stripesCnn' }, objective: 'val_accuracy', maxTrials: 4, seed: 5, directory: root, projectName, verbose: 0,
    });
    // serial, on fresh iterators
    const serial = make('serial');
    await serial.search(source('train', true), { validationData: source('val', false), epochs: 3 });
    // decode both folders once, here; then garble every file (same size and time, so the cache keys hold):
    // a worker that decoded a file itself would fail on it
    const train = source('train', true);
    const val = source('val', false);
    const spec = await train.toWorkerSpec();
    await val.toWorkerSpec();
    const shared = (spec.options as { shared: { buffer: SharedArrayBuffer; keys: string[] } }).shared;
    assert.equal(shared.keys.filter(Boolean).length, 24, 'every training image decoded into the shared buffer');
    assert.ok(shared.buffer instanceof SharedArrayBuffer);
    for (const f of files) {
      const size = (await fs.stat(f)).size;
      await fs.writeFile(f, Buffer.alloc(size, 7));
      await fs.utimes(f, stamp, stamp);
    }
    const parallel = make('parallel');
    await parallel.search(train, { validationData: val, epochs: 3, workers: 2 });
    const summary = (t: GridSearch) => [...t.oracle.trials.values()].map((x) => [x.trialId, x.values, x.status, x.score, x.metrics.loss]);
    assert.deepEqual(summary(parallel), summary(serial), 'the workers trained on the same batches as the serial search');
    assert.ok(parallel.getBestTrials(1)[0].score! >= 0.75);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('a flowFromDataframe iterator goes to the workers with its rows decoded once, in shared memory', async () => {
  await initBackend();
  const { flowFromDataframeForWorkers } = await import('../../src/data/worker-sources/dataframe-source.js');
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-parallel-dataframe-'));
  try {
    await writeImages(join(root, 'images'), 10, 5);
    // CSV-like rows: the label column, not the folder, names the class
    const records: { file: string; label: string }[] = [];
    for (const cls of ['horizontal', 'vertical']) for (const f of (await fs.readdir(join(root, 'images', cls))).sort()) records.push({ file: `${cls}/${f}`, label: cls[0] });
    const stamp = new Date(1_700_000_000_000);
    for (const r of records) await fs.utimes(join(root, 'images', r.file), stamp, stamp);
    const source = (subset: 'training' | 'validation') => flowFromDataframeForWorkers({
      records, generator: { rescale: 1 / 255, validationSplit: 0.3 },
      flow: { directory: join(root, 'images'), xCol: 'file', yCol: 'label', subset, targetSize: [SIZE, SIZE], batchSize: 8, shuffle: subset === 'training', seed: 3, verbose: false },
    });
    const make = (projectName: string) => new GridSearch({
      hypermodel: { module: MODELS, exportName: 'stripesCnn' }, objective: 'val_accuracy', maxTrials: 2, seed: 5, directory: root, projectName, verbose: 0,
    });
    const serial = make('serial');
    await serial.search(source('training'), { validationData: source('validation'), epochs: 2 });
    const train = source('training');
    const val = source('validation');
    const spec = await train.toWorkerSpec();
    await val.toWorkerSpec();
    const shared = (spec.options as { shared: { keys: string[] } }).shared;
    assert.equal(shared.keys.filter(Boolean).length, train.samples, 'every training row decoded into the shared buffer');
    // garble every file (same size and time): a worker that decoded a file itself would fail on it
    for (const r of records) {
      const f = join(root, 'images', r.file);
      await fs.writeFile(f, Buffer.alloc((await fs.stat(f)).size, 7));
      await fs.utimes(f, stamp, stamp);
    }
    const parallel = make('parallel');
    await parallel.search(train, { validationData: val, epochs: 2, workers: 2 });
    const summary = (t: GridSearch) => [...t.oracle.trials.values()].map((x) => [x.trialId, x.values, x.status, x.score, x.metrics.loss]);
    assert.deepEqual(summary(parallel), summary(serial), 'the workers trained on the same batches as the serial search');
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
