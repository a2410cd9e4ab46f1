/**
 * PostgresStorage from other "machines": processes in network namespaces (test/helpers/netns.ts) reach
 * the database over veth links; one link is cut mid-search and restored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import { counterOf, stdoutLine } from './conformance-helpers.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { makeHosts, namespacesUnavailable, type NetHosts } from '../helpers/netns.js';

const CHILD = join(import.meta.dirname, 'conformance-child.ts');
const FACTORY = join(import.meta.dirname, 'postgres-storage-factory.ts');
const unavailable = namespacesUnavailable();
let server: PostgresServer;
let net: NetHosts;

before(async () => {
  if (unavailable) return;
  net = makeHosts(2);
  server = await startPostgres({ listen: '*', allow: net.subnet });
});
after(async () => {
  net?.destroy();
  await server?.stop();
});

/** `increment n` transactions from a process on `host`, connecting to the server's side of its link. */
function runOn(hostIndex: number, key: string, n: number) {
  const h = net.hosts[hostIndex];
  const url = server.url().replace(`@${server.host}:`, `@${h.serverAddress}:`);
  const proc = h.spawn(process.execPath, ['--import', 'tsx', CHILD, FACTORY, key, 'increment', String(n)], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TFJS_TUNER_TEST_PG_URL: url },
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => proc.on('exit', (code) => resolve({ code, stderr })));
  /** Resolves once the host has done k steps (rejects with its output if it ends first). */
  const step = (k: number) => stdoutLine(proc, done, new RegExp(`^STEP ${k}$`, 'm'));
  return { done, step };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('two hosts in their own network namespaces share one search; a link cut mid-search hangs that host until it is back, and nothing is lost', { skip: unavailable }, async () => {
  const key = `netns-${process.pid}`;
  const here = new PostgresStorage({ connectionString: server.url(), search: key });
  try {
    await here.open({ overwrite: true });
    // host 0 starts late, when host 1 is well under way (as a slower machine would): its link is cut only
    // once it has connected and done steps of its own, so the cut hangs a live connection, never a first
    // connect (which fails at once with EHOSTUNREACH, as it should)
    const b = runOn(1, key, 15);
    await b.step(3);
    const a = runOn(0, key, 15);
    await a.step(2);
    net.hosts[0].cut();
    const atCut = counterOf(await here.loadSearch());
    await sleep(3000);
    net.hosts[0].restore();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    assert.ok(atCut >= 5 && atCut < 30, `the link was cut mid-search (at step ${atCut})`);
    const s = (await here.loadSearch())!;
    assert.equal(counterOf(s), 30, 'every step of both hosts counted once');
    assert.equal(new Set(s.state.trialIds).size, 30);
    assert.equal((await here.loadTrials()).length, 30);
  } finally {
    await here.open({ overwrite: true });
    await here.close();
  }
});
