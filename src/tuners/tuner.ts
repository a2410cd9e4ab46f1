/**
 * The tuner builds and trains the models the oracle asks for, records results, keeps each trial's
 * best-epoch checkpoint, and resumes a killed search from its project directory. It never decides
 * what to try (the oracle does) and never writes the project directory itself (the store does).
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { ConsoleDisplay, silentDisplay, type TunerDisplay } from './display.js';
import { fileSystemSave, loadWeightsInto } from './fs-io-handler.js';
import { HyperParameters, type HyperParameterSpec, type HyperValue } from './hyperparameters.js';
import { describeObjective, isBetter, resolveMetricKey, type Objective } from './objective.js';
import type { Oracle, OracleOptions } from './oracle.js';
import { RandomSearchOracle } from './oracles/random-search.js';
import { GridSearchOracle } from './oracles/grid-search.js';
import { HyperbandOracle, type HyperbandOptions } from './oracles/hyperband.js';
import { BayesianOptimizationOracle, type BayesianOptions } from './oracles/bayesian.js';
import { ASHAOracle, type ASHAOptions } from './oracles/asha.js';
import { Rng } from '../util/rng.js';
import { ORACLE_FORMAT, ProjectStore, type OracleFile } from './store.js';
import {
  checkTrainData, defaultFit, isTensorData, startDataEpoch, toCallbacks, type FitCallback, type FitOptions, type TrainData,
} from './train-data.js';
import type { Trial } from './trial.js';
import { importExport, isHyperModelModule, type HyperModelModule } from './hypermodel-module.js';
import { isOtherLiveProcess, parseWorkerSlotId } from './project-lock.js';
import { EarlyStoppingCallback, resolveEarlyStopping, type EarlyStoppingSpec } from './early-stopping.js';

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
  /** Parent folder of the project (default '.'). */
  directory?: string;
  /** Project folder name (default 'untitled_project'). */
  projectName?: string;
  /** Delete the project folder and start afresh (default false: resume). */
  overwrite?: boolean;
  /** Models trained per trial; the score averages them (default 1). */
  executionsPerTrial?: number;
  /** 0 silences the display (default 1). */
  verbose?: 0 | 1;
  /** Replaces the default console display. */
  display?: TunerDisplay;
  /** Identifies this worker in the oracle (default KERASTUNER_TUNER_ID or 'tuner0'). */
  tunerId?: string;
  /**
   * Seed Math.random (weight initialization, shuffling, dropout) per trial execution from the search
   * seed, so a seeded search (and a resumed one) trains exactly the same models. Default true.
   */
  deterministic?: boolean;
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

/** How `search({tensorboard: dir})` reaches the TensorBoard module (connected by the package entry point). */
export interface TensorBoardIntegration {
  trialCallbacks(logdir: string): TrialCallbackFactory;
  searchEnd?(logdir: string, space: HyperParameterSpec[], metricNames: string[]): Promise<void>;
}
let tensorBoardIntegration: TensorBoardIntegration | undefined;
export function setTensorBoardIntegration(integration: TensorBoardIntegration | undefined): void {
  tensorBoardIntegration = integration;
}
/** @internal */
export function getTensorBoardIntegration(): TensorBoardIntegration | undefined {
  return tensorBoardIntegration;
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
}

/** Aborts the whole search (a configuration error no retry can fix). */
export class FatalError extends Error {
  override name = 'FatalError';
}
/** Throw from a hypermodel to fail a trial at once, without retries. */
export class FailedTrialError extends Error {
  override name = 'FailedTrialError';
}
/**
 * Throw from a hypermodel for a configuration that cannot work (e.g. pooling shrinks the image below
 * one pixel): the trial ends INVALID with the message, is not retried and does not count as a failure.
 * Errors named 'InvalidModelError' (the CNN builder's) are treated the same.
 */
export class InvalidTrialError extends Error {
  override name = 'InvalidTrialError';
}
const INVALID_ERROR_NAMES = new Set(['InvalidTrialError', 'InvalidModelError']);

/** How a trial error ends the trial (serial and parallel searches alike). FatalError ends the search. */
export function classifyTrialError(name: string | undefined): { status: 'FAILED' | 'INVALID'; retry: boolean } {
  return { status: name === 'FailedTrialError' ? 'FAILED' : 'INVALID', retry: !INVALID_ERROR_NAMES.has(name ?? '') };
}

