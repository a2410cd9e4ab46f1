/**
 * One search across several machines (issue #12): two "hosts", each a network namespace with its own
 * address (test/helpers/netns.ts) and one serial worker process, run one seeded Hyperband search kept in
 * a real PostgreSQL, and must end with exactly the serial run's trials and scores, also when one host's
 * process is killed (SIGKILL) mid-trial, when one host's link is cut mid-trial, and when the server
 * restarts mid-search. The hosts' heartbeat grace period is 4 s.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.js';
import { Hyperband } from '../../src/tuners/builtin-tuners.js';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import type { TrialRecord } from '../../src/tuners/trial.js';
import { denseHypermodel, tinyData } from './fixtures/tiny.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { makeHosts, namespacesUnavailable, type NetHosts } from '../helpers/netns.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'hosts-child.ts');
const unavailable = namespacesUnavailable() ?? (postgresBinDir() ? undefined : 'PostgreSQL is not installed (apt-get install -y postgresql)');
if (unavailable) console.log(`# skipping the multi-host tests: ${unavailable}`);
let net: NetHosts;
let server: PostgresServer;
let root: string;
let reference: string[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A trial as a comparable fact: configuration, schedule position and parent (not ids), results. */
function facts(records: TrialRecord[]): string[] {
  const byId = new Map(records.map((r) => [r.trialId, r]));
  return records.map((r) => {
    const { 'tuner/trial_id': parent, ...values } = r.hyperparameters.values;
    const parentValues = typeof parent === 'string' ? Object.entries(byId.get(parent)!.hyperparameters.values).filter(([k]) => !k.startsWith('tuner/')) : null;
    return JSON.stringify({ values: Object.entries(values).sort(), parentValues, status: r.status, score: r.score, bestStep: r.bestStep, metrics: r.metrics });
  }).sort();
}

before(async () => {
  if (unavailable) return;
  await initBackend();
  root = await fs.mkdtemp(join(tmpdir(), 'pg-hosts-'));
  net = makeHosts(2);
  server = await startPostgres({ listen: '*', allow: net.subnet });
  // the uninterrupted serial search, in this process, in a folder
  const train = tinyData(64, 1);
  const val = tinyData(32, 2);
  const serial = new Hyperband({ hypermodel: denseHypermodel, objective: 'val_loss', maxEpochs: 4, factor: 2, seed: 21, directory: root, projectName: 'serial', verbose: 0 });
  await serial.search(train, { validationData: val });
  reference = facts(await serial.storage.loadTrials());
  await serial.storage.close();
  tf.dispose([train.xs, train.ys, val.xs, val.ys]);
});
after(async () => {
  net?.destroy();
  await server?.stop();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

interface Host {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching re (rejects if the process ends first). */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  trained(): string[];
}

/** One worker process on host i, connecting over its link to the server's side of it. */
function runHost(i: number, search: string, env: Record<string, string> = {}): Host {
  const h = net.hosts[i];
  const url = server.url().replace(`@${server.host}:`, `@${h.serverAddress}:`);
  const proc = h.spawn(process.execPath, ['--import', 'tsx', CHILD, url, search, join(root, `${search}.go`)], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let buf = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    for (const l of [...listeners]) l();
  });
  proc.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 150_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => proc.on('exit', (code, signal) => {
    clearTimeout(timer);
    for (const l of [...listeners]) l();
    resolve({ code, signal, stderr });
  }));
  let ended = false;
  void done.then(() => (ended = true));
  const waitFor = (re: RegExp) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      for (const l of lines) {
        const m = re.exec(l);
        if (m) {
          listeners.delete(check);
          return resolve(m);
        }
      }
      if (ended) {
        listeners.delete(check);
        reject(new Error(`host ${i} ended before printing ${re}: ${lines.join('\n')}\n${stderr}`));
      }
    };
    listeners.add(check);
    check();
  });
  const trained = () => lines.map((l) => /^TRAINED (\S+)/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
  return { proc, lines, waitFor, done, trained };
}

/** The search as the database holds it, read from here over loopback. */
async function stored(search: string): Promise<{ records: TrialRecord[]; ongoing: Record<string, string> }> {
  const s = new PostgresStorage({ connectionString: server.url(), search });
  try {
    const state = (await s.loadSearch())?.state;
    return { records: await s.loadTrials(), ongoing: state?.ongoing ?? {} };
  } finally {
    await s.close();
  }
}

async function expectWhole(search: string, hosts: Host[]): Promise<TrialRecord[]> {
  const { records, ongoing } = await stored(search);
  assert.deepEqual(ongoing, {}, 'nothing left running');
  assert.equal(records.length, 15, 'no trial lost or duplicated');
  assert.ok(records.every((r) => r.status === 'COMPLETED'), records.map((r) => `${r.trialId} ${r.status} ${r.message ?? ''}`).join('\n'));
  assert.deepEqual(facts(records), reference, 'the same trials and scores as the uninterrupted serial search');
  const all = hosts.flatMap((h) => h.trained());
  assert.deepEqual([...new Set(all)].sort(), records.map((r) => r.trialId), 'the hosts trained every trial of the search');
  return records;
}

