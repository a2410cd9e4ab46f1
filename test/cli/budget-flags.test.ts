/** The CLI's budget flags: --max-time (s/m/h) stops `tune` on time and says so; --tuner bohb; bad values are usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { parseDuration } from '../../src/cli/parse.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'fixtures');
const work = mkdtempSync(path.join(tmpdir(), 'tfjs-tuner-budget-cli-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args);

test('--max-time accepts seconds, minutes and hours', () => {
  const p = parseDuration('--max-time');
  assert.equal(p('90'), 90);
  assert.equal(p('90s'), 90);
  assert.equal(p('10m'), 600);
  assert.equal(p('1.5h'), 5400);
  assert.throws(() => p('10 minutes'), /--max-time must be a duration such as 90s, 10m or 1.5h/);
  assert.throws(() => p('0s'), /--max-time must be a duration/);
});

test('tune --tuner bohb --max-time 3s stops on time, with the reason in the result and the report', () => {
  const args = ['tune', '--train', path.join(fixtures, 'toonvision/train'), '--val', path.join(fixtures, 'toonvision/val'),
    '--tuner', 'bohb', '--max-epochs', '9', '--factor', '3', '--image-size', '16x16', '--seed', '3', '--workers', '1',
    '--directory', work, '--project-name', 'timed', '--max-time', '3s', '--executions-per-trial', '1', '--max-consecutive-failed-trials', '2', '--json'];
  const r = cli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.stoppedBy, 'maxTime');
  // With --json the messages go to stderr.
  assert.match(r.stderr, /Time budget: 3 s from the start of this search/);
  assert.match(r.stderr, /the time budget ended the search/);
  const report = readFileSync(r.json.reportPath, 'utf8');
  assert.match(report, /the time budget \(--max-time 3 s\) ended the search/);
  // Resumed: the budget is given anew.
  const again = cli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /a resumed search gets the whole budget again/);
  assert.ok(again.json.trials > r.json.trials);

  const bad = cli(['tune', '--train', path.join(fixtures, 'toonvision/train'), '--tuner', 'random', '--hyperband-iterations', '2',
    '--validation-split', '0.25', '--directory', work, '--project-name', 'bad', '--max-time', '1s']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--hyperband-iterations is for --tuner hyperband or bohb, not random/);
});
