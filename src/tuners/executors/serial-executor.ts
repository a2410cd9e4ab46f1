/**
 * One slot: the trial trains in the search's own thread (any hypermodel, any data, callbacks too).
 * The search loop treats it exactly like the worker-thread executor.
 */
import type { TrialRunner } from '../trial-runner.js';
import type { TrainData } from '../../contract/train-data.js';
import type { SearchOptions, TrialCallbackFactory } from '../tuner-options.js';
import type { Executor, ExecutorEvent, TrialJob } from './executor.js';
import { jobTrial, runJob, type TrialOracle } from './run-job.js';

export class SerialExecutor implements Executor {
  readonly slots = 1;
  private running: Promise<ExecutorEvent> | undefined;

  constructor(
    private readonly runner: TrialRunner, private readonly oracle: TrialOracle,
    private readonly data: TrainData, private readonly opts: SearchOptions, private readonly factories: TrialCallbackFactory[],
  ) {}

  idleSlots(): number[] {
    return this.running ? [] : [0];
  }

  start(slot: number, job: TrialJob): void {
    if (this.running) throw new Error('SerialExecutor: its one slot is busy.');
    const trial = jobTrial(this.oracle, job);
    this.running = runJob(this.runner, this.oracle, trial, this.data, this.opts, this.factories, job.deadline).then(
      ({ record, space }): ExecutorEvent => ({ type: 'result', slot, trialId: trial.trialId, record, space }),
      (err: unknown): ExecutorEvent => ({ type: 'error', slot, trialId: trial.trialId, name: (err as Error)?.name, message: err instanceof Error ? err.message : String(err), error: err }),
    );
  }

  async next(): Promise<ExecutorEvent | undefined> {
    if (!this.running) return undefined;
    const ev = await this.running;
    this.running = undefined;
    return ev;
  }

  async close(): Promise<void> {
    this.running = undefined;
  }
}
