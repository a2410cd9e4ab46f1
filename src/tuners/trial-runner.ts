/**
 * Trains one trial (all its executions) exactly the same way wherever it runs: in the search's thread
 * (SerialExecutor) or in a worker thread. It builds the model, seeds Math.random per execution, fits,
 * records the epochs and keeps the best epoch's checkpoint through an artifact store.
 */
import tf from '../tf.cjs';
import { HyperParameters, type HyperValue } from './hyperparameters.js';
import { isBetter } from './objective.js';
import type { Oracle } from './oracle.js';
import { Rng } from '../util/rng.js';
import { defaultFit, startDataEpoch, toCallbacks, type FitCallback, type FitOptions } from './train-data.js';
import type { TrainData } from '../contract/train-data.js';
import type { Trial } from './trial.js';
import { EarlyStoppingCallback, resolveEarlyStopping } from './early-stopping.js';
import { FatalError } from './errors.js';
import { EpochRecorder, type ExecutionResult } from './epoch-recorder.js';
import type { ExecutionScore, HyperModel, SearchOptions, TrialCallbackFactory, TrialCallbackHooks } from './tuner-options.js';
import type { ArtifactStore } from './storage/search-storage.js';
import { modelToStored, setStoredWeights } from './storage/model-artifacts.js';

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

