/**
 * Search quality under a time budget: on a generated 10-class image set (bench/quality-data.ts), each
 * tuner searches the built-in CNN space with search({maxTime}); we record the best validation accuracy
 * reached by each budget mark (from the trials' end times) and the final best model's test accuracy;
 * median over seeds. The LAST line is one JSON object.
 *   npm run bench:quality                 (--quick, the default: 28x28, 1 seed, marks 10 s / 20 s)
 *   npm run bench:quality -- --full       (28x28 and 64x64, 3 seeds, marks 60 s / 300 s)
 *   -- --tuners hyperband,bohb --sizes 28 --budgets 30,60 --seeds 1,2 --train 1500
 */
import { promises as fs } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/runtime/backend.js';
import { ASHA, BayesianOptimization, BOHB, Hyperband, RandomSearch } from '../src/tuners/index.js';
import { cnnHypermodel } from '../src/models/cnn-hypermodel.js';
import { disposeModel } from '../src/tuners/trial-runner.js';
import type { Tuner } from '../src/tuners/tuner.js';
import { qualityImages } from './quality-data.js';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const full = args.includes('--full');
const list = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d);
const TUNERS = (arg('--tuners') ?? 'random,bayesian,hyperband,bohb,asha').split(',');
const SIZES = list(arg('--sizes'), full ? [28, 64] : [28]);
const BUDGETS = list(arg('--budgets'), full ? [60, 300] : [10, 20]);
const SEEDS = list(arg('--seeds'), full ? [1, 2, 3] : [1]);
const N_TRAIN = Number(arg('--train') ?? (full ? 3000 : 1000));
const N_EVAL = Math.round(N_TRAIN / 4);
const MAX_TIME = Math.max(...BUDGETS);

function makeTuner(kind: string, hypermodel: ReturnType<typeof cnnHypermodel>, seed: number, directory: string, projectName: string, onEnd: (seconds: number, score: number | null) => void): Tuner {
  const display = { trialEnd: (i: { trial: { score: number | null; status: string }; totalSeconds: number }) => onEnd(i.totalSeconds, i.trial.status === 'COMPLETED' ? i.trial.score : null) };
  const common = { hypermodel, objective: 'val_accuracy', seed, directory, projectName, overwrite: true, display };
  switch (kind) {
    case 'random': return new RandomSearch({ ...common, maxTrials: 1000 });
    case 'bayesian': return new BayesianOptimization({ ...common, maxTrials: 1000 });
    case 'hyperband': return new Hyperband({ ...common, maxEpochs: 9, factor: 3 });
    case 'bohb': return new BOHB({ ...common, maxEpochs: 9, factor: 3 });
    case 'asha': return new ASHA({ ...common, maxEpochs: 9, factor: 3, maxTrials: 1000 });
    default: throw new Error(`--tuners: unknown tuner ${kind} (random, bayesian, hyperband, bohb, asha)`);
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const accuracy = (model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor) => tf.tidy(() => {
  const pred = (model.predict(xs, { batchSize: 64 }) as tf.Tensor).argMax(-1);
  return pred.equal(ys.cast('int32')).mean().dataSync()[0];
});

await initBackend();
const root = await fs.mkdtemp(join(tmpdir(), 'bench-quality-'));
const load0 = loadavg()[0];
const results: Record<string, Record<string, unknown>> = {};
try {
  for (const size of SIZES) {
    for (const kind of TUNERS) {
      const runs: Array<{ byBudget: number[]; test: number; trials: number }> = [];
      for (const seed of SEEDS) {
        const train = qualityImages(N_TRAIN, size, 1000 * seed + 1);
        const val = qualityImages(N_EVAL, size, 1000 * seed + 2);
        const test = qualityImages(N_EVAL, size, 1000 * seed + 3);
        const ends: Array<{ t: number; score: number | null }> = [];
        const hypermodel = cnnHypermodel({ inputShape: [size, size, 3], numClasses: 10 });
        const tuner = makeTuner(kind, hypermodel, seed, root, `${kind}-${size}-${seed}`, (t, score) => ends.push({ t, score }));
        await tuner.search(train, { validationData: val, epochs: 3, batchSize: 32, maxTime: MAX_TIME });
        const byBudget = BUDGETS.map((b) => Math.max(0, ...ends.filter((e) => e.t <= b + 1e-9 && e.score !== null).map((e) => e.score!)));
        const [model] = await tuner.getBestModels(1);
        const testAcc = model ? accuracy(model, test.xs, test.ys) : 0;
        if (model) disposeModel(model);
        tf.dispose([train.xs, train.ys, val.xs, val.ys, test.xs, test.ys]);
        runs.push({ byBudget, test: testAcc, trials: ends.length });
        console.log(`${size}x${size} ${kind} seed ${seed}: best val_accuracy ${BUDGETS.map((b, i) => `@${b}s ${byBudget[i].toFixed(3)}`).join(', ')}; ` +
          `test accuracy ${testAcc.toFixed(3)}; ${ends.length} trials (load ${loadavg()[0].toFixed(1)})`);
      }
      results[`${size}x${size}/${kind}`] = {
        ...Object.fromEntries(BUDGETS.map((b, i) => [`val@${b}s`, +median(runs.map((r) => r.byBudget[i])).toFixed(4)])),
        test: +median(runs.map((r) => r.test)).toFixed(4), trials: median(runs.map((r) => r.trials)),
      };
    }
  }
  console.log(JSON.stringify({
    bench: 'quality', mode: full ? 'full' : 'quick', backend: tf.getBackend(), cores: availableParallelism(),
    loadAverage: +((load0 + loadavg()[0]) / 2).toFixed(2), trainImages: N_TRAIN, evalImages: N_EVAL, budgets: BUDGETS, seeds: SEEDS, results,
  }));
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
