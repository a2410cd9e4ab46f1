/**
 * The README's CLI claims, each checked where its effect shows: --color-mode, --batch-size, --backend,
 * --tuner bayesian and the default --workers in what the training actually received; --overwrite,
 * predict on nested folders, summary of a search that is still running. Tiny images, 1 epoch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { defaultWorkerCount } from '../../src/tuners/workers/worker-count.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'fixtures');
const work = mkdtempSync(path.join(tmpdir(), 'tfjs-tuner-claims-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const cliArgs = (args: string[]) => ['--import', 'tsx', path.join(root, 'src/cli/run.ts'), ...args];
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

// A hypermodel whose space has 4 points; every training run appends what it was given to RECORD:
// the input shape, the thread it ran in, and each batch's size.
const RECORD = path.join(work, 'record.jsonl');
const MODULE = path.join(work, 'recording-model.mjs');
writeFileSync(MODULE, `
  import { appendFileSync, existsSync, readFileSync } from 'node:fs';
  import { threadId } from 'node:worker_threads';
  export default function (hp, context) {
    const { tf } = context;
    const filters = hp.choice('filters', [2, 4]);
    const lr = hp.choice('lr', [0.01, 0.02]);
    const state = process.env.HOLD_PROJECT && process.env.HOLD_PROJECT + '/oracle.json';
    if (state && existsSync(state) && readFileSync(state, 'utf8').includes('"RUNNING"')) {
      // keeps a trial running (for the summary-of-a-running-search test) until the test kills the process
      appendFileSync(process.env.HOLD_MARKER, 'held\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);
    }
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: context.inputShape, filters, kernelSize: 3, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: context.numClasses, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: tf.train.adam(lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const sizes = [];
    const record = new tf.CustomCallback({
      onBatchEnd: async (_b, logs) => { sizes.push(logs.size); },
      onTrainEnd: async () => {
        appendFileSync(${JSON.stringify(RECORD)}, JSON.stringify({ filters, lr, inputShape: context.inputShape, threadId, backend: tf.getBackend(), sizes }) + '\\n');
      },
    });
    for (const method of ['fit', 'fitDataset']) {
      const original = model[method].bind(model);
      model[method] = (data, ...rest) => {
        const args = rest[rest.length - 1] ?? {};
        return original(data, ...rest.slice(0, -1), { ...args, callbacks: [...(args.callbacks ?? []), record] });
      };
    }
    return model;
  }
`);
const records = () => readFileSync(RECORD, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

const tuneArgs = (project: string, extra: string[]) => [
  'tune', '--train', path.join(fixtures, 'toonvision/train'), '--val', path.join(fixtures, 'toonvision/val'), '--hypermodel', MODULE,
  '--epochs', '1', '--image-size', '8x8', '--directory', work, '--project-name', project, '--seed', '5', ...extra,
];

test('--tuner bayesian, --color-mode grayscale, --batch-size 7, --backend cpu and the default --workers reach the training', () => {
  rmSync(RECORD, { force: true });
  // 6 trials asked of a 4-point space: Bayesian optimization never repeats one, so it runs 4
  const r = cli([...tuneArgs('claims', ['--tuner', 'bayesian', '--max-trials', '6', '--color-mode', 'grayscale', '--batch-size', '7', '--backend', 'cpu']), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.backend, 'cpu', '--backend wins over TFJS_TUNER_BACKEND');
  assert.equal(r.json.trials, 4);
  const oracle = JSON.parse(readFileSync(path.join(work, 'claims', 'oracle.json'), 'utf8')).state;
  assert.equal(oracle.kind, 'BayesianOptimization');
  const configs = oracle.trials.map((t: any) => JSON.stringify([t.hyperparameters.values.filters, t.hyperparameters.values.lr]));
  assert.equal(new Set(configs).size, 4, `no configuration repeated: ${configs}`);

  const runs = records();
  assert.equal(runs.length, 4);
  for (const run of runs) {
    assert.deepEqual(run.inputShape, [8, 8, 1], 'grayscale: one channel');
    assert.equal(run.backend, 'cpu');
    // 240 training images in batches of 7: 34 full ones and the last of 2
    assert.deepEqual(run.sizes, [...Array(34).fill(7), 2]);
  }
  // the default --workers: as many threads trained as defaultWorkerCount() allows here (serially: the main thread)
  const expected = Math.min(defaultWorkerCount(), 4);
  const threads = new Set(runs.map((x) => x.threadId));
  if (expected === 1) assert.deepEqual([...threads], [0]);
  else assert.ok(threads.size >= 2 && !threads.has(0), `trained in worker threads ${[...threads]} (default ${expected} workers)`);
  const meta = JSON.parse(readFileSync(path.join(r.json.modelPath, 'tfjs-tuner.json'), 'utf8'));
  assert.equal(meta.colorMode, 'grayscale');

  // predict searches subfolders: the test folder's 4 class folders, and one more level below
  const nested = cli(['predict', '--model', r.json.modelPath, path.join(fixtures, 'toonvision'), '--json']);
  assert.equal(nested.code, 0, nested.stderr);
  const all = ['train', 'val', 'test'].flatMap((s) => readdirSync(path.join(fixtures, 'toonvision', s), { recursive: true }).map(String).filter((f) => f.endsWith('.png')));
  assert.ok(all.length >= 240);
  assert.equal(nested.json.length, all.length, 'every image in every subfolder');

  // --overwrite starts afresh: without it the same command resumes (4 trials kept), with it 1 new trial
  const resumed = cli([...tuneArgs('claims', ['--tuner', 'bayesian', '--max-trials', '6', '--color-mode', 'grayscale', '--workers', '1']), '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.json.trials, 4);
  const fresh = cli([...tuneArgs('claims', ['--tuner', 'bayesian', '--max-trials', '1', '--workers', '1', '--overwrite']), '--json']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.json.trials, 1);
  assert.deepEqual(readdirSync(path.join(work, 'claims')).filter((n) => n.startsWith('trial_')).length, 1);
});

test('summary shows a search that is still running, its running trial included', async () => {
  const marker = path.join(work, 'held');
  const child = spawn(process.execPath, cliArgs(tuneArgs('running', ['--tuner', 'random', '--max-trials', '3', '--workers', '1'])), {
    cwd: root, stdio: 'ignore', env: { ...process.env, TFJS_TUNER_BACKEND: 'wasm', HOLD_MARKER: marker, HOLD_PROJECT: path.join(work, 'running') },
  });
  try {
    const deadline = Date.now() + 120_000;
    while (!existsSync(marker)) {
      assert.ok(Date.now() < deadline, 'the search never started its first trial');
      await new Promise((r) => setTimeout(r, 50));
    }
    const s = cli(['summary', '--directory', work, '--project-name', 'running', '--json']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.json.trials.length, 1);
    assert.equal(s.json.trials[0].status, 'RUNNING');
    const text = cli(['summary', '--directory', work, '--project-name', 'running']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /RUNNING/);
  } finally {
    child.kill('SIGKILL');
  }
});
