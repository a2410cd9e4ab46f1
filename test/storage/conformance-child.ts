/**
 * A child process of the storage conformance suite: `node --import tsx conformance-child.ts <factory
 * module> <key> increment <n>` runs n read-decide-write transactions
 * (printing `STEP <k>` after the k-th); `... hang` stops inside one
 * (after its writes) and waits to be killed; `... register` registers a worker and waits to be killed
 * (heartbeating meanwhile); `... create-file <go file>` calls artifacts.createFile('race.txt', its pid) once
 * the go file exists and prints `CREATED <pid>` or `EXISTS <pid>`; `... search <tunerId> <go file>` runs a seeded 2-trial RandomSearch as worker <tunerId>, pausing at the end
 * of its first trial's first epoch (printing `PAUSED <id>`) until the go file exists, and prints `REFUSED <id>`
 * if its result is refused.
 */
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { counterOf, emptySearch, trialRecord, type StorageFactoryModule } from './conformance-helpers.js';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';

const [factoryPath, key, op, arg] = process.argv.slice(2);
const factory = (await import(pathToFileURL(factoryPath).href)) as StorageFactoryModule;
const storage = await factory.makeStorage(key);
await storage.open();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (op === 'increment') {
  for (let i = 0; i < Number(arg); i++) {
    await storage.transaction(async (tx) => {
      const s = (await tx.loadSearch()) ?? emptySearch();
      const n = counterOf(s);
      await sleep(2); // a window in which an unserialized writer would interleave
      const id = `${process.pid}-${String(i).padStart(3, '0')}`;
      await tx.saveTrial(trialRecord(id, n));
      s.settings.counter = n + 1;
      s.state.trialIds.push(id);
      await tx.saveSearch(s);
    });
    process.stdout.write(`STEP ${i + 1}\n`);
  }
  await storage.close();
  process.stdout.write('DONE\n');
} else if (op === 'hang') {
  await storage.registerWorker('hanging-worker', { host: hostname(), pid: process.pid, kind: 'thread' });
  await storage.transaction(async (tx) => {
    const s = (await tx.loadSearch()) ?? emptySearch();
    await tx.saveTrial(trialRecord('partial'));
    s.settings.counter = 999;
    s.state.trialIds.push('partial');
    await tx.saveSearch(s);
    process.stdout.write('INSIDE\n');
    await new Promise(() => setInterval(() => undefined, 1000)); // until SIGKILL
  });
} else if (op === 'create-file') {
  // waits for the go file, so that the racing children call createFile within a few milliseconds
  process.stdout.write('READY\n');
  while (!existsSync(arg)) await sleep(2);
  const created = await storage.artifacts.createFile('race.txt', new TextEncoder().encode(String(process.pid)));
  await storage.close();
  process.stdout.write(`${created ? 'CREATED' : 'EXISTS'} ${process.pid}\n`);
} else if (op === 'register') {
  await storage.registerWorker('live-worker', { host: hostname(), pid: process.pid, kind: 'serial' });
  process.stdout.write('REGISTERED\n');
  await new Promise(() => setInterval(() => undefined, 1000)); // until SIGKILL
} else if (op === 'search') {
  const [tunerId, goFile] = process.argv.slice(5);
  const { initBackend } = await import('../../src/runtime/backend.js');
  const { RandomSearch } = await import('../../src/tuners/builtin-tuners.js');
  const { denseHypermodel, tinyData } = await import('../tuners/fixtures/tiny.js');
  await initBackend();
  let paused = false;
  const tuner = new RandomSearch({
    hypermodel: denseHypermodel, objective: 'val_loss', maxTrials: 2, seed: 3, tunerId, storage, verbose: 0,
    directory: storage instanceof FileStorage ? storage.directory : tmpdir(), projectName: key,
    display: {
      message: (text) => {
        const m = /^Trial (\S+): this worker's result is refused/.exec(text);
        if (m) process.stdout.write(`REFUSED ${m[1]}\n`);
      },
    },
  });
  await tuner.search(tinyData(32, 1), {
    validationData: tinyData(16, 2), epochs: 2,
    callbacks: [{
      onEpochEnd: async () => {
        if (paused) return;
        paused = true;
        process.stdout.write(`PAUSED ${Object.values(tuner.oracle.getState().ongoing)[0]}\n`);
        while (!existsSync(goFile)) await sleep(50);
      },
    }],
  });
  await storage.close();
  process.stdout.write('DONE\n');
}
