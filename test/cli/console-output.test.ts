/**
 * What `tune` prints for a 30-trial search (issue 15): two lines per trial, then the summary last; --verbose
 * brings back KerasTuner's per-trial tables; --test scores the best model, in the output, --json and the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runCli } from '../helpers/run-cli.js';

const work = mkdtempSync(path.join(tmpdir(), 'tfjs-tuner-console-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, from: string, n: number, classes = ['bossbot', 'cashbot']): string {
  const dir = path.join(work, name);
  for (const c of classes) {
    mkdirSync(path.join(dir, c), { recursive: true });
    const src = path.join(repoRoot, 'fixtures/toonvision', from, c);
    for (const f of readdirSync(src).sort().slice(0, n)) copyFileSync(path.join(src, f), path.join(dir, c, f));
  }
  return dir;
}

const train = folder('train', 'train', 6);
const testDir = folder('test', 'test', 4);
// Hyperband 10 / 3 is KerasTuner's 30-trial schedule.
const args = (project: string) => ['tune', '--train', train, '--validation-split', '0.5', '--test', testDir, '--max-epochs', '10', '--factor', '3',
  '--image-size', '8x8', '--seed', '1', '--workers', '1', '--directory', work, '--project-name', project];

test('a 30-trial search prints two lines per trial and ends with the summary; the test set is scored and in the report', () => {
  const r = runCli(args('compact'));
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const started = lines.filter((l) => /^Trial \d{4} started/.test(l));
  const ended = lines.filter((l) => /^Trial \d{4} (COMPLETED|FAILED|INVALID) in /.test(l));
  assert.equal(started.length, 30);
  assert.equal(ended.length, 30);
  assert.match(started[0], /^Trial 0000 started \(epochs 1-2\): num_blocks=\d filters_1=\d+ .*learning_rate=[\d.e-]+ optimizer=\w+$/);
  assert.ok(started.some((l) => /^Trial \d{4} started \(epochs 3-4, continues trial \d{4}\)/.test(l)), 'promotions say where they start and whom they continue');
  assert.match(ended[1], /^Trial 0001 COMPLETED in [\d.]+ s: val_accuracy [\d.]+; best so far [\d.]+ \((this one|trial 0000)\)$/);
  assert.ok(lines.length <= 2 * 30 + 30, `${lines.length} lines`);
  assert.doesNotMatch(r.stdout, /Best Value So Far|Search: Running Trial/);
  // The summary is last: the best trial, the test set, the hyperparameters, where the model and the report are.
  const summaryAt = lines.findIndex((l) => /^Best trial \d{4}: val_accuracy [\d.]+ \(validation set\)$/.test(l));
  assert.ok(summaryAt > lines.findIndex((l) => l.startsWith('Search finished')), 'after the search line');
  assert.match(lines[summaryAt + 1], new RegExp(`^Test set \\(${testDir.replace(/[/.]/g, '\\$&')}, 8 images\\): accuracy [\\d.]+, loss [\\d.]+ \\(per class: tfjs-tuner evaluate --model .*best-model --test `));
  assert.equal(lines[summaryAt + 2], 'Best hyperparameters:');
  assert.match(lines[lines.length - 2], /^Best model saved to .*compact\/best-model$/);
  assert.match(lines[lines.length - 1], /^Report: .*compact\/report\.html$/);
  assert.ok(lines.slice(summaryAt + 3, -2).every((l) => /^ {2}[a-z_0-9]+: \S+$/.test(l)), 'only hyperparameters in between');

  const html = readFileSync(path.join(work, 'compact', 'report.html'), 'utf8');
  assert.match(html, new RegExp(`best model on the test set \\(${testDir.replace(/[/.]/g, '\\$&')}\\)</span><b>accuracy [\\d.]+%</b>loss [\\d.]+, 8 images`));
  assert.match(html, /best model on the validation set \(.*--validation-split 0\.5\)/);
  assert.match(html, /<h2 class="confusion-test">Confusion matrix of the best model on the test set/);
  assert.match(html, /<h2 class="confusion-validation">Confusion matrix of the best model on the validation set/);
});

test('--verbose restores KerasTuner\'s per-trial tables; --json carries the test figures', () => {
  const r = runCli([...args('verbose'), '--verbose', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.match(/^Value {13}\|Best Value So Far \|Hyperparameter$/gm)?.length, 30);
  assert.equal(r.stderr.match(/^Trial \d{4} Complete \[/gm)?.length, 30);
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length > 30 * 15, `${lines.length} lines`);
  assert.match(lines[lines.length - 1], /^Report: /);
  assert.equal(r.json.test.images, 8);
  assert.equal(r.json.test.folder, testDir);
  assert.ok(r.json.test.accuracy >= 0 && r.json.test.accuracy <= 1);
});

test('a --test folder with a class --train lacks fails before the search', () => {
  const odd = folder('odd-test', 'test', 1, ['bossbot', 'lawbot']);
  const r = runCli([...args('odd'), '--test', odd]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--test .*odd-test has class folder\(s\) that --train does not: lawbot \(the training classes: bossbot, cashbot\)/);
  assert.doesNotMatch(r.stdout, /Trial \d/);
});

test('summary prints one line per trial, best first; --verbose gives KerasTuner\'s block per trial', () => {
  const r = runCli(['summary', '--directory', work, '--project-name', 'compact']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const at = lines.findIndex((l) => /^# +trial +status +val_accuracy +epochs +hyperparameters$/.test(l));
  assert.ok(at > 0, r.stdout);
  const rows = lines.slice(at + 1);
  assert.equal(rows.length, 30);
  assert.match(rows[0], /^1 +\d{4} +COMPLETED +[\d.]+ +\d+ +num_blocks=\d /);
  const scores = rows.map((l) => Number(l.split(/\s+/)[3]));
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
  const verbose = runCli(['summary', '--directory', work, '--project-name', 'compact', '--verbose']);
  assert.equal(verbose.stdout.match(/^Trial \d{4} summary$/gm)?.length, 30);
  assert.equal(verbose.stdout.match(/^Score: /gm)?.length, 30);
});

test('evaluate on a project\'s best model adds its test set to the project\'s report', () => {
  const other = folder('test-other', 'test', 3);
  const before = readFileSync(path.join(work, 'compact', 'report.html'), 'utf8');
  assert.equal(before.match(/<h2 class="confusion-test">/g)?.length, 1);
  const r = runCli(['evaluate', '--model', path.join(work, 'compact'), '--test', other]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Added to the project's report: .*compact\/report\.html/);
  const after = readFileSync(path.join(work, 'compact', 'report.html'), 'utf8');
  assert.match(after, new RegExp(`best model on the test set \\(${other.replace(/[/.]/g, '\\$&')}\\)</span><b>accuracy [\\d.]+%</b>loss [\\d.]+, 6 images`));
  assert.equal(after.match(/<h2 class="confusion-test">/g)?.length, 2, 'the test folder of tune stays, the new one is added');
  assert.equal(after.match(/<h2 class="confusion-validation">/g)?.length, 1);
  // The same folder again replaces its figures instead of adding a copy.
  assert.equal(runCli(['evaluate', '--model', path.join(work, 'compact', 'best-model'), '--test', other]).code, 0);
  assert.equal(readFileSync(path.join(work, 'compact', 'report.html'), 'utf8').match(/<h2 class="confusion-test">/g)?.length, 2);
});
