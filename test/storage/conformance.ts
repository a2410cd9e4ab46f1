/**
 * The cases every SearchStorage must pass (FileStorage now, PostgresStorage next):
 *   describeStorageConformance('FileStorage', '/abs/path/to/factory-module.ts')
 * The factory module exports `makeStorage(key)` (see StorageFactoryModule); each case uses a fresh
 * key, and child processes (real ones, `node --import tsx`) open the same key through the same module.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { modelToStored, setStoredWeights, storedModelLoader } from '../../src/tuners/storage/model-artifacts.js';
import { RandomSearch } from '../../src/tuners/builtin-tuners.js';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';
import { FencedArtifacts } from '../../src/tuners/storage/fenced-artifacts.js';
import { denseHypermodel, tinyData } from '../tuners/fixtures/tiny.js';
import type { SearchStorage } from '../../src/tuners/storage/search-storage.js';
import { counterOf, emptySearch, stdoutLine, trialRecord, type StorageFactoryModule } from './conformance-helpers.js';

const CHILD = join(import.meta.dirname, 'conformance-child.ts');
let keys = 0;

function child(factoryModule: string, key: string, ...args: string[]): { proc: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, factoryModule, key, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => proc.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
  return { proc, done };
}

const line = (c: ReturnType<typeof child>, re: RegExp) => stdoutLine(c.proc, c.done, re);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/**
 * SIGSTOP, but never while the child holds a folder's project lock (its heartbeat takes it for a moment):
 * a frozen holder would block every other process for the lock's stale time, which is not what we test.
 */
async function freeze(c: ReturnType<typeof child>, storage: SearchStorage): Promise<void> {
  for (;;) {
    c.proc.kill('SIGSTOP');
    const lock = storage instanceof FileStorage ? await fs.readFile(join(storage.projectDir, '.lock'), 'utf8').catch(() => '') : '';
    if (lock.split(' ')[1] !== String(c.proc.pid)) return;
    c.proc.kill('SIGCONT');
    await sleep(20);
  }
}