/** Builds a model, checking it is a compiled LayersModel; a failed build leaks no variables. */
export async function buildModel(hypermodel: HyperModel, hp: HyperParameters): Promise<tf.LayersModel> {
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

export interface TrialRunnerOptions {
  /** The oracle's objective, seed and space (in a worker thread, a copy that decides nothing). */
  oracle: Oracle;
  hypermodel: HyperModel;
  executionsPerTrial: number;
  deterministic: boolean;
  /** Where checkpoints go: the search storage's artifact store. */
  artifacts: ArtifactStore;
  /** The search's location, for the trial callbacks' context. */
  location: string;
}

export class TrialRunner {
  constructor(private readonly o: TrialRunnerOptions) {}

  /** Runs fn with Math.random seeded for this trial execution, so training is reproducible. */
  private async seeded<T>(trial: Trial, execution: number, fn: () => Promise<T>): Promise<T> {
    if (!this.o.deterministic) return fn();
    const rng = new Rng(Rng.mixSeed(this.o.oracle.seed, trialSeedKey(trial.values), execution, trial.failedAttempts));
    const original = Math.random;
    Math.random = () => rng.next();
    try {
      return await fn();
    } finally {
      Math.random = original;
    }
  }

  /** Trains one trial (all its executions) and records the results in the oracle. */
  async run(trial: Trial, data: TrainData, opts: SearchOptions, factories: TrialCallbackFactory[], deadline?: number): Promise<void> {
    const { oracle, artifacts } = this.o;
    const values = trial.values;
    const hyperband = 'tuner/epochs' in values;
    const epochs = hyperband ? Number(values['tuner/epochs']) : opts.epochs ?? 1;
    const initialEpoch = hyperband ? Number(values['tuner/initial_epoch']) : 0;
    const parentId = typeof values['tuner/trial_id'] === 'string' ? (values['tuner/trial_id'] as string) : undefined;
    await artifacts.deleteCheckpoint(trial.trialId); // left by an interrupted attempt
    delete trial.message; // an earlier attempt's error; this attempt's outcome sets its own
    const results: ExecutionResult[] = [];
    let trialBest: number | null = null;
    const budget = { stoppedAt: null as number | null };
    for (let execution = 0; execution < this.o.executionsPerTrial; execution++) {
      // The time budget ended: no further execution starts (the first always runs).
      if (execution > 0 && deadline !== undefined && Date.now() >= deadline) break;
      const hp = trial.hyperparameters.copy();
      const hooks: TrialCallbackHooks[] = [];
      for (const f of factories) {
        const h = await f({ trial, execution, hyperparameters: trial.values, space: oracle.hyperparameters.space, projectDir: this.o.location });
        if (h) hooks.push(h);
      }
      let ended: 'COMPLETED' | 'FAILED' = 'FAILED';
      let score: ExecutionScore | undefined;
      try {
        const extra = hooks.flatMap((h) => h.callbacks ?? []);
        const result = await this.seeded(trial, execution, () =>
          this.runExecution(hp, data, opts, { trialId: trial.trialId, epochs, initialEpoch, parentId, trialBest, extra, deadline, budget }));
        results.push(result);
        if (isBetter(oracle.objective, result.bestValue, trialBest)) trialBest = result.bestValue;
        oracle.updateSpace(hp.space);
        trial.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: hp.values });
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
    if (budget.stoppedAt !== null) {
      trial.message = `The time budget ended: training stopped after epoch ${budget.stoppedAt} of ${epochs}, keeping its best epoch.`;
    }
    const steps = results.map((r) => r.bestStep).filter((s): s is number => s !== null);
    oracle.updateTrial(trial.trialId, { metrics, bestMetrics, bestStep: steps.length ? Math.floor(mean(steps)) : null });
  }

  private async runExecution(
    hp: HyperParameters, data: TrainData, opts: SearchOptions,
    run: {
      trialId: string; epochs: number; initialEpoch: number; parentId?: string; trialBest: number | null; extra: FitCallback[];
      deadline?: number; budget: { stoppedAt: number | null };
    },
  ): Promise<ExecutionResult> {
    const { oracle, artifacts } = this.o;
    const model = await buildModel(this.o.hypermodel, hp);
    const recorder = new EpochRecorder(model, oracle.objective);
    // Stateful: a fresh one per execution.
    const stopper = opts.earlyStopping !== undefined
      ? new EarlyStoppingCallback(resolveEarlyStopping(opts.earlyStopping, oracle.objective), (m) => new FatalError(m)) : undefined;
    try {
      if (run.parentId !== undefined) {
        const parent = await artifacts.loadCheckpoint(run.parentId);
        if (!parent) throw new Error(`The checkpoint of trial ${run.parentId} (the parent of this promotion) is missing from ${this.o.location}.`);
        setStoredWeights(model, parent, `The checkpoint of trial ${run.parentId} in ${this.o.location}`);
      }
      // The time budget: past the deadline, training stops at this epoch's end (the best epoch is kept below).
      const deadline = run.deadline;
      const timeUp: FitCallback[] = deadline === undefined ? [] : [{
        onEpochEnd: async (epoch: number) => {
          if (Date.now() >= deadline && epoch + 1 < run.epochs) {
            model.stopTraining = true;
            run.budget.stoppedAt = epoch + 1;
          }
        },
      }];
      const fitOptions: FitOptions = {
        epochs: run.epochs,
        initialEpoch: run.initialEpoch,
        validationData: opts.validationData,
        validationSplit: opts.validationSplit,
        batchSize: opts.batchSize,
        shuffle: opts.shuffle,
        callbacks: [recorder.callback(), ...(stopper ? [stopper] : []), ...toCallbacks(opts.callbacks), ...toCallbacks(run.extra), ...toCallbacks(timeUp)],
        verbose: 0,
      };
      const hypermodel = this.o.hypermodel;
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
      if (recorder.bestValue === null) throw new Error(`No epoch produced a value for the objective "${oracle.objective.name}".`);
      if (isBetter(oracle.objective, recorder.bestValue, run.trialBest)) {
        // Checkpoint the best epoch (of all executions so far), in the standard tfjs format.
        if (recorder.bestWeights) model.setWeights(recorder.bestWeights);
        await artifacts.saveCheckpoint(run.trialId, await modelToStored(model));
      }
      return { history: recorder.history, bestMetrics: recorder.bestMetrics, bestStep: recorder.bestStep, bestValue: recorder.bestValue };
    } finally {
      recorder.dispose();
      disposeModel(model);
    }
  }
}
