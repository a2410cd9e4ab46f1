/** Messages between a parallel search's coordinator (main thread) and its trial workers. */
import type { HyperParameterSpec } from '../hyperparameters.js';
import type { HyperModelModule } from '../hypermodel-module.js';
import type { ObjectiveSpec } from '../objective.js';
import type { EarlyStoppingSpec } from '../early-stopping.js';
import type { TrialRecord } from '../trial.js';
import type { WorkerDataSpec } from './worker-data.js';
import type { StorageDescriptor } from '../storage/open-storage.js';

/** workerData of every trial worker. */
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
  train: WorkerDataSpec;
  validation?: WorkerDataSpec;
  fit: { epochs?: number; batchSize?: number; shuffle?: boolean; validationSplit?: number; earlyStopping?: EarlyStoppingSpec };
  /** search({tensorboard}): the log folder, and the module the worker imports the TensorBoard integration from. */
  tensorboard?: { logdir: string; integration: { module: string; exportName?: string } };
}

export type ToWorker = { type: 'trial'; trial: TrialRecord; space: HyperParameterSpec[]; seed: number; deadline?: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'initError'; message: string }
  | { type: 'epoch'; trialId: string; epoch: number; logs: Record<string, number> }
  | { type: 'result'; trialId: string; record: TrialRecord; space: HyperParameterSpec[] }
  | { type: 'error'; trialId: string; name: string; message: string };
