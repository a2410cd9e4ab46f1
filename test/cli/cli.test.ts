import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync, copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'fixtures');

/** Runs the real CLI in a child process; returns exit code, stdout, stderr and the --json result. */
const cli = (args: string[], cwd = root) => runCli(args, { cwd });

const work = mkdtempSync(path.join(tmpdir(), 'tfjs-tuner-cli-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

test('tune (hyperband) -> evaluate -> predict -> summary on the four-suit fixtures, with --json', async () => {
  const tuned = cli([
    'tune', '--train', path.join(fixtures, 'toonvision/train'), '--val', path.join(fixtures, 'toonvision/val'),
    '--tuner', 'hyperband', '--max-epochs', '3', '--factor', '3', '--image-size', '32x32', '--seed', '7',
    '--directory', work, '--project-name', 'suits', '--augment', 'flip', '--json',
  ]);
  assert.equal(tuned.code, 0, tuned.stderr);
  const t = tuned.json;
  assert.ok(t, `last stdout line is JSON: ${tuned.stdout.slice(-500)}`);
  // maxEpochs 3, factor 3: brackets b1 (3 trials x 1 epoch, then the best 1 for 2 more) and b0 (2 trials x 3 epochs)
  assert.equal(t.trials, 6);

  assert.deepEqual(t.objective, { name: 'val_accuracy', direction: 'max' });
  assert.ok(existsSync(path.join(t.modelPath, 'model.json')));
  assert.ok(existsSync(path.join(t.modelPath, 'tfjs-tuner.json')));
  const report = readFileSync(path.join(work, 'suits', 'report.html'), 'utf8');
  assert.match(report, /<html/i);
  assert.match(report, /bossbot/);
  assert.match(tuned.stderr, /Found 240 images belonging to 4 classes\./);

  const evaluated = cli(['evaluate', '--model', t.modelPath, '--test', path.join(fixtures, 'toonvision/test'), '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const e = evaluated.json;
  assert.deepEqual(e.classNames, ['bossbot', 'cashbot', 'lawbot', 'sellbot']);
  const total = e.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0);
  assert.equal(total, 80);
  const correct = e.confusionMatrix.reduce((a: number, row: number[], i: number) => a + row[i], 0);
  assert.ok(Math.abs(e.accuracy - correct / total) < 1e-9);
  assert.equal(e.misclassified.length, total - correct);
  assert.ok(e.loss > 0 && Number.isFinite(e.loss));
  for (const name of e.classNames) assert.equal(e.perClass[name].support, 20);

  const predicted = cli(['predict', '--model', t.modelPath, path.join(fixtures, 'toonvision/test/lawbot'), '--json']);
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.equal(predicted.json.length, 20);
  for (const p of predicted.json) {
    assert.ok(e.classNames.includes(p.predicted));
    assert.ok(p.probability >= 0.25 && p.probability <= 1);
  }
  // predictions agree with evaluate's confusion matrix row for lawbot
  const lawbotRow = e.confusionMatrix[2];
  for (let k = 0; k < 4; k++) assert.equal(predicted.json.filter((p: any) => p.predicted === e.classNames[k]).length, lawbotRow[k]);

  const summarized = cli(['summary', '--directory', work, '--project-name', 'suits', '--json']);
  assert.equal(summarized.code, 0, summarized.stderr);
  const s = summarized.json;
  assert.equal(s.trials.length, 6);
  assert.equal(s.trials[0].trialId, t.bestTrialId);
  const scores = s.trials.filter((x: any) => x.status === 'COMPLETED').map((x: any) => x.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  assert.equal(s.trials.reduce((a: number, x: any) => a + x.epochs, 0), t.epochsTrained);
  // the built-in CNN adapts to 32x32 images (no INVALID trial), so every trial trained its whole
  // Hyperband budget: the epochs add up exactly
  assert.deepEqual(s.trials.map((x: any) => x.status), Array(6).fill('COMPLETED'));
  for (const x of s.trials.filter((x: any) => x.status === 'COMPLETED')) {
    assert.equal(x.epochs, x.hyperparameters['tuner/epochs'] - x.hyperparameters['tuner/initial_epoch'], JSON.stringify(x));
  }
  assert.equal(scores.length, 6);
  assert.equal(t.bestScore, scores[0], 'the best score is the best trial\'s');
  assert.equal(t.bestScore, s.trials[0].score);

  // Running the same search again resumes: nothing is retrained.
  const again = cli(['tune', '--train', path.join(fixtures, 'toonvision/train'), '--val', path.join(fixtures, 'toonvision/val'),
    '--tuner', 'hyperband', '--max-epochs', '3', '--factor', '3', '--image-size', '32x32', '--seed', '7',
    '--directory', work, '--project-name', 'suits', '--augment', 'flip', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json.bestTrialId, t.bestTrialId);
  assert.equal(again.json.trials, 6);
});

test('binary task (toon vs cog): random search, then evaluate well above chance', async () => {
  const tuned = cli([
    'tune', '--train', path.join(fixtures, 'toonvision-binary/train'), '--val', path.join(fixtures, 'toonvision-binary/val'),
    '--tuner', 'random', '--max-trials', '2', '--epochs', '10', '--image-size', '32x32', '--seed', '3',
    '--space', JSON.stringify({ num_blocks: { fixed: 2 }, filters: { values: [8, 16] }, pool_size: { fixed: 1 }, dropout: { fixed: 0 },
      dense_units: { fixed: 0 }, optimizer: { fixed: 'adam' }, learning_rate: { fixed: 0.003 } }),
    '--directory', work, '--project-name', 'binary', '--json',
  ]);
  assert.equal(tuned.code, 0, tuned.stderr);
  const meta = JSON.parse(readFileSync(path.join(tuned.json.modelPath, 'tfjs-tuner.json'), 'utf8'));
  assert.equal(meta.task, 'binary');
  assert.deepEqual(meta.classNames, ['cog', 'toon']);
  const evaluated = cli(['evaluate', '--model', tuned.json.modelPath, '--test', path.join(fixtures, 'toonvision-binary/test'), '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.ok(evaluated.json.accuracy >= 0.7, `binary accuracy ${evaluated.json.accuracy}`);
});

test('tune with a user hypermodel module, --validation-split and --tensorboard', () => {
  const mod = path.join(work, 'tiny-model.mjs');
  writeFileSync(mod, `
    export default function (hp, context) {
      const { tf } = context;
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: context.inputShape, filters: hp.choice('filters', [4, 8]), kernelSize: 3, activation: 'relu' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: context.numClasses, activation: 'softmax' }),
      ] });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    }
  `);
  const logs = path.join(work, 'tb');
  const r = cli([
    'tune', '--train', path.join(fixtures, 'toonvision/train'), '--validation-split', '0.25', '--hypermodel', mod,
    '--tuner', 'grid', '--max-trials', '4', '--epochs', '1', '--image-size', '16x16', '--directory', work,
    '--project-name', 'custom', '--tensorboard', logs, '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  // the grid over filters has 2 points; the validation split leaves 180 + 60 images
  assert.equal(r.json.trials, 2);
  assert.match(r.stderr, /--train: Found 180 images belonging to 4 classes\.\n--validation-split: Found 60 images belonging to 4 classes\./);
  assert.ok([4, 8].includes(r.json.bestHyperparameters.filters));
  for (const id of readdirSync(path.join(work, 'custom')).filter((n) => n.startsWith('trial_')).map((n) => n.slice(6))) {
    const run = path.join(logs, id, 'execution0');
    assert.ok(readdirSync(path.join(run, 'train')).some((f) => f.includes('tfevents')), `event file for trial ${id}`);
    assert.ok(readdirSync(path.join(run, 'validation')).some((f) => f.includes('tfevents')));
  }
});

test('--tuner asha, serially and with 2 workers', () => {
  const run = (workers: string, name: string) => cli([
    'tune', '--train', path.join(fixtures, 'toonvision/train'), '--val', path.join(fixtures, 'toonvision/val'),
    '--tuner', 'asha', '--max-epochs', '3', '--factor', '3', '--max-trials', '4', '--image-size', '16x16', '--seed', '11',
    '--space', JSON.stringify({ num_blocks: { fixed: 1 } }), '--workers', workers,
    '--directory', work, '--project-name', name, '--json',
  ]);
  const serial = run('1', 'asha1');
  const parallel = run('2', 'asha2');
  assert.equal(serial.code, 0, serial.stderr);
  assert.equal(parallel.code, 0, parallel.stderr);
  // 4 new configurations at 1 epoch, plus promotions (ASHA promotes as results arrive, so with 2 workers the
  // promotions depend on finishing order and are not compared with the serial run)
  for (const [r, name] of [[serial, 'asha1'], [parallel, 'asha2']] as const) {
    const s = cli(['summary', '--directory', work, '--project-name', name, '--json']).json;
    assert.equal(r.json.trials, s.trials.length);
    const fresh = s.trials.filter((t: any) => t.hyperparameters['tuner/trial_id'] === undefined);
    const promoted = s.trials.filter((t: any) => t.hyperparameters['tuner/trial_id'] !== undefined);
    assert.equal(fresh.length, 4, `${name}: 4 new configurations`);
    assert.ok(promoted.length >= 1, `${name}: the best first-rung trial was promoted`);
    assert.equal(r.json.trials, 4 + promoted.length);
    // each trial trains its rung's new epochs: 1 for a new configuration, then up to 3 in all
    for (const t of s.trials) assert.equal(t.epochs, t.hyperparameters['tuner/epochs'] - t.hyperparameters['tuner/initial_epoch'], JSON.stringify(t));
    assert.equal(r.json.epochsTrained, s.trials.reduce((a: number, t: any) => a + t.epochs, 0));
  }
});

test('--early-stopping stops trials early, with --workers 2; its companions are checked', () => {
  // A model that can only gain 0.5 of validation accuracy in one epoch by a miracle: with min delta 0.5,
  // epoch 0 is the best, epoch 1 does not improve, and patience 1 stops every trial after 2 of its 6 epochs.
  const mod = path.join(work, 'es-model.mjs');
  writeFileSync(mod, `
    export default function (hp, context) {
      const { tf } = context;
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: context.inputShape, filters: hp.choice('filters', [2, 4]), kernelSize: 3, activation: 'relu' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: context.numClasses, activation: 'softmax' }),
      ] });
      model.compile({ optimizer: tf.train.sgd(hp.choice('lr', [0, 0.01])), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    }
  `);
  const base = [
    'tune', '--train', path.join(fixtures, 'toonvision/train'), '--val', path.join(fixtures, 'toonvision/val'), '--hypermodel', mod,
    '--tuner', 'grid', '--max-trials', '4', '--epochs', '6', '--image-size', '8x8', '--objective', 'val_loss', '--directory', work,
  ];
  const r = cli([...base, '--project-name', 'es', '--workers', '2',
    '--early-stopping', '1', '--early-stopping-monitor', 'val_accuracy', '--early-stopping-min-delta', '0.5', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.trials, 4);
  assert.equal(r.json.epochsTrained, 4 * 2);
  const s = cli(['summary', '--directory', work, '--project-name', 'es', '--json']).json;
  for (const t of s.trials) assert.equal(t.epochs, 2, JSON.stringify(t));

  // the objective by default: at lr 0 val_loss never improves, so patience 2 stops those trials after 3 epochs
  const o = cli([...base, '--project-name', 'es-objective', '--workers', '1', '--early-stopping', '2', '--json']);
  assert.equal(o.code, 0, o.stderr);
  const so = cli(['summary', '--directory', work, '--project-name', 'es-objective', '--json']).json;
  for (const t of so.trials.filter((x: any) => x.hyperparameters.lr === 0)) assert.equal(t.epochs, 3, JSON.stringify(t));

  const bad = (args: string[], code: number, re: RegExp) => {
    const b = cli([...base, '--project-name', 'es-bad', ...args]);
    assert.equal(b.code, code, b.stderr);
    assert.match(b.stderr, re);
  };
  bad(['--early-stopping', '-1'], 1, /--early-stopping must be a whole number >= 0; got "-1"/);
  bad(['--early-stopping', 'soon'], 1, /--early-stopping must be a whole number >= 0/);
  bad(['--early-stopping-monitor', 'val_loss'], 1, /--early-stopping-monitor needs --early-stopping <patience>/);
  bad(['--early-stopping', '2', '--early-stopping-min-delta', '-0.1'], 1, /--early-stopping-min-delta must be a number >= 0/);
  bad(['--early-stopping', '2', '--early-stopping-monitor', 'val_f2'], 1, /--early-stopping-monitor val_f2: cannot tell whether it should go down or up/);
  bad(['--early-stopping', '2', '--early-stopping-monitor', 'val_f1_score'], 1, /earlyStopping.monitor "val_f1_score" is not among the metrics fit logs: val_loss, val_acc, loss, acc/);
});

test('bad input: clear messages on stderr and a non-zero exit code', () => {
  const missing = cli(['tune', '--train', path.join(work, 'nope'), '--directory', work]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope/);

  const badSize = cli(['tune', '--train', path.join(fixtures, 'toonvision/train'), '--image-size', 'big']);
  assert.notEqual(badSize.code, 0);
  assert.match(badSize.stderr, /--image-size must be HEIGHTxWIDTH/);

  const badAugment = cli(['tune', '--train', path.join(fixtures, 'toonvision/train'), '--augment', 'spin=3']);
  assert.notEqual(badAugment.code, 0);
  assert.match(badAugment.stderr, /unknown augmentation "spin"/);

  const noVal = cli(['tune', '--train', path.join(fixtures, 'toonvision/train'), '--directory', work, '--project-name', 'noval']);
  assert.equal(noVal.code, 1);
  assert.match(noVal.stderr, /needs validation data/);

  const noModel = cli(['evaluate', '--model', path.join(work, 'none'), '--test', path.join(fixtures, 'toonvision/test')]);
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /Model not found/);

  const noProject = cli(['summary', '--directory', work, '--project-name', 'never']);
  assert.equal(noProject.code, 1);
  assert.match(noProject.stderr, /No search project/);
});

test('evaluate refuses a test folder whose classes differ from the model', () => {
  const t = JSON.parse(readFileSync(path.join(work, 'suits', 'best-model', 'tfjs-tuner.json'), 'utf8'));
  assert.equal(t.classNames.length, 4);
  const odd = path.join(work, 'odd-test');
  for (const cls of ['bossbot', 'cashbot', 'robot']) {
    mkdirSync(path.join(odd, cls), { recursive: true });
    const src = path.join(fixtures, 'toonvision/test/bossbot');
    copyFileSync(path.join(src, readdirSync(src)[0]), path.join(odd, cls, 'a.png'));
  }
  const r = cli(['evaluate', '--model', path.join(work, 'suits', 'best-model'), '--test', odd]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /robot|class/i);
});

test('every command has --help', () => {
  for (const cmd of ['tune', 'evaluate', 'predict', 'summary']) {
    const r = cli([cmd, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Usage: tfjs-tuner ${cmd}`));
  }
});
