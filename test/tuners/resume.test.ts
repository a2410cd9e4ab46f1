import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'fixtures', 'search-child.ts');
const run = (dir: string, project: string, extra: string[] = []) => spawnSync(process.execPath, ['--import', 'tsx', CHILD, dir, project, ...extra], { encoding: 'utf8', timeout: 120_000 });

async function completedTrials(projectDir: string): Promise<number> {
  let n = 0;
  let names: string[] = [];
  try {
    names = await fs.readdir(projectDir);
  } catch {
    return 0;
  }
  for (const name of names.filter((x) => x.startsWith('trial_'))) {
    try {
      const r = JSON.parse(await fs.readFile(join(projectDir, name, 'trial.json'), 'utf8'));
      if (r.status === 'COMPLETED') n++;
    } catch {
      // being written: atomic rename means it is either absent or whole, but be safe
    }
  }
  return n;
}

const comparable = (trials: Array<Record<string, unknown>>) => trials.map(({ elapsedSeconds: _e, ...rest }) => rest);

/** Runs the child search whole, and killed after a few trials then resumed; both must end alike. */
async function killAndResume(extra: string[]): Promise<Array<Record<string, unknown>>> {
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-resume-'));
  try {
    const whole = run(root, 'whole', extra);
    assert.equal(whole.status, 0, whole.stderr);
    assert.match(whole.stdout, /DONE 23/);

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, 'killed', ...extra], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const projectDir = join(root, 'killed');
    const deadline = Date.now() + 90_000;
    while ((await completedTrials(projectDir)) < 4) {
      assert.ok(Date.now() < deadline, 'the child search made no progress');
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const state = JSON.parse(await fs.readFile(join(projectDir, 'oracle.json'), 'utf8')).state;
    const doneAtKill = state.trials.filter((t: { status: string }) => t.status === 'COMPLETED').length;
    assert.ok(doneAtKill >= 3 && doneAtKill < 23, `killed mid-search (${doneAtKill} trials done)`);
    const kept = JSON.parse(await fs.readFile(join(projectDir, 'trial_0000', 'trial.json'), 'utf8'));

    const resumed = run(root, 'killed', extra);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /DONE 23/);
    const a = JSON.parse(await fs.readFile(join(root, 'whole', 'oracle.json'), 'utf8')).state;
    const b = JSON.parse(await fs.readFile(join(projectDir, 'oracle.json'), 'utf8')).state;
    assert.deepEqual(comparable(b.trials), comparable(a.trials));
    assert.deepEqual(b.endOrder, a.endOrder);
    assert.deepEqual(b.extra, a.extra, 'the Hyperband schedule continued where it was');
    // finished trials were kept as they were, not re-run
    const after = JSON.parse(await fs.readFile(join(projectDir, 'trial_0000', 'trial.json'), 'utf8'));
    assert.equal(after.elapsedSeconds, kept.elapsedSeconds);
    for (const t of b.trials) assert.ok(existsSync(join(projectDir, `trial_${t.trialId}`, 'checkpoint', 'model.json')));
    // no temporary files are left behind
    const leftovers = (await fs.readdir(projectDir, { recursive: true })).filter((f) => String(f).includes('.tmp-'));
    assert.deepEqual(leftovers, [], 'stale temp files are cleaned up on resume');
    return b.trials;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

test('a search killed with SIGKILL resumes and ends with the same trials as an uninterrupted run', async () => {
  await killAndResume([]);
});

test('with early stopping too: a killed search resumes to the same early-stopped trials', async () => {
  const trials = await killAndResume([JSON.stringify({ patience: 1, minDelta: 0.02 })]) as Array<{ hyperparameters: { values: Record<string, number> }; metrics: Record<string, number[]> }>;
  const short = trials.filter((t) => t.metrics.val_loss.length < t.hyperparameters.values['tuner/epochs'] - t.hyperparameters.values['tuner/initial_epoch']);
  assert.ok(short.length >= 1, 'some trial stopped early');
});