const ok = async (h: Host, name: string) => {
  const r = await h.done;
  assert.equal(r.code, 0, `${name} exited with ${r.code ?? r.signal}: ${h.lines.join('\n')}\n${r.stderr}`);
};

test('two hosts run one seeded Hyperband search to the serial run\'s trials and scores; a waiting host wakes on NOTIFY, not on the poll', { skip: unavailable }, async () => {
  // a 60 s poll: a host waiting for the other's trial wakes only through LISTEN/NOTIFY within the test's time
  const t0 = Date.now();
  const hosts = [runHost(0, 'plain', { POLL_MS: '60000', PAUSE_AT: '1' }), runHost(1, 'plain', { POLL_MS: '60000' })];
  // host 0 holds its first trial until host 1 has run out of work and waits for it (the search's only
  // running trial, for a whole second), then lets it finish: its commit must wake host 1
  const [, held] = await hosts[0].waitFor(/^PAUSED (\S+)/);
  let alone = 0;
  for (let i = 0; i < 600 && alone < 10; i++) {
    const { ongoing } = await stored('plain');
    alone = Object.values(ongoing).length === 1 && Object.values(ongoing)[0] === held ? alone + 1 : 0;
    await sleep(100);
  }
  assert.equal(alone, 10, 'host 1 waited for host 0\'s trial');
  await fs.writeFile(join(root, 'plain.go'), '');
  await ok(hosts[0], 'host 0');
  await ok(hosts[1], 'host 1');
  const seconds = (Date.now() - t0) / 1000;
  await expectWhole('plain', hosts);
  assert.ok(hosts.every((h) => h.trained().length > 0), `both hosts trained trials (${hosts.map((h) => h.trained().join(',')).join(' / ')})`);
  assert.equal(hosts[0].trained().filter((id) => hosts[1].trained().includes(id)).length, 0, 'no trial trained on both hosts');
  const idle = JSON.parse(hosts[1].lines.find((l) => l.startsWith('DONE '))!.slice(5)).idleSlotSeconds as number;
  assert.ok(idle >= 1, `host 1 waited (idle ${idle} s)`);
  assert.ok(seconds < 60, `the wait ended on a notification: the search took ${seconds} s, the poll interval is 60 s`);
});

test('one host killed (SIGKILL) mid-trial: the other re-runs its trial and finishes the search', { skip: unavailable }, async () => {
  const a = runHost(0, 'killed', { PAUSE_AT: '2' });
  const b = runHost(1, 'killed');
  const [, victim] = await a.waitFor(/^PAUSED (\S+)/);
  a.proc.kill('SIGKILL');
  assert.equal((await a.done).signal, 'SIGKILL');
  await ok(b, 'host 1');
  assert.ok(b.trained().includes(victim), `host 1 re-ran trial ${victim}`);
  await expectWhole('killed', [a, b]);
});

test('one host\'s link cut mid-trial: its trial is handed out again (counted), its late result is refused when the link is back', { skip: unavailable }, async () => {
  const a = runHost(0, 'cut', { PAUSE_AT: '2' });
  const b = runHost(1, 'cut');
  const [, victim] = await a.waitFor(/^PAUSED (\S+)/);
  net.hosts[0].cut();
  try {
    // host 1 hands the trial out again once host 0's heartbeat is older than the grace period
    for (let i = 0; i < 300; i++) {
      const { records } = await stored('cut');
      if ((records.find((r) => r.trialId === victim)?.crashes ?? 0) > 0) break;
      await sleep(100);
    }
  } finally {
    net.hosts[0].restore();
  }
  await fs.writeFile(join(root, 'cut.go'), '');
  await ok(a, 'host 0');
  await ok(b, 'host 1');
  assert.ok(b.trained().includes(victim), `host 1 re-ran trial ${victim}`);
  assert.ok(a.lines.includes(`REFUSED ${victim}`), `host 0's late result for ${victim} was refused: ${a.lines.join('\n')}`);
  assert.ok(b.lines.some((l) => l.includes(`Trial ${victim}: its worker`) && l.includes('handed out again (attempt 2)')), b.lines.join('\n'));
  const records = await expectWhole('cut', [a, b]);
  assert.equal(records.find((r) => r.trialId === victim)!.crashes, 1, 'the lost attempt is counted');
});

test('PostgreSQL restarted mid-search: both hosts reconnect and finish', { skip: unavailable }, async () => {
  const hosts = [runHost(0, 'restart'), runHost(1, 'restart')];
  let atRestart = 0;
  for (let i = 0; i < 600 && atRestart < 4; i++) {
    atRestart = (await stored('restart')).records.filter((r) => r.status === 'COMPLETED').length;
    if (atRestart < 4) await sleep(50);
  }
  // Both hosts must be in the search, not still making their first contact: this case is about a restart
  // mid-search (on a loaded CI machine host 0 once reached the server only during the restart).
  await Promise.all(hosts.map((h) => h.waitFor(/^TRAINED /)));
  await server.restart();
  await ok(hosts[0], 'host 0');
  await ok(hosts[1], 'host 1');
  assert.ok(atRestart >= 4 && atRestart < 15, `restarted mid-search (after ${atRestart} trials)`);
  await expectWhole('restart', hosts);
});
