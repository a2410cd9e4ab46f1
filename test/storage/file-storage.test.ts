import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageConformance } from './conformance.js';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';
import { emptySearch, trialRecord } from './conformance-helpers.js';

describeStorageConformance('FileStorage', join(import.meta.dirname, 'file-storage-factory.ts'));

test('FileStorage keeps the 0.1 project layout: oracle.json embeds the trials, trial_<id>/trial.json each', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'file-storage-'));
  try {
    const storage = new FileStorage(dir, 'p');
    await storage.open();
    const s = emptySearch();
    s.state.trialIds.push('0');
    await storage.transaction(async (tx) => {
      await tx.saveTrial(trialRecord('0', 0.25));
      await tx.saveSearch(s);
    });
    const file = JSON.parse(await fs.readFile(join(dir, 'p', 'oracle.json'), 'utf8'));
    assert.equal(file.format, 'tfjs-tuner/oracle@1');
    assert.deepEqual(file.state.trials, [trialRecord('0', 0.25)]);
    assert.deepEqual(JSON.parse(await fs.readFile(join(dir, 'p', 'trial_0', 'trial.json'), 'utf8')), trialRecord('0', 0.25));
    assert.deepEqual(await storage.loadSearch(), s);
    await fs.writeFile(join(dir, 'p', 'oracle.json'), JSON.stringify({ ...file, format: 'tfjs-tuner/oracle@9' }));
    await assert.rejects(storage.loadSearch(), /oracle\.json was not written by this version of tfjs-tuner.*overwrite: true/);
    await storage.close();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
