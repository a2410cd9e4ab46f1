import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { Hyperband } from '../../src/tuners/builtin-tuners.js';
import type { TrialRecord } from '../../src/tuners/trial.js';
import { tinyData } from './fixtures/tiny.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'parallel-child.ts');

async function serialFacts(root: string): Promise<string[]> {
  const train = tinyData(64, 1);
  const val = tinyData(32, 2);
  const serial = new Hyperband({
    hypermodel: { module: join(import.meta.dirname, 'fixtures', 'parallel-models.ts'), exportName: 'denseHypermodel' },
    objective: 'val_loss', maxEpochs: 4, factor: 2, seed: 21, directory: root, projectName: 'serial', verbose: 0,
  });
  await serial.search(train, { validationData: val });
  tf.dispose([train.xs, train.ys, val.xs, val.ys]);
  return facts([...serial.oracle.trials.values()].map((t) => t.toRecord()));
}

function runChild(dir: string, project: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, project], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Configuration + schedule position + results; ids differ between runs that interleave differently. */
function facts(trials: TrialRecord[]): string[] {
  const byId = new Map(trials.map((t) => [t.trialId, t]));
  return trials.map((t) => {
    const { 'tuner/trial_id': parent, ...values } = t.hyperparameters.values;
    const p = typeof parent === 'string' ? byId.get(parent)! : undefined;
    return JSON.stringify({ values: Object.entries(values).sort(), parent: p && Object.entries(p.hyperparameters.values).filter(([k]) => !k.startsWith('tuner/')).sort(), status: t.status, score: t.score, metrics: t.metrics });
  }).sort();
}

test('two processes with 2 workers each on one project directory finish one consistent search', async () => {
  await initBackend();
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-processes-'));
  try {
    const [a, b] = await Promise.all([runChild(root, 'shared'), runChild(root, 'shared')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ranA = Number(/DONE (\d+)/.exec(a.stdout)?.[1]);
    const ranB = Number(/DONE (\d+)/.exec(b.stdout)?.[1]);
    assert.ok(ranA > 0 && ranB > 0, `both processes trained trials (${ranA} + ${ranB})`);
    assert.equal(ranA + ranB, 15, 'no trial was trained twice');
    const dir = join(root, 'shared');
    const oracle = JSON.parse(await fs.readFile(join(dir, 'oracle.json'), 'utf8')).state;
    assert.equal(oracle.trials.length, 15);
    assert.deepEqual(oracle.ongoing, {});
    assert.equal(new Set(oracle.endOrder).size, 15);
    const records: TrialRecord[] = [];
    for (const t of oracle.trials) {
      const onDisk: TrialRecord = JSON.parse(await fs.readFile(join(dir, `trial_${t.trialId}`, 'trial.json'), 'utf8'));
      assert.deepEqual(onDisk, t, 'trial.json agrees with oracle.json');
      assert.equal(onDisk.status, 'COMPLETED');
      assert.ok(existsSync(join(dir, `trial_${t.trialId}`, 'checkpoint', 'model.json')));
      records.push(onDisk);
    }
    assert.ok(!existsSync(join(dir, '.lock')), 'the lock is released');
    // the same search as one serial process makes
    assert.deepEqual(facts(records), await serialFacts(root));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('a process killed with SIGKILL mid-search: the next one re-runs its trials and the search ends as a serial one', async () => {
  await initBackend();
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-processes-kill-'));
  try {
    const dir = join(root, 'shared');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, 'shared'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal)));
    const deadline = Date.now() + 90_000;
    const readState = async () => JSON.parse(await fs.readFile(join(dir, 'oracle.json'), 'utf8').catch(() => 'null'))?.state;
    for (;;) {
      const state = await readState().catch(() => undefined);
      if (state && state.endOrder.length >= 3 && Object.keys(state.ongoing).length > 0) break;
      assert.ok(Date.now() < deadline, 'the child search made no progress');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const atKill = await readState();
    const orphans = Object.values(atKill.ongoing) as string[];
    assert.ok(orphans.length > 0 && atKill.endOrder.length < 15, `killed mid-search with ${orphans.length} trials in flight`);
    const next = await runChild(root, 'shared');
    assert.equal(next.code, 0, next.stderr);
    const state = await readState();
    assert.deepEqual(state.ongoing, {});
    assert.equal(state.trials.length, 15);
    const records: TrialRecord[] = state.trials;
    assert.ok(records.every((t) => t.status === 'COMPLETED'));
    for (const id of orphans) assert.equal(records.find((t) => t.trialId === id)!.crashes, 1, `trial ${id} of the dead process ran again`);
    assert.deepEqual(facts(records), await serialFacts(root));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
