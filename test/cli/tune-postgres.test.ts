/**
 * `tune --storage postgresql://...` and `tfjs-tuner worker`: a search kept in a real (throwaway)
 * PostgreSQL server, joined by a second process, read back by summary / export / evaluate, with no
 * project folder anywhere.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, startCli, type CliRun } from '../helpers/run-cli.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { writeImage } from '../data/helpers.js';
import pg from 'pg';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import { emptySearch } from '../storage/conformance-helpers.js';

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
/**
 * Every trial of a summary --json as a comparable fact: its configuration and place in the schedule
 * (its parent's configuration, not its id: two processes number a search's trials in another order),
 * its status, score, best epoch and epochs.
 */
function facts(r: CliRun): string[] {
  const byId = new Map<string, any>(r.json.trials.map((t: any) => [t.trialId, t]));
  const config = (v: Record<string, unknown>) => Object.entries(v).filter(([k]) => !k.startsWith('tuner/')).sort();
  return r.json.trials.map((t: any) => {
    const { 'tuner/trial_id': parent, ...values } = t.hyperparameters;
    return JSON.stringify({ values: Object.entries(values).sort(), parent: parent ? config(byId.get(parent).hyperparameters) : null,
      status: t.status, score: t.score, bestStep: t.bestStep, epochs: t.epochs });
  }).sort();
}

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
  const report = path.join(work, 'alone-report.html');
  const exported = cli(['export', '--storage', url, '--project-name', 'alone', '--out', out, '--report', report, '--json'], cwd);
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['model.json', 'tfjs-tuner.json', 'weights.bin']);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /<html/i);
  assert.ok(html.includes(tuned.json.bestTrialId), 'the report lists the trials');
  assert.match(html, /best model on the test set \(/, 'evaluate --storage added its test figures to the report kept in the database');
  assert.doesNotMatch(html, /:test@/);
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
  // --overwrite starts that search afresh, with the new settings stored in place of the old
  const afresh = cli(['tune', ...search(['--tuner', 'random', '--max-trials', '1', '--epochs', '1', '--workers', '1']).map((a) => (a === '8x8' ? '6x6' : a)),
    '--storage', url, '--project-name', 'alone', '--overwrite', '--json'], cwd);
  assert.equal(afresh.code, 0, afresh.stderr);
  assert.equal(afresh.json.trials, 1, 'the old trials are gone');
  const again = cli(['tune', ...search(['--tuner', 'random', '--max-trials', '2', '--epochs', '2', '--workers', '1']), '--storage', url, '--project-name', 'alone'], cwd);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /was started with other settings: --max-trials 1 \(now 2\), --epochs 1 \(now 2\), --image-size 6x6 \(now 8x8\)/);

  // An unreachable server is named, without the password, before anything is trained.
  const down = cli(['tune', ...search(), '--storage', 'postgresql://u:secret@127.0.0.1:1/db', '--project-name', 'x'], cwd);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the PostgreSQL server 127\.0\.0\.1:1\/db/);
  assert.doesNotMatch(down.stderr, /secret/);
  assert.deepEqual(readdirSync(cwd), []);
});

/** Trial ids this process started ("Trial 0003 started ..."): a trial trained twice shows up twice. */
const started = (r: CliRun) => [...(r.stdout + r.stderr).matchAll(/Trial (\d+) started/g)].map((m) => m[1]);

