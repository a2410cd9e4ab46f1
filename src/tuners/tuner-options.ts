/**
 * What a search is configured with: the hypermodel kinds, the tuner's and search()'s options, and the
 * per-trial callback hooks.
 */
import type tf from '../tf.cjs';
import type { TunerDisplay } from './display.js';
import type { HyperParameters, HyperParameterSpec, HyperValue } from './hyperparameters.js';
import type { OracleOptions } from './oracle.js';
import type { FitCallback, FitOptions } from './train-data.js';
import type { TrainData } from '../contract/train-data.js';
import type { Trial } from './trial.js';
import type { HyperModelModule } from './hypermodel-module.js';
import type { EarlyStoppingSpec } from './early-stopping.js';
import type { SearchStorage } from './storage/search-storage.js';

export type HyperModelFn = (hp: HyperParameters) => tf.LayersModel | Promise<tf.LayersModel>;
/** What a hypermodel's own fit may return: a History, metrics, or just the objective value. */
export type FitResult = tf.History | Record<string, number> | number | void;
export interface HyperModelObject {
  /** Builds and compiles a model for these hyperparameters. */
  build(hp: HyperParameters): tf.LayersModel | Promise<tf.LayersModel>;
  /**
   * Trains it (optional; default model.fit / fitDataset). Override to tune batch size, augmentation...
   * Pass `options.callbacks` on to fit: they record the metrics and the best epoch.
   */
  fit?(hp: HyperParameters, model: tf.LayersModel, data: TrainData, options: FitOptions): Promise<FitResult>;
}
export type HyperModel = HyperModelFn | HyperModelObject;
/** A hypermodel in this thread, or one that worker threads can import (needed for `search({workers})`). */
export type HyperModelSource = HyperModel | HyperModelModule;

export interface TunerOptions extends OracleOptions {
  hypermodel: HyperModelSource;
  /** JSON-serializable options for a module hypermodel: its export is then a factory `(options) => hypermodel`. */
  hypermodelOptions?: unknown;
  /**
   * Where the search is kept (default: a FileStorage folder `<directory>/<projectName>`); a
   * `postgresql://...` URL opens a PostgresStorage whose search is named projectName.
   */
  storage?: SearchStorage | string;
  /** Parent folder of the project (default '.'). */
  directory?: string;
  /** Project folder name (default 'untitled_project'). */
  projectName?: string;
  /** Delete the project folder and start afresh (default false: resume). */
  overwrite?: boolean;
  /** Models trained per trial; the score averages them (default 1). */
  executionsPerTrial?: number;
  /**
   * 0 prints nothing; 1 (default) two lines per trial (its hyperparameters; its score and the best so far)
   * and the best trial at the end; 2 KerasTuner's per-trial tables, and every epoch of a parallel search's
   * running trials.
   */
  verbose?: 0 | 1 | 2;
  /** Replaces the default console display. */
  display?: TunerDisplay;
  /** Identifies this worker in the oracle (default KERASTUNER_TUNER_ID or 'tuner0'). */
  tunerId?: string;
  /**
   * Seed Math.random (weight initialization, shuffling, dropout) per trial execution from the search
   * seed, so a seeded search (and a resumed one) trains exactly the same models. Default true.
   */
  deterministic?: boolean;
  /**
   * What `search({tensorboard: dir})` writes with. The package's tuners pass the TensorBoard module's
   * (`tensorBoardIntegration`); a tuner without one refuses `{tensorboard}`.
   */
  tensorBoardIntegration?: TensorBoardIntegration;
}

/** What a per-trial hook sees: one call per trial execution. */
export interface TrialCallbackContext {
  trial: Trial;
  execution: number;
  hyperparameters: Record<string, HyperValue>;
  space: HyperParameterSpec[];
  projectDir: string;
}
export interface TrialCallbackHooks {
  /** Extra fit callbacks for this execution (e.g. a TensorBoard writer). */
  callbacks?: FitCallback[];
  /** Called when the execution ends; a completed one passes its best objective value and that epoch. */
  onEnd?(status: 'COMPLETED' | 'FAILED' | 'STOPPED', result?: ExecutionScore): void | Promise<void>;
}
/** An execution's score: its best value of the objective, and the (absolute, 0-based) epoch of it. */
export interface ExecutionScore { score: number | null; bestStep: number | null }
export type TrialCallbackFactory = (ctx: TrialCallbackContext) => TrialCallbackHooks | undefined | Promise<TrialCallbackHooks | undefined>;

/**
 * How `search({tensorboard: dir})` writes TensorBoard logs. The search never imports TensorBoard: the
 * tuner is given this (`tensorBoardIntegration` in its options; the package's tuners pass the
 * TensorBoard module's, also exported by the package as `tensorBoardIntegration`).
 */
export interface TensorBoardIntegration {
  /** Hooks that log each trial execution under logdir. */
  trialCallbacks(logdir: string): TrialCallbackFactory;
  /** At the end of a search: the HPARAMS experiment, from what the storage holds (every process's trials). */
  searchEnd?(logdir: string, storage: SearchStorage): Promise<void>;
  /** Where worker threads import this integration from (they cannot receive functions): a module and its export. */
  workerModule?: { module: string; exportName?: string };
}

export interface SearchOptions {
  validationData?: TrainData;
  /** Tensor data only. */
  validationSplit?: number;
  /** Epochs per trial (default 1). Hyperband sets its own and ignores this. */
  epochs?: number;
  /** Tensor data only (default 32). */
  batchSize?: number;
  shuffle?: boolean;
  /** Passed to every trial's fit (serial search only: functions cannot cross to worker threads). */
  callbacks?: FitCallback[];
  /**
   * Keras's EarlyStopping for every trial execution, as plain data so it works with `workers` too:
   * e.g. { patience: 5 } watches the objective; { monitor, patience, minDelta, mode, baseline }.
   */
  earlyStopping?: EarlyStoppingSpec;
  /** Write TensorBoard logs under this folder (needs the TensorBoard integration). */
  tensorboard?: string;
  /** A hook that adds callbacks per trial execution. */
  trialCallbacks?: TrialCallbackFactory;
  /**
   * Train this many trials at once, each in its own worker thread with its own tfjs backend (default:
   * 1, the serial search in this thread). Needs a module hypermodel ({module, exportName}) and
   * {xs, ys} tensors or data with toWorkerSpec(). See `defaultWorkerCount()` for a machine's default.
   */
  workers?: number;
  /** Backend each worker initializes (default: TFJS_TUNER_BACKEND, then auto). */
  workerBackend?: string;
  /**
   * JS heap limit of each worker in MiB (V8's maxOldGenerationSize). A worker that exceeds it dies
   * alone and its trial is retried (twice, then FAILED) while the search goes on. Default: V8's.
   */
  workerMemoryMb?: number;
  /**
   * A time budget in seconds for this call (Optuna's `timeout`, Ray Tune's `time_budget_s`), counted from
   * search(), worker start-up included: after it no trial starts, running trials stop at their next epoch
   * end keeping their best epoch, and search() resolves with `stoppedBy: 'maxTime'`. A resumed search gets
   * the whole budget again. Hyperband and BOHB without hyperbandIterations then run iterations until it ends.
   */
  maxTime?: number;
}

