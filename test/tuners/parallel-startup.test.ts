/**
 * A parallel search starts its worker threads when search() begins, while this thread loads the project
 * and prepares the data, and reports where the start-up went; workers started for a search that then
 * cannot load its project are stopped, not left running.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { searchFixture } from './fixtures/search-fixture.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'parallel-models.ts');
const fx = searchFixture('tuner-parallel-startup-', { train: 32, val: 16 });

const make = (projectName: string, maxTrials: number, objective = 'val_loss') => new RandomSearch({
  hypermodel: { module: MODELS, exportName: 'denseHypermodel' }, objective, maxTrials, seed: 3, directory: fx.root, projectName, verbose: 0,
});

/** This process's thread count (Linux), or undefined. */
function threads(): number | undefined {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

test('a parallel search reports each worker\'s start-up phases, in wall and CPU seconds', async () => {
  // 8 trials: usually both workers come up before the search ends, but on a loaded machine the first can
  // finish them all while the second still loads tfjs; the report then holds the workers that came up.
  const outcome = await make('phases', 8).search(fx.train, { validationData: fx.val, epochs: 1, workers: 2 });
  const s = outcome.startup;
  assert.ok(s, 'a parallel search has a start-up report');
  assert.ok(s.workers.length >= 1 && s.workers.length <= 2, `one report per worker that came up (${s.workers.length})`);
  assert.equal(s.seconds, +outcome.readySeconds.toFixed(3));
  assert.ok(s.prepareSeconds !== undefined && s.prepareSeconds >= 0 && s.prepareSeconds <= s.seconds);
  for (const w of s.workers) {
    const names = w.phases.map((p) => p.name);
    // Under tsx (these tests), the worker registers tsx's loader after tfjs; from dist/ there is no tsx phase.
    assert.deepEqual(names.filter((n) => n !== 'tsx'), ['thread', 'tfjs', 'modules', 'backend', 'hypermodel', 'waiting for data', 'data']);
    assert.ok(w.phases.every((p) => p.seconds >= 0));
    const sum = w.phases.reduce((a, p) => a + p.seconds, 0);
    assert.ok(Math.abs(sum - w.seconds) < 0.01, `phases add up to the worker's start-up (${sum} vs ${w.seconds})`);
    // A worker is spawned after search() began and is ready before the search reports every slot ready.
    assert.ok(w.seconds <= s.seconds + 0.05, `${w.seconds} <= ${s.seconds}`);
    if (threads() !== undefined) {
      assert.ok(w.cpuSeconds !== undefined && w.cpuSeconds > 0, 'thread CPU seconds on Linux');
      assert.ok(w.phases.every((p) => p.cpuSeconds !== undefined && p.cpuSeconds >= 0));
      assert.ok(s.cpuSeconds !== undefined && s.cpuSeconds >= w.cpuSeconds, 'the process used at least what one worker did');
    }
  }
  // A serial search starts no workers and reports none.
  assert.equal((await make('serial', 1).search(fx.train, { validationData: fx.val, epochs: 1 })).startup, undefined);
});

test('workers started for a search whose project cannot load are stopped', async () => {
  await make('taken', 2).reload();
  const baseline = threads();
  // Another search (another objective) on the same project: refused once the workers are already starting.
  await assert.rejects(make('taken', 2, 'loss').search(fx.train, { validationData: fx.val, epochs: 1, workers: 2 }), /was written by a different search/);
  if (baseline === undefined) return;
  // Terminated threads leave the process shortly after: no worker keeps running (or keeps the process alive).
  for (let i = 0; i < 50 && threads()! > baseline; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(threads()! <= baseline, `threads ${threads()} after the refused search, ${baseline} before`);
});
