import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, RandomSearch, readEventRun, scalarsFromEvents, hparamsFromEvents, fromProtoValue } from '../../src/index.js';
import type { HyperParameters, StoredSearch } from '../../src/index.js';
import { FileStorage, tensorBoardIntegration } from '../../src/index.js';
import { emptySearch, trialRecord } from '../storage/conformance-helpers.js';

test('search({tensorboard}) writes each trial execution\'s scalars and hparams, read back by our reader', async () => {
  await initBackend('wasm');
  const dir = await mkdtemp(join(tmpdir(), 'tb-search-'));
  try {
    const xs = tf.randomNormal([48, 4], 0, 1, 'float32', 1);
    const ys = tf.cast(tf.greater(xs.sum(1, true), 0), 'float32');
    const tuner = new RandomSearch({
      hypermodel: (hp: HyperParameters) => {
        const model = tf.sequential({ layers: [
          tf.layers.dense({ inputShape: [4], units: hp.int('units', { min: 2, max: 8, step: 2 }), activation: 'relu' }),
          tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        ] });
        model.compile({ optimizer: tf.train.adam(hp.float('lr', { min: 1e-3, max: 1e-1, sampling: 'log' })), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
        return model;
      },
      objective: 'val_accuracy', maxTrials: 2, seed: 5, directory: dir, projectName: 'p', verbose: 0,
    });
    const logs = join(dir, 'logs');
    await tuner.search({ xs, ys }, { epochs: 3, validationSplit: 0.25, tensorboard: logs });
    const trials = tuner.getBestTrials(2);
    assert.equal(trials.length, 2);
    const top = hparamsFromEvents((await readEventRun(logs)).flatMap((f) => f.events));
    assert.deepEqual(top.experiment!.hparamInfos.map((h) => h.name).sort(), ['lr', 'units']);
    assert.ok(JSON.stringify(top.experiment!.metricInfos).includes('score'), 'the HPARAMS tab lists the score');
    for (const trial of trials) {
      const run = join(logs, trial.trialId, 'execution0');
      assert.deepEqual((await readdir(run)).filter((n) => !n.includes('tfevents')).sort(), ['train', 'validation']);
      const train = scalarsFromEvents((await readEventRun(join(run, 'train'))).flatMap((f) => f.events));
      const val = scalarsFromEvents((await readEventRun(join(run, 'validation'))).flatMap((f) => f.events));
      assert.deepEqual(train.get('epoch_loss')!.map((p) => p.step), [0, 1, 2]);
      const recorded = trial.metrics.val_loss;
      assert.ok(recorded, 'trial recorded val_loss');
      assert.equal(recorded.length, 3);
      assert.deepEqual(val.get('epoch_loss')!.map((p) => p.step), [0, 1, 2]);
      val.get('epoch_loss')!.forEach((p, i) => assert.ok(Math.abs(p.value - recorded[i]) < 1e-6));
      const sessionEvents = (await readEventRun(run)).flatMap((f) => f.events);
      // one execution: its best objective value is the trial's score
      assert.ok(Math.abs(scalarsFromEvents(sessionEvents).get('score')![0].value - trial.score!) < 1e-6);
      const session = hparamsFromEvents(sessionEvents);
      assert.equal(fromProtoValue(session.sessionStartInfo!.hparams.units), trial.values.units);
      assert.ok(session.sessionEndInfo, 'session end written');
    }
    tf.dispose([xs, ys]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a search with 2 worker threads logs every trial execution to TensorBoard, one HPARAMS experiment at the end', async () => {
  await initBackend('wasm');
  const { tinyData } = await import('../tuners/fixtures/tiny.js');
  const dir = await mkdtemp(join(tmpdir(), 'tb-parallel-'));
  const train = tinyData(48, 3);
  const val = tinyData(24, 4);
  try {
    const tuner = new RandomSearch({
      hypermodel: { module: join(import.meta.dirname, '..', 'tuners', 'fixtures', 'parallel-models.ts'), exportName: 'denseHypermodel' },
      objective: 'val_loss', maxTrials: 4, seed: 9, directory: dir, projectName: 'p', verbose: 0,
    });
    const logs = join(dir, 'logs');
    await tuner.search(train, { epochs: 2, validationData: val, tensorboard: logs, workers: 2 });
    const trials = [...tuner.oracle.trials.values()];
    assert.equal(trials.length, 4);
    assert.ok(trials.every((t) => t.status === 'COMPLETED'));
    // the experiment: written again by the coordinator at the end, earlier copies replaced
    const rootFiles = (await readdir(logs)).filter((n) => n.includes('tfevents'));
    assert.equal(rootFiles.length, 1, `one experiment file: ${rootFiles}`);
    for (const trial of trials) {
      const run = join(logs, trial.trialId, 'execution0');
      const valScalars = scalarsFromEvents((await readEventRun(join(run, 'validation'))).flatMap((f) => f.events));
      const recorded = trial.metrics.val_loss;
      assert.deepEqual(valScalars.get('epoch_loss')!.map((p) => p.step), [0, 1]);
      assert.equal(recorded.length, 2);
      valScalars.get('epoch_loss')!.forEach((p, i) => assert.ok(Math.abs(p.value - recorded[i]) < 1e-6, `trial ${trial.trialId} epoch ${i}`));
      const session = hparamsFromEvents((await readEventRun(run)).flatMap((f) => f.events));
      assert.ok(session.sessionStartInfo && session.sessionEndInfo, `trial ${trial.trialId}: session start and end`);
    }
  } finally {
    tf.dispose([train.xs, train.ys, val.xs, val.ys]);
    await rm(dir, { recursive: true, force: true });
  }
});

test('the end-of-search HPARAMS experiment is read from the storage: its space and every metric of the trials it holds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tb-storage-'));
  try {
    const storage = new FileStorage(dir, 'p');
    await storage.open();
    const search = emptySearch();
    search.state.space = [
      { name: 'units', type: 'int', min: 2, max: 8, step: 2, sampling: 'linear', default: 2, conditions: [] },
      { name: 'act', type: 'choice', values: ['relu', 'tanh'], default: 'relu', ordered: false, conditions: [] },
    ] as StoredSearch['state']['space'];
    search.state.trialIds = ['0000', '0001'];
    await storage.transaction(async (tx) => {
      // trials no oracle of this process has seen (another process ran them): val_auc only in the second
      await tx.saveTrial({ ...trialRecord('0000', 0.5), metrics: { loss: [1, 0.5] } });
      await tx.saveTrial({ ...trialRecord('0001', 0.25), metrics: { loss: [1, 0.25], val_auc: [0.6, 0.7] } });
      await tx.saveSearch(search);
    });
    const logs = join(dir, 'logs');
    await tensorBoardIntegration.searchEnd!(logs, storage);
    const top = hparamsFromEvents((await readEventRun(logs)).flatMap((f) => f.events));
    assert.deepEqual(top.experiment!.hparamInfos.map((h) => h.name).sort(), ['act', 'units']);
    const metrics = top.experiment!.metricInfos.map((m) => `${m.name?.group}/${m.name?.tag}`).sort();
    assert.deepEqual(metrics, ['/score', 'train/epoch_loss', 'validation/epoch_auc']);
    await storage.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('TensorBoard is passed to the package\'s tuners, not set as a side effect: a src/tuners tuner still refuses {tensorboard} with the package loaded', async () => {
  const { RandomSearch: SearchOnly } = await import('../../src/tuners/builtin-tuners.js');
  const dir = await mkdtemp(join(tmpdir(), 'tb-explicit-'));
  const xs = tf.zeros([4, 2]);
  const ys = tf.zeros([4, 1]);
  try {
    const hypermodel = () => {
      const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const opts = { hypermodel, objective: 'loss', maxTrials: 1, directory: dir, verbose: 0 as const };
    assert.equal(new RandomSearch({ ...opts, projectName: 'package' }).tensorBoardIntegration, tensorBoardIntegration);
    const alone = new SearchOnly({ ...opts, projectName: 'alone' });
    assert.equal(alone.tensorBoardIntegration, undefined);
    await assert.rejects(alone.search({ xs, ys }, { tensorboard: join(dir, 'logs') }), /needs the TensorBoard integration: .*pass tensorBoardIntegration/);
    // given explicitly, it writes
    const given = new SearchOnly({ ...opts, projectName: 'given', tensorBoardIntegration });
    await given.search({ xs, ys }, { tensorboard: join(dir, 'logs') });
    assert.deepEqual((await readdir(join(dir, 'logs'))).filter((n) => !n.includes('tfevents')), ['0000']);
  } finally {
    tf.dispose([xs, ys]);
    await rm(dir, { recursive: true, force: true });
  }
});
