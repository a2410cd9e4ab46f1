/**
 * `search(..., {workers: N})`: checks what can cross to worker threads and starts the N-slot
 * WorkerThreadExecutor the search loop (search-loop.ts) hands trials to.
 */
import { isHyperModelModule } from '../hypermodel-module.js';
import { checkTrainData, isTensorData } from '../train-data.js';
import type { TrainData } from '../../contract/train-data.js';
import type { SearchOptions, TensorBoardIntegration } from '../tuner-options.js';
import type { SearchHost } from '../search-loop.js';
import type { WorkerInit } from './protocol.js';
import { toWorkerDataSpec } from './worker-data.js';
import { resolveEarlyStopping } from '../early-stopping.js';
import { WorkerThreadExecutor } from './worker-thread-executor.js';
import { describeStorage } from '../storage/open-storage.js';

export function checkParallelInputs(tuner: SearchHost, trainData: TrainData, opts: SearchOptions, tensorboard?: TensorBoardIntegration): void {
  if (!isHyperModelModule(tuner.hypermodelSource)) {
    throw new Error(`search({workers: ${opts.workers}}) trains in worker threads, which cannot receive a function: ` +
      'pass the hypermodel as {module: "/abs/path/to/model.js", exportName: "..."} (plus hypermodelOptions if the export is a factory).');
  }
  if (opts.callbacks?.length || opts.trialCallbacks) {
    throw new Error(`search({workers: ${opts.workers}}): callbacks and trialCallbacks cannot be sent to worker threads. ` +
      'For early stopping pass earlyStopping: { patience, monitor, minDelta } instead; for other callbacks give the module hypermodel ' +
      'a fit(hp, model, data, options) that adds them, or use workers: 1.');
  }
  if (opts.earlyStopping !== undefined) resolveEarlyStopping(opts.earlyStopping, tuner.oracle.objective);
  describeStorage(tuner.storage); // a storage the worker threads cannot open again fails now
  if (tensorboard && !tensorboard.workerModule) {
    throw new Error(`search({workers: ${opts.workers}, tensorboard}): this TensorBoard integration has no workerModule, so worker threads cannot load it; use workers: 1.`);
  }
  checkTrainData(trainData, 'search() training data');
  if (opts.validationData !== undefined) checkTrainData(opts.validationData, 'validationData');
  if (!isTensorData(trainData) && opts.validationSplit !== undefined) {
    throw new Error('validationSplit works with {xs, ys} tensors only; for a dataset or DirectoryIterator pass validationData.');
  }
  if (opts.workerMemoryMb !== undefined && !(Number.isFinite(opts.workerMemoryMb) && opts.workerMemoryMb >= 16)) {
    throw new Error(`workerMemoryMb must be a number of MiB >= 16 (got ${opts.workerMemoryMb}).`);
  }
  if (opts.epochs !== undefined && !(Number.isInteger(opts.epochs) && opts.epochs >= 1)) {
    throw new Error(`epochs must be a positive integer (got ${opts.epochs}).`);
  }
}

/**
 * Starts the worker threads at once: each loads tfjs, its backend and the hypermodel while the main
 * thread loads the project and prepares the data (then handed over with sendWorkerData).
 */
export function startWorkers(tuner: SearchHost, opts: SearchOptions, tensorboard?: TensorBoardIntegration): WorkerThreadExecutor {
  const { oracle } = tuner;
  const init: WorkerInit = {
    backend: opts.workerBackend,
    hypermodel: tuner.hypermodelSource as WorkerInit['hypermodel'],
    hypermodelOptions: tuner.hypermodelOptions,
    storage: describeStorage(tuner.storage),
    executionsPerTrial: tuner.executionsPerTrial,
    deterministic: tuner.deterministic,
    objective: oracle.objective,
    allowNewEntries: oracle.allowNewEntries,
    tuneNewEntries: oracle.tuneNewEntries,
    fit: { epochs: opts.epochs, batchSize: opts.batchSize, shuffle: opts.shuffle, validationSplit: opts.validationSplit, earlyStopping: opts.earlyStopping },
    tensorboard: tensorboard && opts.tensorboard !== undefined ? { logdir: opts.tensorboard, integration: tensorboard.workerModule! } : undefined,
  };
  return new WorkerThreadExecutor(init, opts.workers!, opts.workerMemoryMb !== undefined ? { maxOldGenerationSizeMb: opts.workerMemoryMb } : undefined);
}

/** Prepares the training data for the workers (e.g. decodes an image folder into shared memory) and hands it over. */
export async function sendWorkerData(executor: WorkerThreadExecutor, trainData: TrainData, opts: SearchOptions): Promise<void> {
  executor.provideData({
    train: await toWorkerDataSpec(trainData, 'search() training data'),
    validation: opts.validationData !== undefined ? await toWorkerDataSpec(opts.validationData, 'validationData') : undefined,
  });
}
