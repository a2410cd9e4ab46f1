/** A search kept in PostgreSQL (storage: 'postgresql://...'): the same trials and scores as in a folder. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import { denseHypermodel, tinyData } from './fixtures/tiny.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

let server: PostgresServer;
let root: string;
before(async () => {
  await initBackend();
  server = await startPostgres();
  root = await fs.mkdtemp(join(tmpdir(), 'pg-search-'));
});
after(async () => {
  await server?.stop();
  await fs.rm(root, { recursive: true, force: true });
});

test('a seeded RandomSearch kept in PostgreSQL records the same trials and scores as the folder one', async () => {
  const train = tinyData(48, 1);
  const val = tinyData(16, 2);
  const run = async (storage?: string) => {
    const tuner = new RandomSearch({ hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 3, seed: 7, directory: root, projectName: 'pgsearch', verbose: 0, ...(storage ? { storage } : {}) });
    await tuner.search(train, { validationData: val, epochs: 2 });
    const trials = await tuner.storage.loadTrials();
    await tuner.storage.close();
    return trials.map((t) => [t.trialId, t.status, t.score, t.hyperparameters.values]);
  };
  const inFolder = await run();
  const inDb = await run(server.url());
  assert.equal(inDb.length, 3);
  assert.deepEqual(inDb, inFolder);
  const s = new PostgresStorage({ connectionString: server.url(), search: 'pgsearch' });
  assert.equal((await s.loadTrials()).length, 3, 'the records are in the database');
  assert.ok(await s.artifacts.loadCheckpoint(String(inDb[0][0])), 'checkpoints are database rows');
  await s.close();
  tf.dispose([train.xs, train.ys, val.xs, val.ys]);
});
