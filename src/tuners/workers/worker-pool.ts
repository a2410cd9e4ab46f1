/**
 * The trial workers of one parallel search: N worker threads, each with its own tfjs backend. Events
 * (ready, epoch, result, error, crash) arrive in one queue the coordinator reads. A worker that dies
 * (process.exit, out of memory, an uncaught error) is reported as a crash of its trial and replaced.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerDataMessage, WorkerInit } from './protocol.js';
import { BOOT_MARKS } from './startup-clock.js';

export type PoolEvent =
  | (FromWorker & { slot: number })
  | { type: 'crash'; slot: number; trialId: string | undefined; reason: string };

/** Thread CPU seconds in the eval'd bootstrap (thread-cpu.ts cannot load before tsx does). */
const BOOT_CPU = "() => { try { const s = require('node:fs').readFileSync('/proc/thread-self/stat', 'utf8'); " +
  "const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; } catch { return undefined; } }";

/**
 * Starts a trial worker from the compiled .js, or from the .ts source under tsx. A small bootstrap
 * marks the start-up phases (see startup-clock.ts) and requires tfjs first (required, not imported:
 * see ../../tf.cts); under tsx, before it registers tsx's loader, since tfjs is plain CommonJS that
 * loads markedly slower through the loader's hooks (bench/tune.ts reports the split).
 */
function spawnTrialWorker(init: WorkerInit, resourceLimits?: { maxOldGenerationSizeMb?: number }): Worker {
  const source = import.meta.url.endsWith('.ts');
  const tfjs = JSON.stringify(fileURLToPath(import.meta.resolve('@tensorflow/tfjs')));
  const entry = JSON.stringify(new URL(source ? './trial-worker.ts' : './trial-worker.js', import.meta.url).href);
  const marks = `globalThis[Symbol.for(${JSON.stringify(BOOT_MARKS.description)})]`;
  const tsx = source ? `.then(() => import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).then((m) => { m.register(); mark('tsx'); })` : '';
  const code = `const cpu = ${BOOT_CPU}; const marks = ${marks} = [];
    const mark = (name) => marks.push({ name, at: performance.timeOrigin + performance.now(), cpu: cpu() });
    mark('thread');
    require(${tfjs}); mark('tfjs');
    Promise.resolve()${tsx}.then(() => import(${entry}));`;
  const spawnedAt = performance.timeOrigin + performance.now();
  return new Worker(code, { eval: true, workerData: { ...init, spawnedAt } satisfies WorkerInit, resourceLimits });
}

interface Slot {
  worker: Worker;
  ready: boolean;
  trialId: string | undefined;
  lastError: string | undefined;
  everReady?: boolean;
}

export class TrialWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: PoolEvent[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  /** The training data, once the coordinator has prepared it; every worker started later gets it too. */
  private data: WorkerDataMessage | undefined;

  constructor(private readonly init: WorkerInit, size: number, private readonly resourceLimits?: { maxOldGenerationSizeMb?: number }) {
    for (let i = 0; i < size; i++) this.slots.push(this.start(i));
  }

  /** Hands every worker (and every one started later) the training data. */
  provideData(data: WorkerDataMessage): void {
    this.data = data;
    for (const s of this.slots) s.worker.postMessage(data);
  }

  get size(): number {
    return this.slots.length;
  }

  private start(index: number, reservedFor?: string): Slot {
    const worker = spawnTrialWorker(this.init, this.resourceLimits);
    if (this.data) worker.postMessage(this.data);
    const slot: Slot = { worker, ready: false, trialId: reservedFor, lastError: undefined };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') slot.ready = slot.everReady = true;
      this.push({ ...m, slot: index });
    });
    worker.on('error', (err) => {
      slot.lastError = `${err.name}${(err as NodeJS.ErrnoException).code ? ` ${(err as NodeJS.ErrnoException).code}` : ''}: ${err.message}`;
    });
    worker.on('exit', (code) => {
      if (this.closed || this.slots[index] !== slot) return;
      const trialId = slot.trialId;
      const reason = slot.lastError ?? `exit code ${code}`;
      if (!slot.ready && !slot.everReady) {
        // It died before it could start: no new worker would fare better.
        this.push({ type: 'initError', message: `a trial worker exited while starting (${reason})`, slot: index });
        return;
      }
      // The new worker stays reserved for this trial until the coordinator has handled the crash.
      this.slots[index] = this.start(index, trialId);
      this.push({ type: 'crash', slot: index, trialId, reason });
    });
    return slot;
  }

  private push(e: PoolEvent): void {
    this.queue.push(e);
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next event, or null after timeoutMs. */
  async next(timeoutMs?: number): Promise<PoolEvent | null> {
    if (this.queue.length === 0) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        if (timeoutMs !== undefined) setTimeout(resolve, timeoutMs).unref();
      });
    }
    return this.queue.shift() ?? null;
  }

  /** Workers ready for a trial. */
  idleSlots(): number[] {
    return this.slots.flatMap((s, i) => (s.ready && s.trialId === undefined ? [i] : []));
  }

  busyCount(): number {
    return this.slots.filter((s) => s.trialId !== undefined).length;
  }

  /** Slots of running trials. */
  runningTrials(): Map<string, number> {
    return new Map(this.slots.flatMap((s, i) => (s.trialId !== undefined ? [[s.trialId, i] as [string, number]] : [])));
  }

  /**
   * Frees a worker once the coordinator has recorded its trial's end: until then the oracle still
   * lists the trial as this worker's, and would hand it out again.
   */
  release(index: number): void {
    this.slots[index].trialId = undefined;
  }

  dispatch(index: number, msg: Extract<ToWorker, { type: 'trial' }>): void {
    const slot = this.slots[index];
    slot.trialId = msg.trial.trialId;
    slot.worker.postMessage(msg);
  }

  /** Ends a worker as a crash would (used by tests and to stop a runaway trial). */
  async kill(index: number): Promise<void> {
    await this.slots[index].worker.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
