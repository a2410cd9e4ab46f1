/**
 * The trial workers of one parallel search: N worker threads, each with its own tfjs backend. Events
 * (ready, epoch, result, error, crash) arrive in one queue the coordinator reads. A worker that dies
 * (process.exit, out of memory, an uncaught error) is reported as a crash of its trial and replaced.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

export type PoolEvent =
  | (FromWorker & { slot: number })
  | { type: 'crash'; slot: number; trialId: string | undefined; reason: string };

/** Starts a trial worker from the compiled .js, or from the .ts source under tsx. */
function spawnTrialWorker(init: WorkerInit, resourceLimits?: { maxOldGenerationSizeMb?: number }): Worker {
  const opts = { workerData: init, resourceLimits };
  if (import.meta.url.endsWith('.ts')) {
    // TypeScript source (tsx): the worker registers tsx's loader itself, then imports the .ts entry.
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./trial-worker.ts', import.meta.url).href;
    return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { ...opts, eval: true });
  }
  return new Worker(new URL('./trial-worker.js', import.meta.url), opts);
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

  constructor(private readonly init: WorkerInit, size: number, private readonly resourceLimits?: { maxOldGenerationSizeMb?: number }) {
    for (let i = 0; i < size; i++) this.slots.push(this.start(i));
  }

  get size(): number {
    return this.slots.length;
  }

  private start(index: number, reservedFor?: string): Slot {
    const worker = spawnTrialWorker(this.init, this.resourceLimits);
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

  dispatch(index: number, msg: ToWorker): void {
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
