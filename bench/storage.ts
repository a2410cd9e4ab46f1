/**
 * Storage overhead per trial: `npm run bench:storage` (tsx bench/storage.ts).
 * A trial that trains nothing, as the search loop drives a storage: one transaction to claim it (read the
 * search and its trials, write the trial RUNNING and the search), one to record its result (read, write
 * the trial COMPLETED and the search), plus a heartbeat. Folder (FileStorage) vs PostgreSQL
 * (PostgresStorage on a throwaway server started here), with 1 and 4 concurrent processes on one search.
 * Each process times its own loop (not its start-up). The trial loop itself (oracle decisions, training) is not in it: this is the storage's own cost.
 * BENCH_STORAGE_TRIALS (default 100) trials per process. The last line is one JSON object.
 */
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileStorage } from '../src/tuners/storage/file-storage.js';
import { PostgresStorage } from '../src/tuners/storage/postgres-storage.js';
import type { SearchStorage } from '../src/tuners/storage/search-storage.js';
import { emptySearch, trialRecord } from '../test/storage/conformance-helpers.js';
import { startPostgres } from '../test/helpers/postgres-server.js';

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

if (process.argv[2] === 'child') {
  const [, , , kind, where, key, n] = process.argv;
  await child(kind, where, key, Number(n));
} else {
  const server = await startPostgres();
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
    }
  } finally {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out));
}