/**
 * The identity a trial's random seed derives from: its configuration and Hyperband/ASHA position, not
 * its id, so a parallel search (which numbers trials in another order) trains the same models.
 */
export function trialSeedKey(values: Record<string, HyperValue>): number {
  const key = Object.keys(values).filter((k) => k !== 'tuner/trial_id').sort().map((k) => [k, values[k]]);
  const text = JSON.stringify(key);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface ExecutionResult {
  history: Record<string, number[]>;
  bestMetrics: Record<string, number>;
  bestStep: number | null;
  bestValue: number | null;
}

/** Records every epoch's logs, the best epoch and a copy of its weights; stops training on NaN. */
class EpochRecorder {
  history: Record<string, number[]> = {};
  epochs = 0;
  bestValue: number | null = null;
  bestStep: number | null = null;
  bestMetrics: Record<string, number> = {};
  bestWeights: tf.Tensor[] | null = null;
  nanEpoch: number | null = null;
  fatal: Error | null = null;
  private key: string | undefined;

  constructor(private readonly model: tf.LayersModel, private readonly objective: Objective) {}

  callback(): tf.Callback {
    return new tf.CustomCallback({ onEpochEnd: async (epoch, logs) => this.onEpochEnd(epoch, logs ?? {}) }) as unknown as tf.Callback;
  }

  private onEpochEnd(epoch: number, logs: tf.Logs): void {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(logs)) values[k] = typeof v === 'number' ? v : Number((v as tf.Scalar).dataSync?.()[0] ?? v);
    this.key ??= resolveMetricKey(this.objective.name, values);
    if (this.key === undefined) {
      this.fatal = new FatalError(`The objective "${this.objective.name}" is not among the metrics fit logs: ${Object.keys(values).join(', ')}. ` +
        `Check the objective name, the model's compile metrics, and that validation data is given for val_ metrics.`);
      this.model.stopTraining = true;
      return;
    }
    if (this.key !== this.objective.name) values[this.objective.name] = values[this.key];
    for (const [k, v] of Object.entries(values)) (this.history[k] ??= []).push(v);
    this.epochs++;
    const value = values[this.objective.name];
    if (!Number.isFinite(value) || ('loss' in values && !Number.isFinite(values.loss))) {
      this.nanEpoch = epoch;
      this.model.stopTraining = true;
      return;
    }
    if (isBetter(this.objective, value, this.bestValue)) {
      this.bestValue = value;
      this.bestStep = epoch;
      this.bestMetrics = { ...values };
      tf.dispose(this.bestWeights ?? []);
      this.bestWeights = this.model.getWeights().map((w) => tf.clone(w));
    }
  }

  /** Uses what a custom fit returned when no epoch was recorded through our callback. */
  absorb(result: FitResult, initialEpoch: number): void {
    if (this.epochs > 0 || result === undefined || result === null) return;
    if (typeof result === 'number') {
      this.take({ [this.objective.name]: [result] }, initialEpoch);
    } else if (result instanceof tf.History || (typeof result === 'object' && 'history' in result && typeof (result as unknown as tf.History).history === 'object')) {
      const h = (result as unknown as tf.History).history;
      const hist: Record<string, number[]> = {};
      for (const [k, arr] of Object.entries(h)) hist[k] = (arr as Array<number | tf.Tensor>).map((v) => (typeof v === 'number' ? v : (v as tf.Tensor).dataSync()[0]));
      this.take(hist, initialEpoch);
    } else {
      this.take(Object.fromEntries(Object.entries(result as Record<string, number>).map(([k, v]) => [k, [Number(v)]])), initialEpoch);
    }
  }

  private take(hist: Record<string, number[]>, initialEpoch: number): void {
    const key = resolveMetricKey(this.objective.name, hist);
    if (key === undefined) {
      throw new FatalError(`The hypermodel's fit returned no "${this.objective.name}" (got ${Object.keys(hist).join(', ') || 'nothing'}).`);
    }
    if (key !== this.objective.name) hist[this.objective.name] = hist[key];
    this.history = hist;
    const series = hist[this.objective.name];
    this.epochs = series.length;
    series.forEach((v, i) => {
      if (isBetter(this.objective, v, this.bestValue)) {
        this.bestValue = v;
        this.bestStep = initialEpoch + i;
        this.bestMetrics = Object.fromEntries(Object.entries(hist).map(([k, a]) => [k, a[i]]));
      }
    });
    if (series.some((v) => !Number.isFinite(v))) this.nanEpoch = initialEpoch + series.findIndex((v) => !Number.isFinite(v));
  }

  dispose(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = null;
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Disposes a model and its optimizer's state. model.dispose() alone keeps an optimizer that was passed
 * to compile as an instance (e.g. tf.train.adam(lr)): use this for the models getBestModels returns.
 */
export function disposeModel(model: tf.LayersModel): void {
  const optimizer = model.optimizer;
  const owned = (model as unknown as { isOptimizerOwned?: boolean }).isOptimizerOwned;
  try {
    model.dispose();
  } catch {
    // already disposed
  }
  if (optimizer && !owned) optimizer.dispose();
}

export class Tuner {
  readonly oracle: Oracle;
  readonly store: ProjectStore;
  readonly tunerId: string;
  readonly executionsPerTrial: number;
  /** The hypermodel as given (a module hypermodel is imported on reload). */
  readonly hypermodelSource: HyperModelSource;
  readonly hypermodelOptions: unknown;
  private hypermodel: HyperModel | undefined;
  readonly overwrite: boolean;
  readonly display: TunerDisplay;
  readonly deterministic: boolean;
  /** @internal */
  initialSpace: HyperParameterSpec[] = [];
  private ready: Promise<void> | undefined;

  constructor(oracle: Oracle, opts: TunerOptions) {
    if (!opts || (typeof opts.hypermodel !== 'function' && typeof (opts.hypermodel as HyperModelObject)?.build !== 'function' && !isHyperModelModule(opts.hypermodel))) {
      throw new Error('hypermodel must be a function (hp) => compiled tf.LayersModel, an object with build(hp), ' +
        'or {module: "/abs/path/model.js", exportName} for a module that exports one.');
    }
    this.oracle = oracle;
    this.hypermodelSource = opts.hypermodel;
    this.hypermodelOptions = opts.hypermodelOptions;
    if (!isHyperModelModule(opts.hypermodel)) this.hypermodel = opts.hypermodel;
    this.store = new ProjectStore(opts.directory ?? '.', opts.projectName ?? 'untitled_project');
    this.overwrite = opts.overwrite ?? false;
    this.tunerId = opts.tunerId ?? process.env.KERASTUNER_TUNER_ID ?? 'tuner0';
    this.executionsPerTrial = opts.executionsPerTrial ?? 1;
    if (!(Number.isInteger(this.executionsPerTrial) && this.executionsPerTrial >= 1)) {
      throw new Error(`executionsPerTrial must be a positive integer (got ${opts.executionsPerTrial}).`);
    }
    this.display = opts.display ?? (opts.verbose === 0 ? silentDisplay : new ConsoleDisplay());
    this.deterministic = opts.deterministic ?? true;
  }

  get projectDir(): string {
    return this.store.projectDir;
  }

  /** Loads the project (or creates it). Called by search(); call it yourself to read results without searching. */
  reload(): Promise<void> {
    this.ready ??= this.init().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /** Imports a module hypermodel (once). */
  async resolveHypermodel(): Promise<HyperModel> {
    if (this.hypermodel) return this.hypermodel;
    const source = this.hypermodelSource as HyperModelModule;
    const hm = await importExport(source, 'hypermodel', this.hypermodelOptions);
    if (typeof hm !== 'function' && typeof (hm as HyperModelObject)?.build !== 'function') {
      throw new Error(`The hypermodel export "${source.exportName ?? 'default'}" of "${source.module}" is not a function (hp) => model ` +
        'or an object with build(hp).');
    }
    this.hypermodel = hm as HyperModel;
    return this.hypermodel;
  }

  private async init(): Promise<void> {
    await this.resolveHypermodel();
    await this.store.prepare(this.overwrite);
    await this.populateInitialSpace();
    const file = await this.store.loadOracle();
    if (file) {
      const settings = JSON.stringify(this.oracle.settings());
      if (JSON.stringify(file.settings) !== settings) {
        throw new Error(`Project ${this.projectDir} was written by a different search (${JSON.stringify(file.settings)}; ` +
          `this one is ${settings}). Use overwrite: true to start afresh, or another projectName.`);
      }
      if (JSON.stringify(file.initialSpace) !== JSON.stringify(this.initialSpace)) {
        throw new Error(`Project ${this.projectDir} was written for a different search space ` +
          `(saved: ${file.initialSpace.map((s) => s.name).join(', ')}; now: ${this.initialSpace.map((s) => s.name).join(', ')}, or their ranges differ). ` +
          'Use overwrite: true to start afresh, or another projectName.');
      }
      this.oracle.setState(file.state);
      this.display.message?.(`Reloading Tuner from ${this.projectDir}/${this.tunerId}.json`);
    } else {
      await this.saveOracle();
    }
    await this.store.saveTunerMarker(this.tunerId);
  }

  /**
   * Builds the hypermodel with default values, then again with each conditional scope's parent forced
   * to a value that activates it, until every scope was active once (KerasTuner's
   * _activate_all_conditions): the oracle then knows the whole space before the first trial.
   */
  private async populateInitialSpace(): Promise<void> {
    const tried = new Set<string>();
    let forced: Record<string, HyperValue> = {};
    for (let i = 0; i < 200; i++) {
      const hp = HyperParameters.fromConfig({ space: this.oracle.hyperparameters.space, values: {} });
      for (const [k, v] of Object.entries(forced)) hp.setValue(k, v);
      try {
        disposeModel(await this.build(hp));
      } catch {
        // A configuration that cannot be built still declared what it reached.
      }
      this.oracle.updateSpace(hp.space);
      for (const s of hp.scopesSeen()) if (s.active) tried.add(JSON.stringify(s.conditions));
      const next = hp.scopesSeen().find((s) => !tried.has(JSON.stringify(s.conditions)));
      if (!next) break;
      tried.add(JSON.stringify(next.conditions));
      forced = Object.fromEntries(next.conditions.map((c) => [c.parentName, c.parentValues[0]]));
    }
    this.initialSpace = this.oracle.hyperparameters.space;
  }

  /** @internal */
  async saveOracle(): Promise<void> {
    const file: OracleFile = { format: ORACLE_FORMAT, settings: this.oracle.settings(), initialSpace: this.initialSpace, state: this.oracle.getState() };
    await this.store.saveOracle(file);
  }

  /** Builds a model, checking it is a compiled LayersModel; a failed build leaks no variables. */
  private async build(hp: HyperParameters): Promise<tf.LayersModel> {
    const hypermodel = await this.resolveHypermodel();
    const engine = tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> };
    const before = new Set(Object.keys(engine.registeredVariables));
    let model: tf.LayersModel | undefined;
    try {
      model = typeof hypermodel === 'function' ? await hypermodel(hp) : await hypermodel.build(hp);
      if (!(model instanceof tf.LayersModel)) {
        throw new FatalError(`The hypermodel returned ${model === undefined ? 'nothing' : typeof model}, not a tf.LayersModel.`);
      }
      if (!model.optimizer) {
        throw new FatalError('The hypermodel returned a model that is not compiled: call model.compile({optimizer, loss, metrics}) in build.');
      }
      return model;
    } catch (err) {
      if (model instanceof tf.LayersModel) disposeModel(model);
      for (const [name, v] of Object.entries(engine.registeredVariables)) if (!before.has(name)) v.dispose();
      throw err;
    }
  }

  /** Runs fn with Math.random seeded for this trial execution, so training is reproducible. */
  private async seeded<T>(trial: Trial, execution: number, fn: () => Promise<T>): Promise<T> {
    if (!this.deterministic) return fn();
    const rng = new Rng(Rng.mixSeed(this.oracle.seed, trialSeedKey(trial.values), execution, trial.failedAttempts));
    const original = Math.random;
    Math.random = () => rng.next();
    try {
      return await fn();
    } finally {
      Math.random = original;
    }
  }

  /** Runs the search until the oracle stops it. */
  async search(trainData: TrainData, opts: SearchOptions = {}): Promise<void> {
    if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 1)) {
      throw new Error(`workers must be a positive integer (got ${opts.workers}).`);
    }
    if (opts.workers !== undefined && opts.workers > 1) {
      const { parallelSearch } = await import('./workers/parallel-search.js');
      return parallelSearch(this, trainData, opts);
    }
    checkTrainData(trainData, 'search() training data');
    if (opts.validationData !== undefined) checkTrainData(opts.validationData, 'validationData');
    if (isTensorData(trainData) && opts.validationData !== undefined && !isTensorData(opts.validationData)) {
      throw new Error('With {xs, ys} tensors as training data, validationData must be {xs, ys} tensors too ' +
        '(or pass a tf.data.Dataset / DirectoryIterator for both).');
    }
    if (!isTensorData(trainData) && opts.validationSplit !== undefined) {
      throw new Error('validationSplit works with {xs, ys} tensors only; for a dataset or DirectoryIterator pass validationData.');
    }
    if (opts.epochs !== undefined && !(Number.isInteger(opts.epochs) && opts.epochs >= 1)) {
      throw new Error(`epochs must be a positive integer (got ${opts.epochs}).`);
    }
    if (opts.earlyStopping !== undefined) resolveEarlyStopping(opts.earlyStopping, this.oracle.objective);
    const factories: TrialCallbackFactory[] = [];
    if (opts.trialCallbacks) factories.push(opts.trialCallbacks);
    let tensorboard: TensorBoardIntegration | undefined;
    if (opts.tensorboard !== undefined) {
      tensorboard = tensorBoardIntegration;
      if (!tensorboard) {
        throw new Error('search({tensorboard}) needs the TensorBoard integration: import it from the tfjs-tuner package ' +
          '(which connects it), or call setTensorBoardIntegration().');
      }
      factories.push(tensorboard.trialCallbacks(opts.tensorboard));
    }
    await this.reload();
    const parallel = [...this.oracle.ongoing.keys()].find((tid) => isOtherLiveProcess(parseWorkerSlotId(tid)));
    if (parallel !== undefined) {
      throw new Error(`A parallel search (${parallel}) is running on ${this.projectDir}; a serial search (workers: 1) would not share it. ` +
        'Run this one with workers >= 2 to join it, or wait for it to finish.');
    }
    await this.store.saveTunerMarker(this.tunerId, { owner: true });
    const started = Date.now();
    this.display.searchBegin?.({
      projectDir: this.projectDir, reloaded: this.oracle.trials.size > 0, objective: this.oracle.objective,
      finishedTrials: [...this.oracle.trials.values()].filter((t) => t.status === 'COMPLETED' || t.status === 'FAILED').length,
    });
    let trialsRun = 0;
    for (;;) {
      const trial = this.oracle.createTrial(this.tunerId);
      if (trial.status === 'STOPPED') break;
      if (trial.status === 'IDLE') {
        // Other workers' trials are still running; a single process has nothing more to do now.
        this.display.message?.('The oracle is waiting for trials of other tuners; stopping here.');
        break;
      }
      await this.store.saveTrial(trial.toRecord());
      await this.saveOracle();
      const trialNumber = this.oracle.startOrder.indexOf(trial.trialId) + 1;
      const best = this.oracle.getBestTrials(1)[0];
      this.display.trialBegin?.({ trial, trialNumber, best, objective: this.oracle.objective });
      const t0 = Date.now();
      let status: 'COMPLETED' | 'INVALID' | 'FAILED' = 'COMPLETED';
      let message: string | undefined;
      let retry = true;
      try {
        await this.runTrial(trial, trainData, opts, factories);
      } catch (err) {
        if (err instanceof FatalError) throw err;
        ({ status, retry } = classifyTrialError((err as Error)?.name));
        message = errorMessage(err);
      }
      trial.elapsedSeconds = (Date.now() - t0) / 1000;
      let stop: unknown;
      try {
        this.oracle.endTrial(trial.trialId, status, message, { retry });
      } catch (err) {
        stop = err;
      }
      await this.store.saveTrial(trial.toRecord());
      await this.saveOracle();
      trialsRun++;
      this.display.trialEnd?.({
        trial, trialNumber, best: this.oracle.getBestTrials(1)[0], objective: this.oracle.objective,
        elapsedSeconds: trial.elapsedSeconds, totalSeconds: (Date.now() - started) / 1000,
      });
      if (stop) throw stop;
    }
    if (tensorboard?.searchEnd && opts.tensorboard !== undefined) {
      const names = new Set<string>();
      for (const t of this.oracle.trials.values()) for (const k of Object.keys(t.metrics)) names.add(k);
      await tensorboard.searchEnd(opts.tensorboard, this.oracle.hyperparameters.space, [...names]);
    }
    this.display.searchEnd?.({ best: this.oracle.getBestTrials(1)[0], objective: this.oracle.objective, totalSeconds: (Date.now() - started) / 1000, trialsRun });
  }

  /** @internal Trains one trial (all its executions) and records the results in the oracle. */
  async runTrial(trial: Trial, data: TrainData, opts: SearchOptions, factories: TrialCallbackFactory[]): Promise<void> {
    const values = trial.values;
    const hyperband = 'tuner/epochs' in values;
    const epochs = hyperband ? Number(values['tuner/epochs']) : opts.epochs ?? 1;
    const initialEpoch = hyperband ? Number(values['tuner/initial_epoch']) : 0;
    const parentId = typeof values['tuner/trial_id'] === 'string' ? (values['tuner/trial_id'] as string) : undefined;
    const checkpoint = this.store.checkpointDir(trial.trialId);
    await fs.rm(checkpoint, { recursive: true, force: true }); // left by an interrupted attempt
    const results: ExecutionResult[] = [];
    let trialBest: number | null = null;
    for (let execution = 0; execution < this.executionsPerTrial; execution++) {
      const hp = trial.hyperparameters.copy();
      const hooks: TrialCallbackHooks[] = [];
      for (const f of factories) {
        const h = await f({ trial, execution, hyperparameters: trial.values, space: this.oracle.hyperparameters.space, projectDir: this.projectDir });
        if (h) hooks.push(h);
      }
      let ended: 'COMPLETED' | 'FAILED' = 'FAILED';
      let score: ExecutionScore | undefined;
      try {
        const extra = hooks.flatMap((h) => h.callbacks ?? []);
        const result = await this.seeded(trial, execution, () =>
          this.runExecution(hp, data, opts, { epochs, initialEpoch, parentId, checkpoint, trialBest, extra }));
        results.push(result);
        if (isBetter(this.oracle.objective, result.bestValue, trialBest)) trialBest = result.bestValue;
        this.oracle.updateSpace(hp.space);
        trial.hyperparameters = HyperParameters.fromConfig({ space: this.oracle.hyperparameters.space, values: hp.values });
        ended = 'COMPLETED';
        score = { score: result.bestValue, bestStep: result.bestStep };
      } finally {
        for (const h of hooks) await h.onEnd?.(ended, score);
      }
    }
    // KerasTuner: each execution's metrics at its best epoch, averaged; per-epoch curves averaged too.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const bestMetrics: Record<string, number> = {};
    for (const k of Object.keys(results[0].bestMetrics)) bestMetrics[k] = mean(results.map((r) => r.bestMetrics[k]).filter((v) => v !== undefined));
    const metrics: Record<string, number[]> = {};
    for (const k of Object.keys(results[0].history)) {
      const len = Math.max(...results.map((r) => r.history[k]?.length ?? 0));
      metrics[k] = Array.from({ length: len }, (_, i) => mean(results.map((r) => r.history[k]?.[i]).filter((v): v is number => v !== undefined)));
    }
    const steps = results.map((r) => r.bestStep).filter((s): s is number => s !== null);
    this.oracle.updateTrial(trial.trialId, { metrics, bestMetrics, bestStep: steps.length ? Math.floor(mean(steps)) : null });
  }

  private async runExecution(
    hp: HyperParameters, data: TrainData, opts: SearchOptions,
    run: { epochs: number; initialEpoch: number; parentId?: string; checkpoint: string; trialBest: number | null; extra: FitCallback[] },
  ): Promise<ExecutionResult> {
    const model = await this.build(hp);
    const recorder = new EpochRecorder(model, this.oracle.objective);
    // Stateful: a fresh one per execution.
    const stopper = opts.earlyStopping !== undefined
      ? new EarlyStoppingCallback(resolveEarlyStopping(opts.earlyStopping, this.oracle.objective), (m) => new FatalError(m)) : undefined;
    try {
      if (run.parentId !== undefined) await loadWeightsInto(model, this.store.checkpointDir(run.parentId));
      const fitOptions: FitOptions = {
        epochs: run.epochs,
        initialEpoch: run.initialEpoch,
        validationData: opts.validationData,
        validationSplit: opts.validationSplit,
        batchSize: opts.batchSize,
        shuffle: opts.shuffle,
        callbacks: [recorder.callback(), ...(stopper ? [stopper] : []), ...toCallbacks(opts.callbacks), ...toCallbacks(run.extra)],
        verbose: 0,
      };
      const hypermodel = await this.resolveHypermodel();
      const custom = typeof hypermodel === 'object' ? hypermodel : undefined;
      startDataEpoch(data, run.initialEpoch);
      startDataEpoch(opts.validationData, 0);
      const result = custom?.fit ? await custom.fit(hp, model, data, fitOptions) : await defaultFit(model, data, fitOptions);
      if (recorder.fatal) throw recorder.fatal;
      if (stopper?.fatal) throw stopper.fatal;
      recorder.absorb(result, run.initialEpoch);
      if (recorder.nanEpoch !== null) {
        throw new Error(`The loss became NaN at epoch ${recorder.nanEpoch + 1} (a diverging model: lower the learning rate?).`);
      }
      if (recorder.bestValue === null) throw new Error(`No epoch produced a value for the objective "${this.oracle.objective.name}".`);
      if (isBetter(this.oracle.objective, recorder.bestValue, run.trialBest)) {
        // Checkpoint the best epoch (of all executions so far), in the standard tfjs format.
        if (recorder.bestWeights) model.setWeights(recorder.bestWeights);
        await model.save(fileSystemSave(run.checkpoint));
      }
      return { history: recorder.history, bestMetrics: recorder.bestMetrics, bestStep: recorder.bestStep, bestValue: recorder.bestValue };
    } finally {
      recorder.dispose();
      disposeModel(model);
    }
  }

  private requireLoaded(): void {
    if (!this.ready) throw new Error('No results loaded yet: run `await tuner.search(...)` or `await tuner.reload()` first.');
  }

  /** The best trials, best first (COMPLETED only). */
  getBestTrials(n = 1): Trial[] {
    this.requireLoaded();
    return this.oracle.getBestTrials(n);
  }

  /** The hyperparameters of the n best trials (Hyperband's tuner/* values included, like KerasTuner). */
  getBestHyperparameters(n = 1): HyperParameters[] {
    return this.getBestTrials(n).map((t) => t.hyperparameters.copy());
  }

  /** The n best models, rebuilt and loaded with their best epoch's weights. Dispose them when done. */
  async getBestModels(n = 1): Promise<tf.LayersModel[]> {
    await this.reload();
    const models: tf.LayersModel[] = [];
    for (const trial of this.oracle.getBestTrials(n)) {
      const model = await this.build(trial.hyperparameters.copy());
      try {
        await loadWeightsInto(model, this.store.checkpointDir(trial.trialId));
      } catch (err) {
        disposeModel(model);
        models.forEach(disposeModel);
        throw err;
      }
      models.push(model);
    }
    return models;
  }

  /** KerasTuner's search_space_summary(): printed through the display and returned. */
  searchSpaceSummary(): string {
    const text = HyperParameters.fromConfig({ space: this.oracle.hyperparameters.space, values: {} }).summary();
    this.display.message?.(text);
    return text;
  }

  /** KerasTuner's results_summary(n): printed through the display and returned. */
  resultsSummary(n = 10): string {
    this.requireLoaded();
    const lines = ['Results summary', `Results in ${this.projectDir}`, `Showing ${n} best trials`, describeObjective(this.oracle.objective)];
    for (const t of this.oracle.getBestTrials(n)) {
      lines.push('', `Trial ${t.trialId} summary`, 'Hyperparameters:');
      for (const [k, v] of Object.entries(t.values)) lines.push(`${k}: ${v}`);
      lines.push(`Score: ${t.score}`);
      if (t.message) lines.push(t.message);
    }
    const text = lines.join('\n');
    this.display.message?.(text);
    return text;
  }
}

type WithHypermodel<O> = O & TunerOptions;

export class RandomSearch extends Tuner {
  constructor(opts: WithHypermodel<OracleOptions>) {
    super(new RandomSearchOracle(opts), opts);
  }
}

export class GridSearch extends Tuner {
  constructor(opts: WithHypermodel<OracleOptions>) {
    super(new GridSearchOracle(opts), opts);
  }
}

export class Hyperband extends Tuner {
  constructor(opts: WithHypermodel<HyperbandOptions>) {
    super(new HyperbandOracle(opts), opts);
  }
}

export class BayesianOptimization extends Tuner {
  constructor(opts: WithHypermodel<BayesianOptions>) {
    super(new BayesianOptimizationOracle(opts), opts);
  }
}

/** Asynchronous successive halving: promotes as soon as a trial is in its rung's top 1/factor (best with workers > 1). */
export class ASHA extends Tuner {
  constructor(opts: WithHypermodel<ASHAOptions>) {
    super(new ASHAOracle(opts), opts);
  }
}
