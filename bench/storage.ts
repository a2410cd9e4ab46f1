/**
 * Storage overhead per trial: `npm run bench:storage` (tsx bench/storage.ts).
 * A trial that trains nothing, as the search loop drives a storage: one transaction to claim it (read the
 * search and its trials, write the trial RUNNING and the search), one to record its result (read, write
 * the trial COMPLETED and the search), plus a heartbeat. Folder (FileStorage) vs PostgreSQL
 * (PostgresStorage on a throwaway server started here), with 1 and 4 concurrent processes on one search.
 * Each process times its own loop (not its start-up). The trial loop itself (oracle decisions, training) is not in it: this is the storage's own cost.
 * BENCH_STORAGE_TRIALS (default 100) trials per process.
 *
 * Two hosts vs one: the same seeded Hyperband search (maxEpochs 9, factor 3: 23 trials of a dense net on
 * BENCH_HOSTS_DATA_N, default 4096, samples) kept in PostgreSQL, run by one worker process in one network
 * namespace, then by one worker process in each of two (test/helpers/netns.ts: needs root and iproute2;
 * skipped with the reason otherwise); wall-clock from starting the processes until the last one ends
 * (start-up included), and whether both ended with the same trials and scores.
 * The last line is one JSON object with every figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileStorage } from '../src/tuners/storage/file-storage.js';
import { PostgresStorage } from '../src/tuners/storage/postgres-storage.js';
import type { SearchStorage } from '../src/tuners/storage/search-storage.js';
import { emptySearch, trialRecord } from '../test/storage/conformance-helpers.js';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres-server.js';
import { makeHosts, namespacesUnavailable, type NetHosts } from '../test/helpers/netns.js';
import type { TrialRecord } from '../src/tuners/trial.js';

const TRIALS = Number(process.env.BENCH_STORAGE_TRIALS ?? 100);

function open(kind: string, where: string, key: string): SearchStorage {
  return kind === 'postgres' ? new PostgresStorage({ connectionString: where, search: key }) : new FileStorage(where, key);
}

async function child(kind: string, where: string, key: string, n: number): Promise<void> {
  const s = open(kind, where, key);
  await s.open();
  const worker = `w${process.pid}`;
  await s.registerWorker(worker, { host: hostname(), pid: process.pid, kind: 'serial' });
  await s.loadSearch(); // connected (and the schema checked) before the clock starts
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const id = `${process.pid}-${String(i).padStart(4, '0')}`;
    await s.transaction(async (tx) => {
      const cur = (await tx.loadSearch()) ?? emptySearch();
      await tx.loadTrials();
      await tx.workers(); // the loop looks for silent workers' trials in every claim
      await tx.saveTrial({ ...trialRecord(id), status: 'RUNNING' });
      cur.state.trialIds.push(id);
      cur.state.ongoing[worker] = id;
      await tx.saveSearch(cur);
    });
    await s.heartbeat();
    await s.transaction(async (tx) => {
      const cur = (await tx.loadSearch())!;
      await tx.loadTrials();
      await tx.saveTrial(trialRecord(id, i));
      delete cur.state.ongoing[worker];
      await tx.saveSearch(cur);
    });
  }
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0 })}\n`);
  await s.close();
}

async function run(kind: string, where: string, procs: number): Promise<{ trialsPerSecond: number; msPerTrial: number }> {
  const key = `bench-${kind}-${procs}-${Date.now()}`;
  const s = open(kind, where, key);
  await s.open({ overwrite: true });
  // each process times its own trial loop (not its start-up); the slowest one is the wall time
  const times = await Promise.all(Array.from({ length: procs }, () => new Promise<number>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'child', kind, where, key, String(TRIALS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout!.on('data', (d) => (text += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text.trim().split('\n').pop()!).ms) : reject(new Error(`a ${kind} bench process exited with ${code}`))));
  })));
  const seconds = Math.max(...times) / 1000;
  const done = (await s.loadTrials()).length;
  if (done !== procs * TRIALS) throw new Error(`${kind}: ${done} trials recorded, expected ${procs * TRIALS}`);
  await s.open({ overwrite: true });
  await s.close();
  // ms per trial as one process sees it (its own trials over the wall time)
  return { trialsPerSecond: done / seconds, msPerTrial: (seconds * 1000) / TRIALS };
}

const HOSTS_CHILD = join(import.meta.dirname, '..', 'test', 'tuners', 'fixtures', 'hosts-child.ts');

/** Runs the seeded search with one worker process on each of the first `count` hosts; wall seconds and the trials. */
async function hostsRun(server: PostgresServer, net: NetHosts, count: number): Promise<{ seconds: number; trials: TrialRecord[] }> {
  const search = `bench-hosts-${count}-${Date.now()}`;
  const env = { ...process.env, DATA_N: process.env.BENCH_HOSTS_DATA_N ?? '4096', MAX_EPOCHS: '9', FACTOR: '3' };
  const t0 = performance.now();
  await Promise.all(net.hosts.slice(0, count).map((h) => new Promise<void>((resolve, reject) => {
    const url = server.url().replace(`@${server.host}:`, `@${h.serverAddress}:`);
    const p: ChildProcess = h.spawn(process.execPath, ['--import', 'tsx', HOSTS_CHILD, url, search, join(tmpdir(), `${search}.go`)], { stdio: ['ignore', 'ignore', 'inherit'], env });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a host's worker process exited with ${code}`))));
  })));
  const seconds = (performance.now() - t0) / 1000;
  const s = new PostgresStorage({ connectionString: server.url(), search });
  const trials = await s.loadTrials();
  await s.close();
  return { seconds, trials };
}

