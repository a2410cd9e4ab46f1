/**
 * `tune --storage postgresql://...` and `tfjs-tuner worker`: a search kept in a real (throwaway)
 * PostgreSQL server, joined by a second process, read back by summary / export / evaluate, with no
 * project folder anywhere.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, startCli, type CliRun } from '../helpers/run-cli.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { writeImage } from '../data/helpers.js';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';

let server: PostgresServer;
const work = mkdtempSync(path.join(tmpdir(), 'tfjs-tuner-pgcli-'));
const data = path.join(work, 'data');

/** Two classes told apart by a gradient's direction, with per-image noise so that trials score differently. */
async function makeImages(dir: string, perClass: number, salt: number): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (const [k, name] of ['left', 'right'].entries()) {
    for (let i = 0; i < perClass; i++) {
      const noise = (x: number, y: number, c: number) => ((x * 73 + y * 151 + c * 29 + i * 997 + salt * 7919) * 2654435761) % 41;
      jobs.push(writeImage(path.join(dir, name, `img${String(i).padStart(2, '0')}.png`), {
        width: 8, height: 8, fill: (x, y, c) => Math.min(255, (k === 0 ? x : 7 - x) * 28 + noise(x, y, c)),
      }));
    }
  }
  await Promise.all(jobs);
}

before(async () => {
  server = await startPostgres();
  await makeImages(path.join(data, 'train'), 12, 1);
  await makeImages(path.join(data, 'val'), 4, 2);
  await makeImages(path.join(data, 'test'), 4, 3);
});
after(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A folder of its own for each command: a search kept in the database must leave nothing in it. */
const emptyDir = () => mkdtempSync(path.join(work, 'cwd-'));
const cli = (args: string[], cwd?: string) => runCli(args, { cwd, timeout: 300_000 });
const search = (extra: string[] = []) => [
  '--train', path.join(data, 'train'), '--val', path.join(data, 'val'), '--image-size', '8x8', '--batch-size', '8', '--seed', '5', ...extra,
];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** (trial id, status, score, hyperparameters) of every trial, best first, as summary --json reports them. */
const trialsOf = (r: CliRun) => r.json.trials.map((t: any) => [t.trialId, t.status, t.score, t.hyperparameters]);

test('tune --storage keeps the search in PostgreSQL; summary, export and evaluate --storage read it; no folder is written', async () => {
  const cwd = emptyDir();
  const url = server.url();
  const tuned = cli(['tune', ...search(['--tuner', 'random', '--max-trials', '2', '--epochs', '2', '--workers', '1']),
    '--storage', url, '--project-name', 'alone', '--json'], cwd);
  assert.equal(tuned.code, 0, tuned.stderr);
  const where = `postgresql://${server.user}@${server.host}:${server.port}/${server.database} (search "alone")`;
  assert.equal(tuned.json.storage, where);
  assert.equal(tuned.json.modelPath, null, 'the best model is a database row');
  assert.equal(tuned.json.trials, 2);
  assert.match(tuned.stderr, /tfjs-tuner export --storage postgresql:\/\/[^ ]+ --project-name alone --out best-model/);
  assert.doesNotMatch(tuned.stdout + tuned.stderr, /:test@/, 'the password is never printed');
  assert.deepEqual(readdirSync(cwd), [], 'no tuner-runs/ folder');

  const summarized = cli(['summary', '--storage', url, '--project-name', 'alone', '--json'], cwd);
  assert.equal(summarized.code, 0, summarized.stderr);
  assert.equal(summarized.json.trials.length, 2);
  assert.equal(summarized.json.trials[0].trialId, tuned.json.bestTrialId);
  assert.equal(summarized.json.trials[0].score, tuned.json.bestScore);

  const evaluated = cli(['evaluate', '--storage', url, '--project-name', 'alone', '--test', path.join(data, 'test'), '--json'], cwd);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.deepEqual(evaluated.json.classNames, ['left', 'right']);
  assert.equal(evaluated.json.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0), 8);
  assert.deepEqual(readdirSync(cwd), []);

  // The exported folder is a model folder like tune's best-model/: evaluate --model scores it the same.
  const out = path.join(work, 'exported');
  const exported = cli(['export', '--storage', url, '--project-name', 'alone', '--out', out, '--json'], cwd);
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['model.json', 'tfjs-tuner.json', 'weights.bin']);
  const fromFolder = cli(['evaluate', '--model', out, '--test', path.join(data, 'test'), '--json'], cwd);
  assert.equal(fromFolder.code, 0, fromFolder.stderr);
  assert.deepEqual(fromFolder.json, evaluated.json);

  // The same name with another setting is refused, naming the flag, before anything is trained.
  const other = cli(['tune', ...search(['--tuner', 'random', '--max-trials', '2', '--epochs', '2', '--workers', '1']).map((a) => (a === '8x8' ? '6x6' : a)),
    '--storage', url, '--project-name', 'alone'], cwd);
  assert.equal(other.code, 1);
  const flags = `--storage postgresql://${server.user}@${server.host}:${server.port}/${server.database} --project-name alone`;
  assert.match(other.stderr, new RegExp(escape(`${flags} was started with other settings: --image-size 8x8 (now 6x6); use another --project-name or --overwrite`)));
  assert.doesNotMatch(other.stderr, /:test@/);

  // Errors of the server surface naming it, without the password.
  const down = cli(['tune', ...search(), '--storage', 'postgresql://u:secret@127.0.0.1:1/db', '--project-name', 'x'], cwd);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the PostgreSQL server 127\.0\.0\.1:1\/db/);
  const badPassword = cli(['tune', ...search(), '--storage', server.url(server.database, server.user, 'wrong'), '--project-name', 'x'], cwd);
  assert.equal(badPassword.code, 1);
  assert.match(badPassword.stderr, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${server.port}/${server.database} refused user "${server.user}"`));
  const noDb = cli(['tune', ...search(), '--storage', server.url('nodb'), '--project-name', 'x'], cwd);
  assert.equal(noDb.code, 1);
  assert.match(noDb.stderr, /the database "nodb" does not exist on the PostgreSQL server/);
  for (const r of [down, badPassword, noDb]) assert.doesNotMatch(r.stderr, /secret|:test@|wrong/);
  assert.deepEqual(readdirSync(cwd), []);
});
