import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The child freezes itself at a chosen point (TUNER_TEST_STOP_AT) and says so, so each SIGKILL lands
// exactly there instead of wherever a timer happens to fall; TUNER_TEST_SNAPSHOTS records the oracle's
// in-memory state as each trial starts training.
const CHILD = join(import.meta.dirname, 'fixtures', 'search-child.ts');
const TRIALS = 23; // Hyperband, maxEpochs 9, factor 3 (KerasTuner's schedule)

interface Snapshot { trialId: string; state: OracleState }
interface OracleState {
  rngState: number;
  trials: Array<{ trialId: string; status: string; elapsedSeconds?: number }>;
  ongoing: Record<string, string>;
  [k: string]: unknown;
}

function runWhole(root: string, project: string, extra: string[], snapshots: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, root, project, ...extra], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, TUNER_TEST_SNAPSHOTS: snapshots },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`DONE ${TRIALS}`));
}

/** Starts the child, waits until it reports it is frozen at `stopAt`, and returns the live process. */
async function runUntil(root: string, project: string, extra: string[], stopAt: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, project, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TUNER_TEST_STOP_AT: stopAt },
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child never reached ${stopAt}: ${out}${err}`)), 90_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('STOPPED')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`the child ended before ${stopAt}: ${out}${err}`)));
  });
  return { child, exited };
}

const readJson = async (path: string) => JSON.parse(await fs.readFile(path, 'utf8'));
const readSnapshots = async (path: string): Promise<Snapshot[]> =>
  (await fs.readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Snapshot);

/** The state without wall-clock times and process ids (in the worker ids), the only things two runs may differ in. */
function comparable(state: OracleState): OracleState {
  const ongoing = Object.fromEntries(Object.entries(state.ongoing).map(([worker, trial]) => [worker.replace(/\/\d+\/(w\d+)$/, '/<pid>/$1'), trial]));
  return { ...state, ongoing, trials: state.trials.map(({ elapsedSeconds: _e, ...rest }) => rest) };
}

const running = (state: OracleState) => state.trials.filter((t) => t.status === 'RUNNING').map((t) => t.trialId);

/**
 * Kills the child search at `stopAt`, checks a trial was in flight, resumes it, and checks the resumed
 * search made the uninterrupted one's decisions from the restored state on: at every trial it started,
 * its oracle state (random generator included) equals the uninterrupted run's at the same trial.
 */
async function killAndResume(root: string, whole: Snapshot[], stopAt: string, extra: string[] = []) {
  const project = `killed-${stopAt.replace(':', '-')}`;
  const projectDir = join(root, project);
  const { child, exited } = await runUntil(root, project, extra, stopAt);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');

  // What the kill left: a trial RUNNING in oracle.json, and the half-written file for the write points.
  const atKill: OracleState = (await readJson(join(projectDir, 'oracle.json'))).state;
  const inFlight = running(atKill);
  assert.equal(inFlight.length, 1, `${stopAt}: one trial was running at the kill (${JSON.stringify(atKill.ongoing)})`);
  assert.deepEqual(Object.values(atKill.ongoing), inFlight);
  const [kind] = stopAt.split(':');
  const tmpFiles = (await fs.readdir(projectDir, { recursive: true })).map(String).filter((f) => f.includes('.tmp-'));
  if (kind === 'mid-checkpoint') {
    const checkpoint = join(projectDir, `trial_${inFlight[0]}`, 'checkpoint');
    assert.ok(existsSync(join(checkpoint, 'weights.bin')), 'the weights were written');
    assert.ok(!existsSync(join(checkpoint, 'model.json')), 'model.json was not');
    assert.equal(tmpFiles.length, 1, `a half-written model.json: ${tmpFiles}`);
  } else if (kind === 'mid-state') {
    assert.equal((await readJson(join(projectDir, `trial_${inFlight[0]}`, 'trial.json'))).status, 'COMPLETED', 'trial.json was saved first');
    assert.deepEqual(tmpFiles.map((f) => f.replace(/\.tmp-.*/, '')), ['.oracle.json'], 'a half-written oracle.json');
  } else {
    assert.deepEqual(tmpFiles, []);
  }
  const doneAtKill = atKill.trials.filter((t) => t.status === 'COMPLETED');
  assert.ok(doneAtKill.length >= 1 && doneAtKill.length < TRIALS - 1, `${stopAt}: killed mid-search`);
  const keptTrial = await readJson(join(projectDir, `trial_${doneAtKill[0].trialId}`, 'trial.json'));

  const snapshotsFile = join(root, `${project}.jsonl`);
  runWhole(root, project, extra, snapshotsFile);
  const resumed = await readSnapshots(snapshotsFile);
  // The resumed search starts by re-running the trial the kill interrupted, then carries on.
  assert.equal(resumed[0].trialId, inFlight[0], `${stopAt}: the interrupted trial is run again first`);
  assert.equal(resumed.length, TRIALS - doneAtKill.length, `${stopAt}: only the unfinished trials were trained`);
  const wholeAt = new Map(whole.map((s) => [s.trialId, s.state]));
  for (const s of resumed) {
    const expected = wholeAt.get(s.trialId);
    assert.ok(expected, `${stopAt}: trial ${s.trialId} exists in the uninterrupted run`);
    assert.equal(s.state.rngState, expected.rngState, `${stopAt}: the random generator at trial ${s.trialId} is where it was`);
    assert.deepEqual(comparable(s.state), comparable(expected), `${stopAt}: the oracle state at trial ${s.trialId}`);
  }
  const end: OracleState = (await readJson(join(projectDir, 'oracle.json'))).state;
  const wholeEnd: OracleState = (await readJson(join(root, 'whole', 'oracle.json'))).state;
  assert.deepEqual(comparable(end), comparable(wholeEnd), `${stopAt}: the searches end alike`);

  // finished trials were kept as they were, not re-run
  const after = await readJson(join(projectDir, `trial_${keptTrial.trialId}`, 'trial.json'));
  assert.equal(after.elapsedSeconds, keptTrial.elapsedSeconds);
  for (const t of end.trials) assert.ok(existsSync(join(projectDir, `trial_${t.trialId}`, 'checkpoint', 'model.json')));
  const leftovers = (await fs.readdir(projectDir, { recursive: true })).filter((f) => String(f).includes('.tmp-'));
  assert.deepEqual(leftovers, [], 'stale temp files are cleaned up on resume');
  return end;
}

async function withWholeRun(extra: string[], body: (root: string, whole: Snapshot[]) => Promise<void>) {
  const root = await fs.mkdtemp(join(tmpdir(), 'tuner-resume-'));
  try {
    runWhole(root, 'whole', extra, join(root, 'whole.jsonl'));
    const whole = await readSnapshots(join(root, 'whole.jsonl'));
    assert.equal(whole.length, TRIALS);
    await body(root, whole);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

test('a search killed with SIGKILL (before a trial, mid-epoch, mid-checkpoint, mid-state write) resumes from its saved state to the uninterrupted run', async () => {
  await withWholeRun([], async (root, whole) => {
    // Spread over the brackets: fresh configurations (1, 5) and promoted ones warm-started from a checkpoint (12, 20).
    for (const stopAt of ['trial-start:5', 'mid-epoch:12', 'mid-checkpoint:20', 'mid-state:3']) await killAndResume(root, whole, stopAt);
  });
});

test('with early stopping too: a killed search resumes to the same early-stopped trials', async () => {
  const extra = [JSON.stringify({ patience: 1, minDelta: 0.02 })];
  await withWholeRun(extra, async (root, whole) => {
    const end = await killAndResume(root, whole, 'mid-epoch:14', extra);
    const trials = end.trials as unknown as Array<{ hyperparameters: { values: Record<string, number> }; metrics: Record<string, number[]> }>;
    const short = trials.filter((t) => t.metrics.val_loss.length < t.hyperparameters.values['tuner/epochs'] - t.hyperparameters.values['tuner/initial_epoch']);
    assert.ok(short.length >= 1, 'some trial stopped early');
  });
});
