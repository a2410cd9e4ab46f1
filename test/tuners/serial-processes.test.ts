import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';
import { RandomSearch } from '../../src/tuners/builtin-tuners.js';
import type { TrialRecord } from '../../src/tuners/trial.js';
import { denseHypermodel, tinyData } from './fixtures/tiny.js';

// Issue #15: two `workers: 1` processes on one project were one oracle worker ("tuner0"), so each was
// handed the other's running trial and both trained every trial. They must share the search like workers do.
const CHILD = join(import.meta.dirname, 'fixtures', 'serial-child.ts');

function runChild(root: string, barrier: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, 'shared', barrier, '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const trained = (stdout: string) => [...stdout.matchAll(/TRAINED (\S+)/g)].map((m) => m[1]);

test('two serial processes (workers: 1) on one project train each trial once, together making the single-process search', async () => {
  await initBackend();
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-serial-processes-'));
  try {
    const barrier = join(root, 'barrier');
    await fs.mkdir(barrier);
    const [a, b] = await Promise.all([runChild(root, barrier), runChild(root, barrier)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ranA = trained(a.stdout);
    const ranB = trained(b.stdout);
    // each child's first trial waits until the other has started one: both train trials
    assert.ok(ranA.length > 0 && ranB.length > 0, `both processes trained trials (${ranA} / ${ranB})`);
    assert.deepEqual(ranA.filter((id) => ranB.includes(id)), [], `no trial was trained by both processes (${ranA} / ${ranB})`);
    assert.equal(new Set(ranA).size, ranA.length, 'no trial was trained twice by one process');
    assert.equal(new Set(ranB).size, ranB.length, 'no trial was trained twice by one process');

    const state = JSON.parse(await fs.readFile(join(root, 'shared', 'oracle.json'), 'utf8')).state;
    assert.deepEqual(state.ongoing, {});
    const records: TrialRecord[] = state.trials;
    assert.deepEqual([...ranA, ...ranB].sort(), records.map((t) => t.trialId).sort(), 'the two processes trained every trial of the search');
    assert.ok(records.every((t) => t.status === 'COMPLETED' && !t.crashes), 'every trial completed, none re-run after a crash');

    // the same trials (ids and configurations) as one serial process makes
    const train = tinyData(64, 1);
    const val = tinyData(32, 2);
    const single = new RandomSearch({ hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 6, seed: 7, directory: root, projectName: 'single', verbose: 0 });
    await single.search(train, { validationData: val, epochs: 2 });
    tf.dispose([train.xs, train.ys, val.xs, val.ys]);
    const configs = (ts: TrialRecord[]) => ts.map((t) => [t.trialId, t.hyperparameters.values]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    assert.equal(records.length, single.oracle.trials.size);
    assert.deepEqual(configs(records), configs([...single.oracle.trials.values()].map((t) => t.toRecord())));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('a running serial search is a live registered worker of the storage: overwrite is refused until it ends, then its registration is gone', async () => {
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-serial-live-'));
  try {
    const barrier = join(root, 'barrier');
    await fs.mkdir(barrier);
    // one child, a barrier of two: it waits inside its first trial until the barrier folder is removed
    const run = spawn(process.execPath, ['--import', 'tsx', CHILD, root, 'shared', barrier, '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    run.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => run.on('exit', resolve));
    try {
      for (let i = 0; i < 1200 && (await fs.readdir(barrier)).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await fs.readdir(barrier), [String(run.pid)], stderr);
      const storage = new FileStorage(root, 'shared');
      const workers = await storage.transaction((tx) => tx.workers());
      assert.deepEqual(workers.map((w) => [w.workerId, w.kind, w.pid, w.alive]), [[`tuner0/${hostname()}/${run.pid}/w0`, 'serial', run.pid, true]]);
      const train = tinyData(64, 1);
      const again = new RandomSearch({ hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 6, seed: 7, directory: root, projectName: 'shared', overwrite: true, verbose: 0 });
      await assert.rejects(again.search(train, { epochs: 1 }), new RegExp(`overwrite: a search in process ${run.pid} is still running in .*shared, so it is not deleted`));
      tf.dispose([train.xs, train.ys]);
      await fs.rm(barrier, { recursive: true });
      assert.equal(await exited, 0, stderr);
      assert.deepEqual(await storage.transaction((tx) => tx.workers()), [], 'the ended search unregistered its worker');
      await new RandomSearch({ hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 6, seed: 7, directory: root, projectName: 'shared', overwrite: true, verbose: 0 }).reload();
      assert.equal(JSON.parse(await fs.readFile(join(root, 'shared', 'oracle.json'), 'utf8')).state.trials.length, 0, 'overwrite started afresh');
    } finally {
      run.kill('SIGKILL');
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
