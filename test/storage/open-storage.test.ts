/** Storage descriptors: what worker threads are given to open the search's own storage again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import { describeStorage, openDescribedStorage } from '../../src/tuners/storage/open-storage.js';
import type { SearchStorage } from '../../src/tuners/storage/search-storage.js';

test('a folder and a database are described as data and reopened as the same kind of storage, in the same place', async () => {
  const folder = new FileStorage('/tmp/runs', 'suits');
  const d1 = describeStorage(folder);
  assert.deepEqual(structuredClone(d1), { kind: 'folder', directory: '/tmp/runs', projectName: 'suits' }, 'plain data: it crosses to a thread');
  const again = openDescribedStorage(d1);
  assert.ok(again instanceof FileStorage);
  assert.equal(again.location, folder.location);

  const url = 'postgresql://tuner:secret@db.lab:5432/tuning';
  const db = new PostgresStorage({ connectionString: url, search: 'suits' });
  const d2 = describeStorage(db);
  assert.deepEqual(structuredClone(d2), { kind: 'postgres', connectionString: url, search: 'suits' });
  const reopened = openDescribedStorage(d2, { poolSize: 2 });
  assert.ok(reopened instanceof PostgresStorage);
  assert.equal(reopened.location, 'postgresql://tuner@db.lab:5432/tuning (search "suits")');
  assert.equal(reopened.opts.poolSize, 2, 'a worker thread keeps a small pool of its own');
  await Promise.all([db.close(), reopened.close()]);
});

test('a storage of another kind cannot be reopened in worker threads: the error says what to use', () => {
  const custom = { location: 'my-store' } as unknown as SearchStorage;
  assert.throws(() => describeStorage(custom), /search\(\{workers\}\) opens the search's storage in every worker thread.*\(my-store\): use workers: 1, or storage: 'postgresql:\/\/\.\.\.'/);
});
