/**
 * The tuner builds and trains the models the oracle asks for, records results, keeps each trial's
 * best-epoch checkpoint, and resumes a killed search from its project directory. It never decides
 * what to try (the oracle does) and never writes the project directory itself (the storage does).
 */
import tf from '../tf.cjs';
import { ConsoleDisplay, silentDisplay, type TunerDisplay } from './display.js';
import { HyperParameters, type HyperParameterSpec, type HyperValue } from './hyperparameters.js';
import { describeObjective } from './objective.js';
import type { Oracle } from './oracle.js';
import { loadOracleState, saveOracleState, type SearchMeta } from './search-state.js';
import { checkTrainData, isTensorData } from './train-data.js';
import type { TrainData } from '../contract/train-data.js';
import type { Trial } from './trial.js';
import { importExport, isHyperModelModule, type HyperModelModule } from './hypermodel-module.js';
import { resolveEarlyStopping } from './early-stopping.js';
import { buildModel, disposeModel, TrialRunner } from './trial-runner.js';
import { searchLoop, type SearchOutcome } from './search-loop.js';
import { SerialExecutor } from './executors/serial-executor.js';
import { TrialOracle } from './executors/run-job.js';
import { checkSearchOptions, checkTunerOptions } from './option-checks.js';
import { openStorage } from './storage/open-storage.js';
import type { SearchStorage } from './storage/search-storage.js';
import { setStoredWeights } from './storage/model-artifacts.js';
import { FencedArtifacts } from './storage/fenced-artifacts.js';
import { workerSlotId } from './project-lock.js';
import type {
  HyperModel, HyperModelObject, HyperModelSource, SearchOptions, TensorBoardIntegration, TrialCallbackFactory, TunerOptions,
} from './tuner-options.js';

export class Tuner {
  readonly oracle: Oracle;
  /** Where the search is kept: trial checkpoints go through its artifact store. */
  readonly storage: SearchStorage;
  readonly tunerId: string;
  readonly executionsPerTrial: number;
  /** The hypermodel as given (a module hypermodel is imported on reload). */
  readonly hypermodelSource: HyperModelSource;
  readonly hypermodelOptions: unknown;
  private hypermodel: HyperModel | undefined;
  readonly overwrite: boolean;
  readonly display: TunerDisplay;
  readonly deterministic: boolean;
  /** What search({tensorboard}) writes with (given in the options; none: {tensorboard} is refused). */
  readonly tensorBoardIntegration: TensorBoardIntegration | undefined;
  /** @internal */
  initialSpace: HyperParameterSpec[] = [];
  private ready: Promise<void> | undefined;

  constructor(oracle: Oracle, opts: TunerOptions) {
    if (!opts || (typeof opts.hypermodel !== 'function' && typeof (opts.hypermodel as HyperModelObject)?.build !== 'function' && !isHyperModelModule(opts.hypermodel))) {
      throw new Error('hypermodel must be a function (hp) => compiled tf.LayersModel, an object with build(hp), ' +
        'or {module: "/abs/path/model.js", exportName} for a module that exports one.');
    }
    checkTunerOptions(new.target.name, opts, oracle.optionKeys());
    this.oracle = oracle;
    this.hypermodelSource = opts.hypermodel;
    this.hypermodelOptions = opts.hypermodelOptions;
    if (!isHyperModelModule(opts.hypermodel)) this.hypermodel = opts.hypermodel;
    this.storage = openStorage(opts.storage, opts.directory ?? '.', opts.projectName ?? 'untitled_project');
    this.overwrite = opts.overwrite ?? false;
    this.tunerId = opts.tunerId ?? process.env.KERASTUNER_TUNER_ID ?? 'tuner0';
    this.executionsPerTrial = opts.executionsPerTrial ?? 1;
    if (!(Number.isInteger(this.executionsPerTrial) && this.executionsPerTrial >= 1)) {
      throw new Error(`executionsPerTrial must be a positive integer (got ${opts.executionsPerTrial}).`);
    }
    if (opts.verbose !== undefined && ![0, 1, 2].includes(opts.verbose)) {
      throw new Error(`verbose must be 0 (silent), 1 (two lines per trial) or 2 (KerasTuner's per-trial tables); got ${JSON.stringify(opts.verbose)}.`);
    }
    this.display = opts.display ?? (opts.verbose === 0 ? silentDisplay : new ConsoleDisplay(undefined, { tables: opts.verbose === 2 }));
    this.deterministic = opts.deterministic ?? true;
    this.tensorBoardIntegration = opts.tensorBoardIntegration;
  }