function tinyModel(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

export function describeStorageConformance(name: string, factoryModule: string): void {
  const load = async (): Promise<StorageFactoryModule> => (await import(pathToFileURL(factoryModule).href)) as StorageFactoryModule;
  const fresh = async (): Promise<{ key: string; storage: SearchStorage }> => {
    const key = `conformance-${process.pid}-${Date.now()}-${keys++}`;
    const storage = await (await load()).makeStorage(key);
    await storage.open({ overwrite: true });
    return { key, storage };
  };

  describe(`${name}: SearchStorage conformance`, () => {
    test('transactions from several processes are serialized: no update is lost, no trial twice', async () => {
      const { key, storage } = await fresh();
      try {
        const runs = await Promise.all([1, 2, 3].map(() => child(factoryModule, key, 'increment', '10').done));
        for (const r of runs) assert.equal(r.code, 0, r.stderr);
        const s = await storage.loadSearch();
        assert.equal(counterOf(s), 30, 'every read-decide-write saw the one before it');
        assert.equal(s!.state.trialIds.length, 30);
        assert.equal(new Set(s!.state.trialIds).size, 30);
        const trials = await storage.loadTrials();
        assert.deepEqual(trials.map((t) => t.trialId), [...s!.state.trialIds].sort());
        // each transaction read the counter its predecessor wrote: scores 0..29, once each
        assert.deepEqual(trials.map((t) => t.score).sort((a, b) => a! - b!), Array.from({ length: 30 }, (_, i) => i));
      } finally {
        await storage.open({ overwrite: true });
        await storage.close();
      }
    });

    test('a process killed (SIGKILL) inside a transaction leaves none of its writes and does not block others', async () => {
      const { key, storage } = await fresh();
      try {
        await storage.transaction(async (tx) => tx.saveSearch(emptySearch(5)));
        const c = child(factoryModule, key, 'hang');
        await new Promise<void>((resolve, reject) => {
          c.proc.stdout!.on('data', (d) => String(d).includes('INSIDE') && resolve());
          void c.done.then((r) => reject(new Error(`the child ended before its transaction: ${r.stderr}`)));
        });
        c.proc.kill('SIGKILL');
        await c.done;
        const seen = await storage.transaction(async (tx) => ({ search: await tx.loadSearch(), partial: await tx.loadTrial('partial') }));
        assert.equal(counterOf(seen.search), 5, 'the killed transaction wrote nothing');
        assert.equal(seen.partial, undefined);
        assert.deepEqual(await storage.loadTrials(), []);
        // its worker registration is seen as dead (at once on this host, or once its heartbeat is stale)
        let workers = await storage.transaction((tx) => tx.workers());
        for (let i = 0; i < 120 && workers.find((w) => w.workerId === 'hanging-worker')?.alive; i++) {
          await new Promise((r) => setTimeout(r, 1000));
          workers = await storage.transaction((tx) => tx.workers());
        }
        const w = workers.find((x) => x.workerId === 'hanging-worker');
        assert.ok(w, 'the killed process registered its worker');
        assert.equal(w.alive, false);
      } finally {
        await storage.open({ overwrite: true });
        await storage.close();
      }
    });

    test('a transaction that throws writes nothing; reads inside one see its own writes', async () => {
      const { storage } = await fresh();
      try {
        await assert.rejects(storage.transaction(async (tx) => {
          await tx.saveTrial(trialRecord('0001'));
          const s = emptySearch(1);
          s.state.trialIds.push('0001');
          await tx.saveSearch(s);
          assert.equal((await tx.loadTrial('0001'))?.trialId, '0001');
          assert.equal(counterOf(await tx.loadSearch()), 1);
          assert.deepEqual((await tx.loadTrials()).map((t) => t.trialId), ['0001']);
          throw new Error('decided against it');
        }), /decided against it/);
        assert.equal(await storage.exists(), false);
        assert.deepEqual(await storage.loadTrials(), []);
      } finally {
        await storage.close();
      }
    });

    test('resume: another instance on the same key reads the search and trials; overwrite clears them', async () => {
      const { key, storage } = await fresh();
      const s = emptySearch(7);
      s.state.trialIds.push('0000', '0001');
      s.state.ongoing = { w0: '0001' };
      await storage.transaction(async (tx) => {
        await tx.saveTrial(trialRecord('0000', 0.5));
        await tx.saveTrial({ ...trialRecord('0001'), status: 'RUNNING' });
        await tx.saveSearch(s);
      });
      await storage.close();
      const again = await (await load()).makeStorage(key);
      try {
        await again.open();
        assert.equal(await again.exists(), true);
        assert.deepEqual(await again.loadSearch(), s);
        assert.deepEqual(await again.loadTrials(), [trialRecord('0000', 0.5), { ...trialRecord('0001'), status: 'RUNNING' }]);
        await again.open({ overwrite: true });
        assert.equal(await again.exists(), false);
        assert.deepEqual(await again.loadTrials(), []);
      } finally {
        await again.close();
      }
    });

    test('workers: registered ones are alive, unregistered ones are gone', async () => {
      const { storage } = await fresh();
      try {
        await storage.registerWorker('w0', { host: hostname(), pid: process.pid, kind: 'serial' });
        await storage.heartbeat();
        const ws = await storage.transaction((tx) => tx.workers());
        assert.deepEqual(ws.map((w) => [w.workerId, w.alive, w.kind, w.pid]), [['w0', true, 'serial', process.pid]]);
        await storage.unregisterWorker('w0');
        assert.deepEqual(await storage.transaction((tx) => tx.workers()), []);
      } finally {
        await storage.close();
      }
    });

    test('a worker whose process lives but sends no heartbeat (SIGSTOP) is not alive after the grace period, and alive again once it heartbeats', async () => {
      const { key, storage } = await fresh();
      const c = child(factoryModule, key, 'register');
      const alive = async () => (await storage.transaction((tx) => tx.workers())).find((w) => w.workerId === 'live-worker')?.alive;
      try {
        await line(c, /REGISTERED/);
        assert.equal(await alive(), true);
        await freeze(c, storage);
        const stopped = Date.now();
        await until('the frozen worker is not alive', async () => (await alive()) === false);
        assert.ok(Date.now() - stopped >= storage.heartbeatGraceMs - 1000, 'not before the grace period');
        c.proc.kill('SIGCONT');
        await until('it heartbeats again', async () => (await alive()) === true);
      } finally {
        c.proc.kill('SIGKILL');
        await c.done;
        await storage.close();
      }
    });

    test('overwrite is refused while another process has a live worker registered, and allowed once it is dead', async () => {
      const { key, storage } = await fresh();
      const c = child(factoryModule, key, 'register');
      try {
        await storage.transaction(async (tx) => tx.saveSearch(emptySearch(3)));
        await new Promise<void>((resolve, reject) => {
          c.proc.stdout!.on('data', (d) => String(d).includes('REGISTERED') && resolve());
          void c.done.then((r) => reject(new Error(`the child ended before it registered: ${r.stderr}`)));
        });
        await assert.rejects(storage.open({ overwrite: true }), new RegExp(`overwrite: a search in process ${c.proc.pid} is still running in .*, so it is not deleted`));
        assert.equal(counterOf(await storage.loadSearch()), 3, 'the refused overwrite deleted nothing');
        c.proc.kill('SIGKILL');
        await c.done;
        // dead at once on this host (FileStorage), or once its heartbeat is stale (a database)
        let error: unknown;
        for (let i = 0; i < 120; i++) {
          error = await storage.open({ overwrite: true }).then(() => undefined, (e: unknown) => e);
          if (!error) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        assert.equal(error, undefined);
        assert.equal(await storage.exists(), false);
      } finally {
        c.proc.kill('SIGKILL');
        await storage.close();
      }
    });

    for (const limit of [2, 0]) {
      test(limit > 0
        ? 'search loop: a trial whose worker went silent is handed out again (a counted attempt); the late result is refused, nothing of it written'
        : 'search loop: with maxCrashRetries 0, a trial whose worker went silent is FAILED; its late result is refused too', async () => {
        const { key, storage } = await fresh();
        const go = join(tmpdir(), `${key}.go`);
        const a = child(factoryModule, key, 'search', 'a', go);
        const train = tinyData(32, 1);
        const val = tinyData(16, 2);
        try {
          const [, victim] = await line(a, /PAUSED (\S+)/);
          await freeze(a, storage); // it lives, but heartbeats no more
          await until('worker a is not alive', async () => {
            const ws = await storage.transaction((tx) => tx.workers());
            return ws.some((w) => w.workerId.startsWith('a/') && !w.alive);
          });
          const bStorage = await (await load()).makeStorage(key);
          const b = new RandomSearch({
            hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 2, seed: 3, tunerId: 'b', storage: bStorage,
            directory: bStorage instanceof FileStorage ? bStorage.directory : tmpdir(), projectName: key, verbose: 0, maxCrashRetries: limit,
          });
          const said: string[] = [];
          (b as unknown as { display: { message: (t: string) => void } }).display.message = (t) => said.push(t);
          await b.search(train, { validationData: val, epochs: 2 });
          await b.storage.close();
          const before = await storage.loadTrials();
          const t = before.find((r) => r.trialId === victim)!;
          assert.equal(t.crashes, 1, 'the lost attempt is counted');
          assert.equal(t.status, limit > 0 ? 'COMPLETED' : 'FAILED', t.message);
          assert.match(said.join('\n'), new RegExp(`Trial ${victim}: its worker a/\\S+ sent no heartbeat for over 3 s; ` +
            (limit > 0 ? 'handed out again \\(attempt 2\\)' : 'FAILED after 1 lost attempts')));
          const search = await storage.loadSearch();
          a.proc.kill('SIGCONT');
          await fs.writeFile(go, '');
          const r = await a.done;
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stdout, new RegExp(`REFUSED ${victim}`), 'worker a was told its result is refused');
          assert.deepEqual(await storage.loadTrials(), before, 'the late result wrote nothing');
          assert.deepEqual((await storage.loadSearch())!.state, search!.state);
        } finally {
          a.proc.kill('SIGKILL');
          await a.done;
          tf.dispose([train.xs, train.ys, val.xs, val.ys]);
          await fs.rm(go, { force: true });
          await storage.open({ overwrite: true }).catch(() => undefined); // refused while a killed worker still looks alive
          await storage.close();
        }
      });
    }

    test('artifacts: checkpoints by trial, the best model and named files round-trip as bytes; delete removes checkpoints', async () => {
      const { storage } = await fresh();
      const model = tinyModel();
      const other = tinyModel();
      const x = tf.tensor2d([[1, 2], [-3, 0.5]]);
      try {
        const stored = await modelToStored(model);
        await storage.artifacts.saveCheckpoint('0003', stored);
        const back = await storage.artifacts.loadCheckpoint('0003');
        assert.ok(back);
        assert.deepEqual([...back.weights], [...stored.weights]);
        setStoredWeights(other, back, 'checkpoint 0003');
        assert.deepEqual(await (other.predict(x) as tf.Tensor).array(), await (model.predict(x) as tf.Tensor).array());
        assert.equal(await storage.artifacts.loadCheckpoint('0004'), undefined);
        await storage.artifacts.deleteCheckpoint('0003');
        assert.equal(await storage.artifacts.loadCheckpoint('0003'), undefined);
        await storage.artifacts.deleteCheckpoint('0003'); // idempotent

        assert.equal(await storage.artifacts.loadBestModel(), undefined);
        await storage.artifacts.saveBestModel(stored);
        const best = await tf.loadLayersModel(storedModelLoader((await storage.artifacts.loadBestModel())!));
        assert.deepEqual(await (best.predict(x) as tf.Tensor).array(), await (model.predict(x) as tf.Tensor).array());
        best.dispose();

        assert.equal(await storage.artifacts.loadFile('report.html'), undefined);
        const html = new TextEncoder().encode('<h1>report</h1>');
        await storage.artifacts.saveFile('report.html', html);
        await storage.artifacts.saveFile('report.html', html); // replaces
        assert.deepEqual([...(await storage.artifacts.loadFile('report.html'))!], [...html]);
      } finally {
        tf.dispose(x);
        model.dispose();
        other.dispose();
        await storage.open({ overwrite: true });
        await storage.close();
      }
    });

    test('createFile: of several processes racing to create one file, exactly one does, and the file is its', async () => {
      const { key, storage } = await fresh();
      const dir = await fs.mkdtemp(join(tmpdir(), 'create-race-'));
      const go = join(dir, 'go');
      try {
        await storage.transaction(async (tx) => tx.saveSearch(emptySearch())); // a search, as tune's would be
        const children = [1, 2, 3, 4].map(() => child(factoryModule, key, 'create-file', go));
        await Promise.all(children.map((c) => line(c, /READY/)));
        await fs.writeFile(go, '');
        const runs = await Promise.all(children.map((c) => c.done));
        for (const r of runs) assert.equal(r.code, 0, r.stderr);
        const said = runs.map((r) => /(CREATED|EXISTS) (\d+)/.exec(r.stdout)!);
        const winners = said.filter((m) => m[1] === 'CREATED');
        assert.equal(winners.length, 1, `one creator, got: ${runs.map((r) => r.stdout.trim()).join(' | ')}`);
        assert.equal(new TextDecoder().decode(await storage.artifacts.loadFile('race.txt')), winners[0][2]);
        // in one process: a second create leaves the file; saveFile still replaces it
        assert.equal(await storage.artifacts.createFile('race.txt', new TextEncoder().encode('late')), false);
        assert.equal(new TextDecoder().decode(await storage.artifacts.loadFile('race.txt')), winners[0][2]);
        assert.equal(await storage.artifacts.createFile('other.txt', new TextEncoder().encode('first')), true);
        await storage.artifacts.saveFile('other.txt', new TextEncoder().encode('second'));
        assert.equal(new TextDecoder().decode(await storage.artifacts.loadFile('other.txt')), 'second');
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
        await storage.open({ overwrite: true });
        await storage.close();
      }
    });

    test('fenced artifacts: a worker writes a trial\'s checkpoint only while the stored search says the trial is its own', async () => {
      const { storage } = await fresh();
      const model = tinyModel();
      try {
        const mine = await modelToStored(model);
        const newer = { ...mine, weights: mine.weights.map((b) => b ^ 0xff) };
        const running = (workerId: string) => storage.transaction(async (tx) => {
          const s = (await tx.loadSearch()) ?? emptySearch();
          await tx.saveTrial({ ...trialRecord('0001'), status: 'RUNNING' });
          await tx.saveSearch({ ...s, state: { ...s.state, ongoing: { [workerId]: '0001' }, trialIds: ['0001'] } });
        });
        await running('host-a:1');
        const a = new FencedArtifacts(storage, 'host-a:1');
        await a.saveCheckpoint('0001', mine);
        assert.deepEqual([...(await storage.artifacts.loadCheckpoint('0001'))!.weights], [...mine.weights], 'its own trial: written');
        // the trial is handed out again to another worker, which writes its checkpoint
        await running('host-b:1');
        await new FencedArtifacts(storage, 'host-b:1').saveCheckpoint('0001', newer);
        // the first worker's late checkpoint and delete are refused: the newer attempt's stays
        await a.saveCheckpoint('0001', mine);
        await a.deleteCheckpoint('0001');
        assert.deepEqual([...(await storage.artifacts.loadCheckpoint('0001'))!.weights], [...newer.weights], 'the late checkpoint did not overwrite the newer one');
      } finally {
        model.dispose();
        await storage.open({ overwrite: true });
        await storage.close();
      }
    });
  });
}
