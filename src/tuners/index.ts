/** tfjs-tuner search: the search space, oracles, tuners and the storages that keep a search (what the package entry exports of it, and no plumbing). */
export { HyperParameters, defaultValue } from './hyperparameters.js';
export type { Sampling, HyperValue, Condition, HyperParameterSpec, HyperParametersConfig, NumberOptions, ConditionOptions } from './hyperparameters.js';
export { probToValue, valueToProb, gridValues } from './sampling.js';
export { Rng } from '../util/rng.js';
export { toObjective, inferDirection, isBetter, describeObjective } from './objective.js';
export type { Objective, ObjectiveSpec, Direction } from './objective.js';
export { Trial, epochsTrained } from './trial.js';
export type { TrialRecord, TrialStatus } from './trial.js';
export { Oracle, ConsecutiveFailuresError, NoValidConfigurationError, valuesKey, TUNER_KEYS } from './oracle.js';
export type { SearchOutcome } from './search-loop.js';
export type { OracleOptions, OracleState, PopulateResult } from './oracle.js';
export { RandomSearchOracle } from './oracles/random-search.js';
export { GridSearchOracle, enumerateGrid, gridSize } from './oracles/grid-search.js';
export { HyperbandOracle } from './oracles/hyperband.js';
export type { HyperbandOptions } from './oracles/hyperband.js';
export { BayesianOptimizationOracle } from './oracles/bayesian.js';
export { ASHAOracle } from './oracles/asha.js';
export type { ASHAOptions } from './oracles/asha.js';
export { BOHBOracle } from './oracles/bohb.js';
export type { BOHBOptions } from './oracles/bohb.js';
export type { BayesianOptions } from './oracles/bayesian.js';
export { GaussianProcess, matern52 } from './gaussian-process.js';
export { Tuner } from './tuner.js';
export { RandomSearch, GridSearch, Hyperband, BayesianOptimization, ASHA, BOHB } from './builtin-tuners.js';
export { FatalError, FailedTrialError, InvalidTrialError } from './errors.js';
export { disposeModel, trialSeedKey } from './trial-runner.js';
export type {
  HyperModel, HyperModelFn, HyperModelObject, HyperModelSource, FitResult, TunerOptions, SearchOptions,
  TrialCallbackContext, TrialCallbackHooks, ExecutionScore, TrialCallbackFactory, TensorBoardIntegration,
} from './tuner-options.js';
export { FileStorage } from './storage/file-storage.js';
export type { FileStorageOptions } from './storage/file-storage.js';
export { PostgresStorage } from './storage/postgres-storage.js';
export type { PostgresStorageOptions } from './storage/postgres-storage.js';
export type {
  SearchStorage, SearchTransaction, StoredSearch, StoredModel, ArtifactStore, WorkerInfo, WorkerRecord, OpenOptions,
} from './storage/search-storage.js';
export type { Executor, ExecutorEvent, TrialJob } from './executors/executor.js';
export { EarlyStoppingCallback, resolveEarlyStopping } from './early-stopping.js';
export type { EarlyStoppingSpec, ResolvedEarlyStopping } from './early-stopping.js';
export { defaultFit, isTensorData, isDataset, isDatasetSource, startDataEpoch } from './train-data.js';
export type { FitOptions, FitCallback } from './train-data.js';
export type { TrainData, TensorData, BatchDataset, DatasetSource } from '../contract/train-data.js';
export { fileSystemSave, fileSystemLoad, loadWeightsInto } from './fs-io-handler.js';
export { ConsoleDisplay, silentDisplay, formatValue, formatDuration } from './display.js';
export type { TunerDisplay, SearchBeginInfo, TrialBeginInfo, TrialEndInfo, SearchEndInfo, SearchStoppedBy, RunningTrialInfo, ProgressInfo } from './display.js';
export type { HyperModelModule } from './hypermodel-module.js';
export { defaultWorkerCount, DEFAULT_WORKER_BYTES } from './workers/worker-count.js';
export type { WorkerDataSource, WorkerDataModuleSpec } from './workers/worker-data.js';