/** A search's trials as comparable facts (configuration and results, not ids, which differ in order). */
function facts(trials: TrialRecord[]): string {
  return JSON.stringify(trials.map((t) => {
    const { 'tuner/trial_id': _parent, ...values } = t.hyperparameters.values;
    return JSON.stringify([Object.entries(values).sort(), t.status, t.score, t.bestStep]);
  }).sort());
}

if (process.argv[2] === 'child') {
  const [, , , kind, where, key, n] = process.argv;
  await child(kind, where, key, Number(n));
} else {
  // listening beyond loopback for the hosts' namespaces (their links' subnet may log in)
  const server = await startPostgres(namespacesUnavailable() ? {} : { listen: '*', allow: '10.0.0.0/8' });
  const folder = mkdtempSync(join(tmpdir(), 'bench-storage-'));
  const out: Record<string, unknown> = { trialsPerProcess: TRIALS, loadavg: (await import('node:os')).loadavg().map((x) => Number(x.toFixed(2))) };
  try {
    for (const procs of [1, 4]) {
      for (const kind of ['folder', 'postgres']) {
        const r = await run(kind, kind === 'postgres' ? server.url() : folder, procs);
        console.log(`${kind}, ${procs} process(es): ${r.trialsPerSecond.toFixed(1)} trials/s, ${r.msPerTrial.toFixed(1)} ms per trial per process`);
        out[`${kind}_${procs}p_trials_per_s`] = Number(r.trialsPerSecond.toFixed(1));
        out[`${kind}_${procs}p_ms_per_trial`] = Number(r.msPerTrial.toFixed(2));
      }
      const added = Number(out[`postgres_${procs}p_ms_per_trial`]) - Number(out[`folder_${procs}p_ms_per_trial`]);
      out[`postgres_adds_${procs}p_ms_per_trial`] = Number(added.toFixed(2));
      console.log(`PostgreSQL adds ${added.toFixed(1)} ms per trial with ${procs} process(es) (target: under 20 ms)`);
    }
    const unavailable = namespacesUnavailable();
    if (unavailable) {
      console.log(`two hosts vs one: skipped (${unavailable})`);
      out.hosts_skipped = unavailable;
    } else {
      const net = makeHosts(2);
      try {
        const one = await hostsRun(server, net, 1);
        const two = await hostsRun(server, net, 2);
        const same = facts(one.trials) === facts(two.trials);
        console.log(`Hyperband (${one.trials.length} trials): 1 host ${one.seconds.toFixed(1)} s, 2 hosts ${two.seconds.toFixed(1)} s = ` +
          `${(one.seconds / two.seconds).toFixed(2)}x; same trials and scores: ${same}`);
        Object.assign(out, {
          hosts_trials: one.trials.length, hosts_1_seconds: Number(one.seconds.toFixed(2)), hosts_2_seconds: Number(two.seconds.toFixed(2)),
          hosts_speedup: Number((one.seconds / two.seconds).toFixed(2)), hosts_same_trials: same,
        });
      } finally {
        net.destroy();
      }
    }
    out.loadavg_end = (await import('node:os')).loadavg().map((x) => Number(x.toFixed(2)));
  } finally {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out));
}