  /** The project folder, or where else the search is kept (a database and search name, no password). */
  get projectDir(): string {
    return this.storage.location;
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
    await this.storage.open({ overwrite: this.overwrite });
    await this.populateInitialSpace();
    await this.storage.transaction(async (tx) => {
      const file = await tx.loadSearch();
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
        this.oracle.setState(await loadOracleState(tx, file));
        this.display.message?.(`Reloading Tuner from ${this.projectDir}`);
      } else {
        await saveOracleState(tx, this.searchMeta(), this.oracle);
      }
    });
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

  /** @internal What the stored search holds besides the oracle's state. */
  searchMeta(): SearchMeta {
    return { settings: this.oracle.settings(), initialSpace: this.initialSpace };
  }


  /** Builds a model, checking it is a compiled LayersModel; a failed build leaks no variables. */
  private async build(hp: HyperParameters): Promise<tf.LayersModel> {
    return buildModel(await this.resolveHypermodel(), hp);
  }

  /** @internal The trial runner of this thread's trials (a SerialExecutor's), on an oracle that only records. */
  async trialRunner(): Promise<{ runner: TrialRunner; oracle: TrialOracle }> {
    const oracle = new TrialOracle({ objective: this.oracle.objective, allowNewEntries: this.oracle.allowNewEntries, tuneNewEntries: this.oracle.tuneNewEntries });
    const runner = new TrialRunner({
      oracle, hypermodel: await this.resolveHypermodel(), executionsPerTrial: this.executionsPerTrial,
      deterministic: this.deterministic, location: this.projectDir,
      // the search loop runs this thread's trials as worker slot 0
      artifacts: new FencedArtifacts(this.storage, workerSlotId(this.tunerId, 0)),
    });
    return { runner, oracle };
  }

  /** Runs the search until the oracle stops it: one loop, over a serial or a worker-thread executor. */
  async search(trainData: TrainData, opts: SearchOptions = {}): Promise<SearchOutcome> {
    const started = { at: Date.now(), cpu: process.cpuUsage() };
    checkSearchOptions(this.constructor.name, opts, this.oracle.optionKeys());
    if (opts.maxTime !== undefined && !(typeof opts.maxTime === 'number' && opts.maxTime > 0 && Number.isFinite(opts.maxTime))) {
      throw new Error(`maxTime must be a positive number of seconds (got ${opts.maxTime}).`);
    }
    // With a time budget, an oracle without its own end (Hyperband with no hyperbandIterations) runs until it is spent.
    this.oracle.setOpenEnded(opts.maxTime !== undefined);
    try {
      return await this.runSearch(trainData, opts, started);
    } finally {
      this.oracle.setOpenEnded(false);
    }
  }

  private async runSearch(trainData: TrainData, opts: SearchOptions, started: { at: number; cpu: NodeJS.CpuUsage }): Promise<SearchOutcome> {
    if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 1)) {
      throw new Error(`workers must be a positive integer (got ${opts.workers}).`);
    }
    if (opts.workers !== undefined && opts.workers > 1) {
      const { checkParallelInputs, startWorkers, sendWorkerData } = await import('./workers/parallel-search.js');
      const tensorboard = this.tensorBoardFor(opts);
      checkParallelInputs(this, trainData, opts, tensorboard);
      // The workers start first: they load tfjs while this thread loads the project and prepares the data.
      const executor = startWorkers(this, opts, tensorboard);
      try {
        await this.reload();
        await sendWorkerData(executor, trainData, opts);
      } catch (err) {
        await executor.close();
        throw err;
      }
      return searchLoop(this, executor, opts, { serial: false, tensorboard, startedAt: started.at, startedCpu: started.cpu, preparedAt: Date.now() });
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
    const tensorboard = this.tensorBoardFor(opts);
    if (tensorboard) factories.push(tensorboard.trialCallbacks(opts.tensorboard!));
    await this.reload();
    const { runner, oracle } = await this.trialRunner();
    return searchLoop(this, new SerialExecutor(runner, oracle, trainData, opts, factories), opts, { serial: true, tensorboard, startedAt: started.at });
  }

  /** The integration search({tensorboard}) writes with; refused without one. */
  private tensorBoardFor(opts: SearchOptions): TensorBoardIntegration | undefined {
    if (opts.tensorboard === undefined) return undefined;
    if (!this.tensorBoardIntegration) {
      throw new Error('search({tensorboard}) needs the TensorBoard integration: use the tuners of the tfjs-tuner package (which pass it), ' +
        'or pass tensorBoardIntegration (exported by tfjs-tuner) in the tuner\'s options.');
    }
    return this.tensorBoardIntegration;
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
        const stored = await this.storage.artifacts.loadCheckpoint(trial.trialId);
        if (!stored) throw new Error(`Trial ${trial.trialId} has no checkpoint in ${this.projectDir}: it was deleted, or the trial ran with another version.`);
        setStoredWeights(model, stored, `The checkpoint of trial ${trial.trialId} in ${this.projectDir}`);
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

