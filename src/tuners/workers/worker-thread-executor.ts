/** N slots, one worker thread (own tfjs backend, hypermodel module and rebuilt data) each. */
import type { Executor, ExecutorEvent, TrialJob } from '../executors/executor.js';
import type { WorkerDataMessage, WorkerInit } from './protocol.js';
import { TrialWorkerPool } from './worker-pool.js';

export class WorkerThreadExecutor implements Executor {
  private readonly pool: TrialWorkerPool;

  constructor(init: WorkerInit, size: number, resourceLimits?: { maxOldGenerationSizeMb?: number }) {
    this.pool = new TrialWorkerPool(init, size, resourceLimits);
  }

  /** The training data for every worker: they start before it is ready, and train once it arrives. */
  provideData(data: Omit<WorkerDataMessage, 'type'>): void {
    this.pool.provideData({ type: 'data', ...data });
  }

  get slots(): number {
    return this.pool.size;
  }

  idleSlots(): number[] {
    return this.pool.idleSlots();
  }

  start(slot: number, job: TrialJob): void {
    this.pool.dispatch(slot, { type: 'trial', trial: job.trial, space: job.space, seed: job.seed, ...(job.workerId !== undefined ? { workerId: job.workerId } : {}), ...(job.deadline !== undefined ? { deadline: job.deadline } : {}) });
  }

  /** A slot is free again once its trial's end was handed out (the loop records it before asking for slots). */
  async next(timeoutMs?: number): Promise<ExecutorEvent | undefined> {
    const ev = await this.pool.next(timeoutMs);
    if (!ev) return undefined;
    switch (ev.type) {
      case 'initError':
        return { type: 'startError', slot: ev.slot, message: ev.message };
      case 'result':
        this.pool.release(ev.slot);
        return { type: 'result', slot: ev.slot, trialId: ev.trialId, record: ev.record, space: ev.space };
      case 'error':
        this.pool.release(ev.slot);
        return { type: 'error', slot: ev.slot, trialId: ev.trialId, name: ev.name, message: ev.message };
      case 'crash':
        this.pool.release(ev.slot);
        return ev;
      default:
        return ev;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
