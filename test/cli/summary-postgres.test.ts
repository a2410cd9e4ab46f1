/** `tfjs-tuner summary` / `export` with `--storage postgresql://...`: read from the database, not a folder. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { modelToStored } from '../../src/tuners/storage/model-artifacts.js';
import { fileSystemLoad } from '../../src/tuners/fs-io-handler.js';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import { emptySearch, trialRecord } from '../storage/conformance-helpers.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

const root = path.resolve(import.meta.dirname, '../..');
let server: PostgresServer;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

const cli = (args: string[]) => runCli(args, { timeout: 120_000 });

test('summary --storage reads the search named --project-name from PostgreSQL, best first', async () => {
  const storage = new PostgresStorage({ connectionString: server.url(), search: 'suits' });
  const s = emptySearch();
  s.settings.objective = { name: 'val_loss', direction: 'min' };
  s.state.trialIds.push('0000', '0001', '0002');
  await storage.open({ overwrite: true });
  await storage.transaction(async (tx) => {
    await tx.saveTrial(trialRecord('0000', 0.75));
    await tx.saveTrial(trialRecord('0001', 0.25));
    await tx.saveTrial({ ...trialRecord('0002'), status: 'RUNNING' });
    await tx.saveSearch(s);
  });
  await storage.close();
  const r = cli(['summary', '--storage', server.url(), '--project-name', 'suits', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.trials.map((t: any) => [t.trialId, t.status, t.score]), [['0001', 'COMPLETED', 0.25], ['0000', 'COMPLETED', 0.75], ['0002', 'RUNNING', null]]);
  assert.equal(r.json.projectDir, `postgresql://${server.user}@${server.host}:${server.port}/${server.database} (search "suits")`);
  assert.doesNotMatch(r.stdout + r.stderr, /:test@/, 'the password is never printed');

  const missing = cli(['summary', '--storage', server.url(), '--project-name', 'nope']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /\(search "nope"\) holds no search: check --project-name/);

  const down = cli(['summary', '--storage', 'postgresql://u:p@127.0.0.1:1/db', '--project-name', 'suits']);
  assert.notEqual(down.code, 0);
  assert.match(down.stderr, /cannot reach the PostgreSQL server 127\.0\.0\.1:1\/db/);
});

test('export --storage writes the best model kept in PostgreSQL to a tfjs folder that loads and predicts the same', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
  const x = tf.tensor2d([[1, 2], [-3, 0.5]]);
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'export-pg-'));
  const storage = new PostgresStorage({ connectionString: server.url(), search: 'exported' });
  try {
    await storage.open({ overwrite: true });
    await storage.artifacts.saveBestModel(await modelToStored(model));
    await storage.close();
    const r = cli(['export', '--storage', server.url(), '--project-name', 'exported', '--out', path.join(dir, 'best'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const back = await tf.loadLayersModel(fileSystemLoad(path.join(dir, 'best')));
    assert.deepEqual(await (back.predict(x) as tf.Tensor).array(), await (model.predict(x) as tf.Tensor).array());
    back.dispose();
    const none = cli(['export', '--storage', server.url(), '--project-name', 'nothing-here', '--out', path.join(dir, 'x')]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /\(search "nothing-here"\) holds no best model: run tfjs-tuner tune/);
  } finally {
    x.dispose();
    model.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
