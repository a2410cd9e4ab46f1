/** Messages between a parallel search's coordinator (main thread) and its trial workers. */
import type { HyperParameterSpec } from '../hyperparameters.js';
import type { HyperModelModule } from '../hypermodel-module.js';
import type { ObjectiveSpec } from '../objective.js';
import type { EarlyStoppingSpec } from '../early-stopping.js';
import type { TrialRecord } from '../trial.js';
import type { WorkerDataSpec } from './worker-data.js';
import type { StorageDescriptor } from '../storage/open-storage.js';
import type { SlotStartup } from '../executors/executor.js';

/**
 * workerData of every trial worker: what is known when search() begins, so the threads start (tfjs,
 * backend, hypermodel) while the main thread still loads the project and prepares the data.
 */
export interface WorkerInit {
  backend?: string;
  hypermodel: HyperModelModule;
  hypermodelOptions?: unknown;
  /** The search's storage, opened again in the worker for its checkpoints (a folder or a database). */
  storage: StorageDescriptor;
  executionsPerTrial: number;
  deterministic: boolean;
  objective: ObjectiveSpec;
  allowNewEntries: boolean;
  tuneNewEntries: boolean;
  fit: { epochs?: number; batchSize?: number; shuffle?: boolean; validationSplit?: number; earlyStopping?: EarlyStoppingSpec };
  /** search({tensorboard}): the log folder, and the module the worker imports the TensorBoard integration from. */
  tensorboard?: { logdir: string; integration: { module: string; exportName?: string } };
  /** performance.timeOrigin + performance.now() when this worker was spawned: its start-up phases count from here. */
  spawnedAt?: number;
}

/** The training data, sent once the main thread has prepared it (e.g. decoded a folder into shared memory). */
export interface WorkerDataMessage { type: 'data'; train: WorkerDataSpec; validation?: WorkerDataSpec }

export type ToWorker =
  | WorkerDataMessage
  | { type: 'trial'; trial: TrialRecord; space: HyperParameterSpec[]; seed: number; deadline?: number; workerId?: string };

export type FromWorker =
  | { type: 'ready'; startup: SlotStartup }
  | { type: 'initError'; message: string }
  | { type: 'epoch'; trialId: string; epoch: number; logs: Record<string, number> }
  | { type: 'result'; trialId: string; record: TrialRecord; space: HyperParameterSpec[] }
  | { type: 'error'; trialId: string; name: string; message: string };
