/**
 * Where trials train: the search loop hands an executor trials and waits for results. Two executors
 * sit behind this one small interface: SerialExecutor (one slot, the trial trains in the search's own
 * thread) and WorkerThreadExecutor (N slots, one worker thread and tfjs backend each). Neither touches
 * the storage: a job carries the parent's checkpoint in, a result carries the new checkpoint out, and
 * the loop records both through the storage.
 */
import type { HyperParameterSpec } from '../hyperparameters.js';
import type { TrialRecord } from '../trial.js';
import type { StoredModel } from '../storage/search-storage.js';

/** One trial to train: its record (values, attempts), the search space and seed it trains under. */
export interface TrialJob {
  trial: TrialRecord;
  space: HyperParameterSpec[];
  seed: number;
  /** A Hyperband/BOHB promotion starts from its parent trial's best-epoch checkpoint. */
  parent?: StoredModel;
  /** The search's time budget ends at this Date.now(): training stops at the first epoch end past it. */
  deadline?: number;
  /** The worker id the trial is claimed under: its checkpoints are written only while the trial is still its own. */
  workerId?: string;
}

/** One step of a slot's start-up: wall seconds, and CPU seconds of its own thread (Linux only). */
export interface StartupPhase { name: string; seconds: number; cpuSeconds?: number }

/** Where a slot's start-up went, in order (for a worker: thread, tfjs, modules, backend, hypermodel, waiting for data, data). */
export interface SlotStartup { phases: StartupPhase[]; seconds: number; cpuSeconds?: number }

export type ExecutorEvent =
  /** A slot is up (a worker thread loaded its backend, hypermodel and data): where its start-up went. */
  | { type: 'ready'; slot: number; startup?: SlotStartup }
  /** The slot could not start at all: the search cannot run. */
  | { type: 'startError'; slot: number; message: string }
  | { type: 'epoch'; slot: number; trialId: string; epoch: number; logs: Record<string, number> }
  /** The trial trained: its record (metrics, best step, updated hyperparameters), the space it grew, its checkpoint. */
  | { type: 'result'; slot: number; trialId: string; record: TrialRecord; space: HyperParameterSpec[]; checkpoint?: StoredModel }
  /** The trial threw (name decides INVALID/FAILED/fatal, see classifyTrialError; error: the thrown value, same thread only). */
  | { type: 'error'; slot: number; trialId: string; name: string | undefined; message: string; error?: unknown }
  /** The slot died (out of memory, process.exit): its trial, if any, must run again. */
  | { type: 'crash'; slot: number; trialId: string | undefined; reason: string };

export interface Executor {
  /** How many trials can train at once. */
  readonly slots: number;
  /** Slots that can take a trial now. */
  idleSlots(): number[];
  /** Starts a trial on an idle slot; its outcome arrives through next(). */
  start(slot: number, job: TrialJob): void;
  /** The next event; undefined if timeoutMs passes first (no timeout: wait for one). */
  next(timeoutMs?: number): Promise<ExecutorEvent | undefined>;
  /** Stops every slot (trials in flight are abandoned). */
  close(): Promise<void>;
}
