/**
 * Two `tune`s that start one new shared search at the same instant: both read no settings, and only one
 * may store its own. The other must then be checked against them, as a later joiner would be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimSearchSettings, loadSearchSettings, type SearchSettings } from '../../src/cli/search-settings.js';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';

const settings = (maxEpochs: number): SearchSettings => ({
  imageSize: [28, 28], colorMode: 'rgb', classes: ['a', 'b'], hypermodel: null,
  tuner: 'hyperband', maxEpochs, factor: 3, maxTrials: 10, epochs: 1, objective: 'val_accuracy', batchSize: 32,
  augment: {}, seed: 1, space: null, classFilter: null, validationSplit: null, earlyStopping: null,
  hyperbandIterations: null, executionsPerTrial: null, maxConsecutiveFailedTrials: null, onError: 'raise',
  maxImagePixels: null, maxTime: null, hypermodelModule: null,
  data: { train: { classes: ['a', 'b'], files: 4, fingerprint: 'f'.repeat(64) }, val: null },
});

test('claimSearchSettings: of two starts racing with other settings, one stores its own and the other is refused, naming the flag', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'claim-settings-'));
  try {
    const a = new FileStorage(dir, 'shared');
    const b = new FileStorage(dir, 'shared');
    // both read "no settings" before either writes: the race that saveFile lost (both wrote, the last one won)
    assert.equal(await loadSearchSettings(a), undefined);
    assert.equal(await loadSearchSettings(b), undefined);
    const results = await Promise.allSettled([
      claimSearchSettings(a, settings(10), 'search A', { train: '/data/train' }),
      claimSearchSettings(b, settings(30), 'search B', { train: '/data/train' }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1, 'exactly one start stores its settings');
    assert.equal(refused.length, 1);
    const stored = (await loadSearchSettings(a))!;
    const loser = results[0].status === 'rejected' ? 10 : 30;
    assert.equal(stored.maxEpochs, 40 - loser, 'the stored settings are the winner\'s');
    assert.match(String(refused[0].reason.message), new RegExp(`was started with other settings: --max-epochs ${40 - loser} \\(now ${loser}\\)`));
    // a third start with the same settings as the winner joins them
    await claimSearchSettings(new FileStorage(dir, 'shared'), settings(40 - loser), 'search C', { train: '/data/train' });
    assert.equal((await loadSearchSettings(a))!.maxEpochs, 40 - loser);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