/** Waits until `tune` stored the search's settings (a worker can join from then on). */
async function searchStarted(url: string, name: string, tune: { done: Promise<CliRun> }): Promise<void> {
  const storage = new PostgresStorage({ connectionString: url, search: name });
  let ended = false;
  void tune.done.then(() => (ended = true));
  try {
    for (;;) {
      if (await storage.artifacts.loadFile('tfjs-tuner-cli.json')) return;
      if (ended) throw new Error(`tune ended before the search started: ${(await tune.done).stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await storage.close();
  }
}

test('tune --storage and a worker --storage on another "machine" run one seeded Hyperband search: its exact schedule, no trial twice, the serial folder run\'s trials', async () => {
  const hyperband = ['--tuner', 'hyperband', '--max-epochs', '9', '--factor', '3', '--objective', 'val_loss', '--workers', '1'];
  const serial = cli(['tune', ...search(hyperband), '--directory', path.join(work, 'runs'), '--project-name', 'serial', '--json']);
  assert.equal(serial.code, 0, serial.stderr);
  assert.equal(serial.json.trials, 23, "KerasTuner's schedule for 9 / 3");
  const reference = cli(['summary', '--directory', path.join(work, 'runs'), '--project-name', 'serial', '--json']);
  // evaluate --model also takes the project folder, read through its storage
  const folderEval = cli(['evaluate', '--model', path.join(work, 'runs', 'serial'), '--test', path.join(data, 'test'), '--json']);
  assert.equal(folderEval.code, 0, folderEval.stderr);

  const url = server.url();
  const [cwdA, cwdB] = [emptyDir(), emptyDir()];
  const tune = startCli(['tune', ...search(hyperband), '--storage', url, '--project-name', 'shared', '--json'], { cwd: cwdA });
  await searchStarted(url, 'shared', tune);
  // The worker's own copy of the data, at another path; every setting comes from the database.
  const copy = path.join(work, 'machine-b');
  cpSync(data, copy, { recursive: true });
  const worker = startCli(['worker', '--storage', url, '--project-name', 'shared', '--train', path.join(copy, 'train'), '--val', path.join(copy, 'val'),
    '--workers', '1', '--json'], { cwd: cwdB });
  const [a, b] = await Promise.all([tune.done, worker.done]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /Joining --storage postgresql:\/\/\S+ --project-name shared \(--tuner hyperband, --objective val_loss, --image-size 8x8, as stored\)/);

  const [byA, byB] = [started(a), started(b)];
  assert.ok(byA.length > 0 && byB.length > 0, `both processes trained trials (tune ${byA.length}, worker ${byB.length})`);
  const all = [...byA, ...byB].sort();
  assert.equal(all.length, 23, 'no trial was started twice');
  assert.equal(new Set(all).size, 23);

  const shared = cli(['summary', '--storage', url, '--project-name', 'shared', '--json']);
  assert.equal(shared.code, 0, shared.stderr);
  assert.equal(reference.code, 0, reference.stderr);
  assert.deepEqual(facts(shared), facts(reference), 'the same trials, hyperparameters and scores as the serial folder run');
  assert.equal(a.json.bestScore, serial.json.bestScore);
  const dbEval = cli(['evaluate', '--storage', url, '--project-name', 'shared', '--test', path.join(data, 'test'), '--json']);
  assert.equal(dbEval.code, 0, dbEval.stderr);
  assert.deepEqual(dbEval.json.confusionMatrix, folderEval.json.confusionMatrix);
  assert.deepEqual([readdirSync(cwdA), readdirSync(cwdB)], [[], []], 'neither machine wrote a folder');
});

/** On the search "alone" of the first test. */
test('a worker whose data differ from the search\'s is refused, saying what differs; a worker for no search says what to run', async () => {
  const url = server.url();
  const worker = (train: string, extra: string[] = []) => cli(['worker', '--storage', url, '--project-name', 'alone', '--train', train,
    '--val', path.join(data, 'val'), ...extra]);
  const more = path.join(work, 'more');
  cpSync(path.join(data, 'train'), more, { recursive: true });
  cpSync(path.join(more, 'left', 'img00.png'), path.join(more, 'left', 'extra.png'));
  const r1 = worker(more);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, new RegExp(escape(`this machine's --train ${more} has 25 files, the search's has 24`)));

  const renamed = path.join(work, 'renamed');
  cpSync(path.join(data, 'train'), renamed, { recursive: true });
  renameSync(path.join(renamed, 'left', 'img00.png'), path.join(renamed, 'left', 'first.png'));
  const r2 = worker(renamed);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /has 24 files like the search's, but other file names \(file list fingerprint [0-9a-f]{12}, the search's [0-9a-f]{12}\)/);

  const oneClass = path.join(work, 'one-class');
  cpSync(path.join(data, 'train'), oneClass, { recursive: true });
  renameSync(path.join(oneClass, 'right'), path.join(oneClass, 'rechts'));
  const r3 = worker(oneClass);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /has the classes left, rechts, the search's has left, right/);
  for (const r of [r1, r2, r3]) assert.match(r.stderr, /copy the search's data folders to this machine/);

  const noVal = cli(['worker', '--storage', url, '--project-name', 'alone', '--train', path.join(data, 'train')]);
  assert.equal(noVal.code, 1);
  assert.match(noVal.stderr, /was started with --val \(8 images\): give this machine's copy with --val DIR/);
  const hm = cli(['worker', '--storage', url, '--project-name', 'alone', '--train', path.join(data, 'train'), '--val', path.join(data, 'val'), '--hypermodel', 'x.mjs']);
  assert.equal(hm.code, 1);
  assert.match(hm.stderr, /trains the built-in CNN, not a --hypermodel module: leave --hypermodel out/);

  // The server's errors surface through the CLI, naming the server, never the password.
  const badPassword = cli(['worker', '--storage', server.url(server.database, server.user, 'wrong'), '--project-name', 'alone', '--train', more]);
  assert.equal(badPassword.code, 1);
  assert.match(badPassword.stderr, new RegExp(escape(`PostgreSQL at ${server.host}:${server.port}/${server.database} refused user "${server.user}"`)));
  const noDb = cli(['worker', '--storage', server.url('nodb'), '--project-name', 'alone', '--train', more]);
  assert.equal(noDb.code, 1);
  assert.match(noDb.stderr, /the database "nodb" does not exist on the PostgreSQL server/);
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE future');
  await admin.end();
  const future = new pg.Client({ connectionString: server.url('future') });
  await future.connect();
  await future.query('CREATE TABLE tfjs_tuner_schema (version integer PRIMARY KEY); INSERT INTO tfjs_tuner_schema VALUES (99)');
  await future.end();
  const newer = cli(['worker', '--storage', server.url('future'), '--project-name', 'alone', '--train', more]);
  assert.equal(newer.code, 1);
  assert.match(newer.stderr, new RegExp(escape(`PostgreSQL ${server.host}:${server.port}/future: the tfjs-tuner tables are at schema version 99, newer than this tfjs-tuner knows`)));
  for (const r of [badPassword, noDb, newer]) assert.doesNotMatch(r.stderr, /:test@|wrong/);

  // a search the library started (no CLI settings stored): the worker says so
  const library = new PostgresStorage({ connectionString: url, search: 'from-library' });
  await library.open();
  await library.transaction(async (tx) => tx.saveSearch(emptySearch()));
  await library.close();
  const notCli = cli(['worker', '--storage', url, '--project-name', 'from-library', '--train', path.join(data, 'train')]);
  assert.equal(notCli.code, 1);
  assert.match(notCli.stderr, /--project-name from-library: this search was not started by tfjs-tuner tune, so the database holds no CLI settings/);

  const none = cli(['worker', '--storage', url, '--project-name', 'never-started', '--train', path.join(data, 'train')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /There is no search "never-started" in postgresql:\/\/\S+ to join\. Start it on one machine with: tfjs-tuner tune --storage postgresql:\/\/\S+ --project-name never-started --train DIR/);
  assert.doesNotMatch(none.stderr + r1.stderr, /:test@/);
});

test('tune --storage --workers 2: the worker threads keep checkpoints in the database and no folder is left behind', async () => {
  const cwd = emptyDir();
  const url = server.url();
  const r = cli(['tune', ...search(['--tuner', 'random', '--max-trials', '3', '--epochs', '2', '--workers', '2']), '--storage', url, '--project-name', 'threads', '--json'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.trials, 3);
  assert.match(r.stderr, /2 trial workers ready/);
  assert.deepEqual(readdirSync(cwd), [], 'no folder');
  const storage = new PostgresStorage({ connectionString: url, search: 'threads' });
  try {
    const trials = await storage.loadTrials();
    assert.deepEqual(trials.map((t) => t.status), ['COMPLETED', 'COMPLETED', 'COMPLETED']);
    for (const t of trials) assert.ok(await storage.artifacts.loadCheckpoint(t.trialId), `trial ${t.trialId}'s checkpoint is a database row`);
    assert.ok(await storage.artifacts.loadBestModel());
  } finally {
    await storage.close();
  }
});

test('a --hypermodel search: a worker needs a copy of the same module (by content), a --validation-split search no --val', async () => {
  const url = server.url();
  const source = `
    export default function (hp, { tf, inputShape }) {
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape, filters: hp.choice('filters', [2, 4]), kernelSize: 3, activation: 'relu' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 1, activation: 'sigmoid' }),
      ] });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return model;
    }
  `;
  const mod = path.join(work, 'model-a.mjs');
  writeFileSync(mod, source);
  const tuned = cli(['tune', '--train', path.join(data, 'train'), '--validation-split', '0.25', '--hypermodel', mod, '--tuner', 'random',
    '--max-trials', '1', '--epochs', '1', '--image-size', '8x8', '--workers', '1', '--storage', url, '--project-name', 'custom', '--json'], emptyDir());
  assert.equal(tuned.code, 0, tuned.stderr);
  const worker = (extra: string[]) => cli(['worker', '--storage', url, '--project-name', 'custom', '--train', path.join(data, 'train'), '--workers', '1', ...extra]);
  const without = worker([]);
  assert.equal(without.code, 1);
  assert.match(without.stderr, /trains the hypermodel module model-a\.mjs: give this machine's copy with --hypermodel FILE/);
  const changed = path.join(work, 'model-b.mjs');
  writeFileSync(changed, source.replace('[2, 4]', '[2, 8]'));
  const other = worker(['--hypermodel', changed]);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /this machine's --hypermodel \S+model-b\.mjs \(sha256 [0-9a-f]{12}\) is not the module .* trains \(model-a\.mjs, sha256 [0-9a-f]{12}\): copy the search's module/);
  const val = worker(['--hypermodel', mod, '--val', path.join(data, 'val')]);
  assert.equal(val.code, 1);
  assert.match(val.stderr, /the search has no --val \(it holds out --validation-split 0\.25 of --train\): leave --val out/);
  // an identical copy elsewhere joins (the search is over: nothing is left to train, and nothing is trained again)
  const copy = path.join(work, 'copy-of-a.mjs');
  cpSync(mod, copy);
  const joined = cli(['worker', '--storage', url, '--project-name', 'custom', '--train', path.join(data, 'train'), '--hypermodel', copy, '--workers', '1', '--json']);
  assert.equal(joined.code, 0, joined.stderr);
  assert.equal(joined.json.trials, 1);
  assert.deepEqual(started(joined), []);
  assert.equal(joined.json.bestScore, tuned.json.bestScore);
});

test('Ctrl-C on a tune --storage machine: its registrations go at once, and a worker finishes the search, the interrupted trial included', async () => {
  const url = server.url();
  const args = [...search(['--tuner', 'random', '--max-trials', '3', '--epochs', '3', '--workers', '1']), '--storage', url, '--project-name', 'interrupted'];
  const tune = startCli(['tune', ...args], { cwd: emptyDir() });
  await searchStarted(url, 'interrupted', tune);
  const storage = new PostgresStorage({ connectionString: url, search: 'interrupted' });
  try {
    while (!(await storage.loadTrials()).some((t) => t.status === 'RUNNING')) await new Promise((r) => setTimeout(r, 100));
    process.kill(tune.pid, 'SIGINT');
    const r = await tune.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /Interrupted\. \d completed trial\(s\) are saved in postgresql:\/\/\S+ \(search "interrupted"\); the trials this machine was training are handed out again/);
    const left = await storage.transaction((tx) => tx.workers());
    assert.deepEqual(left, [], 'no registration of the interrupted process is left');
    const w = cli(['worker', '--storage', url, '--project-name', 'interrupted', '--train', path.join(data, 'train'), '--val', path.join(data, 'val'), '--workers', '1', '--json']);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.json.trials, 3);
    const trials = await storage.loadTrials();
    assert.deepEqual(trials.map((t) => t.status), ['COMPLETED', 'COMPLETED', 'COMPLETED'], 'nothing was lost');
  } finally {
    await storage.close();
  }
});
