/**
 * A child process of the storage conformance suite: `node --import tsx conformance-child.ts <factory
 * module> <key> increment <n>` runs n read-decide-write transactions; `... hang` stops inside one
 * (after its writes) and waits to be killed; `... register` registers a worker and waits to be killed.
 */
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { counterOf, emptySearch, trialRecord, type StorageFactoryModule } from './conformance-helpers.js';

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
} else if (op === 'register') {
  await storage.registerWorker('live-worker', { host: hostname(), pid: process.pid, kind: 'serial' });
  process.stdout.write('REGISTERED\n');
  await new Promise(() => setInterval(() => undefined, 1000)); // until SIGKILL
}
