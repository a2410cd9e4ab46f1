import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Hyperband, RandomSearch } from '../../src/tuners/builtin-tuners.js';
import type { Trial } from '../../src/tuners/trial.js';
import { ConsoleDisplay } from '../../src/tuners/display.js';
import { searchFixture } from './fixtures/search-fixture.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'parallel-models.ts');
const fx = searchFixture('tuner-parallel-');

/** A trial as a comparable fact: its configuration and schedule position (not its id), its results. */
function facts(trials: Iterable<Trial>, byId: (id: string) => Trial): string[] {
  return [...trials].map((t) => {
    const { 'tuner/trial_id': parent, ...values } = t.values;
    const parentValues = typeof parent === 'string' ? Object.entries(byId(parent).values).filter(([k]) => !k.startsWith('tuner/')) : null;
    return JSON.stringify({ values: Object.entries(values).sort(), parentValues, status: t.status, score: t.score, bestStep: t.bestStep, metrics: t.metrics });
  }).sort();
}

test('Hyperband with 2 workers trains the same trials, with the same scores, as the serial search', async () => {
  const make = (projectName: string, display?: ConsoleDisplay) => new Hyperband({
    hypermodel: { module: MODELS, exportName: 'denseHypermodel' }, objective: 'val_loss', maxEpochs: 4, factor: 2, seed: 21,
    directory: fx.root, projectName, ...(display ? { display } : { verbose: 0 as const }),
  });
  const serial = make('serial');
  await serial.search(fx.train, { validationData: fx.val });
  const out: string[] = [];
  const parallel = make('parallel', new ConsoleDisplay((t) => out.push(t), { tables: true }));
  await parallel.search(fx.train, { validationData: fx.val, workers: 2 });
  const s = serial.oracle;
  const p = parallel.oracle;
  assert.equal(s.trials.size, 15);
  assert.equal(p.trials.size, 15);
  assert.ok([...p.trials.values()].every((t) => t.status === 'COMPLETED'));
  assert.deepEqual(facts(p.trials.values(), (id) => p.getTrial(id)), facts(s.trials.values(), (id) => s.getTrial(id)));
  assert.equal(p.getBestTrials(1)[0].score, s.getBestTrials(1)[0].score);
  assert.equal(p.ongoing.size, 0);
  // every trial's checkpoint exists, and the best model reloads in this thread
  for (const id of p.trials.keys()) assert.ok(existsSync(join(fx.root, 'parallel', `trial_${id}`, 'checkpoint', 'model.json')));
  const [model] = await parallel.getBestModels(1);
  const [loss] = model.evaluate(fx.val.xs, fx.val.ys) as tf.Scalar[];
  assert.ok(Math.abs(loss.dataSync()[0] - p.getBestTrials(1)[0].score!) < 1e-5);
  tf.dispose(loss);
  model.dispose();
  // the display showed two trials running at once
  const text = out.join('');
  assert.match(text, /Running 2: #\d+ \[w[01]\] epoch \d\/\d.* \| #\d+ \[w[01]\] epoch/);
  assert.match(text, /Search finished: 15 trial\(s\) run/);
  // the parallel run kept both workers busy: bracket 1 started before bracket 2 had finished
  const order = p.startOrder.map((id) => `${p.getTrial(id).values['tuner/bracket']}/${p.getTrial(id).values['tuner/round']}`);
  assert.ok(order.indexOf('1/0') < order.indexOf('2/2'), `next bracket opened while a round waited: ${order.join(' ')}`);
});

test('a worker that dies mid-trial has its trial retried; the search goes on', async () => {
  const marker = join(fx.root, 'crashed');
  // crash on the units value of the third trial a seeded serial search draws
  const serial = new RandomSearch({ hypermodel: { module: MODELS, exportName: 'denseHypermodel' }, objective: 'val_loss', maxTrials: 5, seed: 4, directory: fx.root, projectName: 'crash-serial', verbose: 0 });
  await serial.search(fx.train, { validationData: fx.val, epochs: 2 });
  const victim = serial.oracle.getTrial(serial.oracle.startOrder[2]);
  const crashing = new RandomSearch({
    hypermodel: { module: MODELS, exportName: 'crashingHypermodel' }, hypermodelOptions: { marker, crashUnits: victim.values.units },
    objective: 'val_loss', maxTrials: 5, seed: 4, directory: fx.root, projectName: 'crash2', verbose: 0,
  });
  const messages: string[] = [];
  (crashing as unknown as { display: { message: (t: string) => void } }).display.message = (t) => messages.push(t);
  await crashing.search(fx.train, { validationData: fx.val, epochs: 2, workers: 2 });
  assert.ok(existsSync(marker), 'a worker died');
  const trials = [...crashing.oracle.trials.values()];
  assert.equal(trials.length, 5);
  assert.ok(trials.every((t) => t.status === 'COMPLETED'), trials.map((t) => `${t.trialId} ${t.status} ${t.message}`).join('\n'));
  const retried = trials.filter((t) => t.crashes > 0);
  assert.ok(retried.length >= 1);
  assert.ok(retried.every((t) => t.values.units === victim.values.units));
  assert.match(messages.join('\n'), /its worker died \(exit code 7\); it will run again/);
  // the retry trained the same model (same seed) as the serial search did
  assert.deepEqual(facts(trials, (id) => crashing.oracle.getTrial(id)), facts(serial.oracle.trials.values(), (id) => serial.oracle.getTrial(id)));
});

test('a worker that runs out of memory dies alone: its trial is retried, then FAILED, and the search ends saying no trial completed', async () => {
  const tuner = new RandomSearch({
    hypermodel: { module: MODELS, exportName: 'memoryHog' }, objective: 'val_loss', maxTrials: 1, seed: 2, directory: fx.root, projectName: 'oom', verbose: 0,
  });
  // its only trial failed: search() says so with the cause (the process itself lives on)
  await assert.rejects(tuner.search(fx.train, { validationData: fx.val, workers: 2, workerMemoryMb: 96 }), /No trial completed .*all 1 failed.*(ERR_WORKER_OUT_OF_MEMORY|out of memory)/is);
  const [trial] = [...tuner.oracle.trials.values()];
  assert.equal(trial.status, 'FAILED');
  assert.equal(trial.crashes, 3, 'ran three times (two retries)');
  assert.match(trial.message!, /ERR_WORKER_OUT_OF_MEMORY|out of memory/i);
  assert.equal(tuner.oracle.ongoing.size, 0);
});

test('parallel search errors: function hypermodels, datasets and callbacks cannot cross to workers; fatal trial errors stop the search', async () => {
  const fn = new RandomSearch({ hypermodel: (await import('./fixtures/tiny.js')).denseHypermodel, maxTrials: 1, directory: fx.root, projectName: 'err-fn', verbose: 0 });
  await assert.rejects(fn.search(fx.train, { validationData: fx.val, workers: 2 }), /worker threads, which cannot receive a function: pass the hypermodel as \{module/);
  const mod = () => new RandomSearch({ hypermodel: { module: MODELS, exportName: 'denseHypermodel' }, maxTrials: 1, directory: fx.root, projectName: 'err-mod', verbose: 0 });
  const ds = tf.data.zip({ xs: tf.data.array([[0, 0, 0, 0]]), ys: tf.data.array([[0]]) }).batch(1) as unknown as tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>;
  await assert.rejects(mod().search(ds, { workers: 2 }), /a tf\.data\.Dataset cannot be sent to worker threads/);
  // an in-memory iterator (flow) has toDataset() but no toWorkerSpec(): the error says what works instead
  const { ImageDataGenerator } = await import('../../src/data/image-data-generator.js');
  const images = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
  const flowed = new ImageDataGenerator().flow(images, [0, 1], { batchSize: 2 });
  images.dispose();
  await assert.rejects(mod().search(flowed as never, { workers: 2 }), /flowFromDataframeForWorkers\(\.\.\.\), or have toWorkerSpec\(\).*or search with workers: 1/);
  await assert.rejects(mod().search(fx.train, { validationData: fx.val, workers: 2, callbacks: [{ onEpochEnd: async () => {} }] }), /callbacks and trialCallbacks cannot be sent to worker threads/);
  await assert.rejects(mod().search(fx.train, { workers: 0 }), /workers must be a positive integer/);
  await assert.rejects(new RandomSearch({ hypermodel: { module: './relative.js' }, maxTrials: 1, directory: fx.root, projectName: 'err-rel', verbose: 0 }).search(fx.train, { workers: 2 }),
    /"\.\/relative\.js" is relative: give an absolute path/);
  const fatal = new RandomSearch({ hypermodel: { module: MODELS, exportName: 'fatalFit' }, maxTrials: 3, directory: fx.root, projectName: 'err-fatal', verbose: 0 });
  await assert.rejects(fatal.search(fx.train, { validationData: fx.val, workers: 2 }), (err: Error) => err.name === 'FatalError' && /does not match the model/.test(err.message));
  // the trials in flight were put back for a resumed search, not left RUNNING under a dead worker
  const state = JSON.parse(await fs.readFile(join(fx.root, 'err-fatal', 'oracle.json'), 'utf8')).state;
  assert.deepEqual(state.ongoing, {});
  assert.ok(state.retryQueue.length >= 1);
});

test('a serial search joins a parallel one on one project; a serial search of an older version (plain tuner id) is refused', async () => {
  const make = () => new RandomSearch({ hypermodel: { module: MODELS, exportName: 'denseHypermodel' }, maxTrials: 2, seed: 1, directory: fx.root, projectName: 'mixed', verbose: 0 });
  await make().search(fx.train, { validationData: fx.val });
  const oraclePath = join(fx.root, 'mixed', 'oracle.json');
  const saved = await fs.readFile(oraclePath, 'utf8');
  const first: string = JSON.parse(saved).state.trials[0].trialId;
  const other = spawn('sleep', ['30']); // stands in for another live process on this host
  try {
    const withOngoing = async (tunerId: string) => {
      const file = JSON.parse(saved);
      file.state.ongoing = { [tunerId]: first };
      file.state.trials[0].status = 'RUNNING'; // as a killed search leaves it
      file.state.endOrder = file.state.endOrder.filter((id: string) => id !== first);
      await fs.writeFile(oraclePath, JSON.stringify(file));
    };
    const otherSlot = `tuner0/${hostname()}/${other.pid}/w0`;
    await withOngoing(otherSlot);
    // workers: 1 is one more worker of the search: it leaves the live process's trial to it
    const joined = make();
    await joined.search(fx.train, { validationData: fx.val });
    assert.equal(joined.oracle.getTrial(first).status, 'RUNNING');
    assert.deepEqual([...joined.oracle.ongoing], [[otherSlot, first]]);
    await withOngoing('tuner0');
    await fs.writeFile(join(fx.root, 'mixed', 'tuner0.json'), JSON.stringify({ host: hostname(), pid: other.pid }));
    await assert.rejects(make().search(fx.train, { validationData: fx.val, workers: 2 }), /A serial search \(tuner "tuner0", workers: 1\) is running/);
  } finally {
    other.kill();
  }
  // once that process is gone, its trial is taken back and the parallel search finishes the project
  await new Promise((r) => setTimeout(r, 100));
  const t = make();
  await t.search(fx.train, { validationData: fx.val, workers: 2 });
  assert.deepEqual([...t.oracle.trials.values()].map((x) => x.status), ['COMPLETED', 'COMPLETED']);
  assert.equal(t.oracle.getTrial(first).crashes, 1, 'the trial the dead serial search left RUNNING ran again');
});
