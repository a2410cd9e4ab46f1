/**
 * The oracle decides what to try next; it never touches tfjs or the disk. The tuner asks it for a
 * trial (`createTrial`), reports the result (`updateTrial`, `endTrial`), and saves `getState()` after
 * each call; `setState` restores it, so a resumed search makes exactly the decisions an uninterrupted
 * one would (decisions depend only on the seed, the saved RNG state and the completed results).
 */
import { HyperParameters, type HyperParameterSpec, type HyperValue } from './hyperparameters.js';
import { isBetter, toObjective, type Objective, type ObjectiveSpec } from './objective.js';
import { Rng } from '../util/rng.js';
import { Trial, type TrialRecord, type TrialStatus } from './trial.js';
import { optionKeys } from '../util/option-keys.js';

export interface OracleOptions {
  /** Metric to optimize: a name (direction inferred) or {name, direction}. Default 'val_loss'. */
  objective?: ObjectiveSpec;
  /** Stop after this many trials (failed ones count). Not saved: it can be raised on resume. */
  maxTrials?: number;
  /** A pre-declared search space (optional; the hypermodel can declare everything itself). */
  hyperparameters?: HyperParameters;
  /** Accept hyperparameters first declared during a trial (default true); false makes them an error. */
  allowNewEntries?: boolean;
  /** Tune hyperparameters first declared during a trial (default true); false keeps them at their default. */
  tuneNewEntries?: boolean;
  /** Seed for every random decision. Default: a random seed in 1..10000 (saved, so a resume reuses it). */
  seed?: number;
  /** How many times a trial that raised an error is retried before it is FAILED (default 0). */
  maxRetriesPerTrial?: number;
  /**
   * How many times a trial whose worker died (killed, out of memory) or went silent (no heartbeat within
   * the storage's grace period) runs again before it is FAILED (default 2: three attempts in all).
   */
  maxCrashRetries?: number;
  /** The search stops with an error after this many FAILED trials in a row (default 3; 0 never stops). */
  maxConsecutiveFailedTrials?: number;
  /**
   * A configuration the hypermodel cannot build (InvalidModelError / InvalidTrialError) does not use up a
   * trial slot: the oracle proposes another. After this many in a row (default 20) the search stops with
   * NoValidConfigurationError.
   */
  maxConsecutiveInvalidTrials?: number;
}

/** The keys of OracleOptions (a tuner rejects any key that neither it nor its oracle reads). */
export const ORACLE_OPTION_KEYS = optionKeys<OracleOptions>({
  objective: true, maxTrials: true, hyperparameters: true, allowNewEntries: true, tuneNewEntries: true, seed: true,
  maxRetriesPerTrial: true, maxCrashRetries: true, maxConsecutiveFailedTrials: true, maxConsecutiveInvalidTrials: true,
});

export interface PopulateResult {
  status: 'RUNNING' | 'IDLE' | 'STOPPED';
  values?: Record<string, HyperValue>;
}

/** Everything an oracle needs to continue; oracle.json holds it. */
export interface OracleState {
  kind: string;
  seed: number;
  rngState: number;
  space: HyperParameterSpec[];
  trials: TrialRecord[];
  ongoing: Record<string, string>;
  startOrder: string[];
  endOrder: string[];
  retryQueue: string[];
  triedSoFar: string[];
  /** trialId → the key it was last recorded under in triedSoFar (absent in projects saved before it existed). */
  recordedKeys?: Record<string, string>;
  /** Oracle-specific state (Hyperband brackets, ...). */
  extra: unknown;
  /** Trials whose configuration could not be built: they hold no slot (missing in older projects). */
  rejected?: string[];
  /** Such trials in a row, since the last trial that trained. */
  invalidInARow?: number;
}

/** The error that ends a search after too many failures in a row. */
export class ConsecutiveFailuresError extends Error {}

/** The error that ends a search whose hypermodel could not build any of many configurations in a row. */
export class NoValidConfigurationError extends Error {
  override name = 'NoValidConfigurationError';
}

/** Keys Hyperband adds to a trial's values; they are bookkeeping, not part of a configuration. */
export const TUNER_KEYS = ['tuner/epochs', 'tuner/initial_epoch', 'tuner/bracket', 'tuner/round'] as const;

/** A configuration's identity: its values sorted by name, ignoring Hyperband's bookkeeping keys. */
export function valuesKey(values: Record<string, HyperValue>): string {
  return JSON.stringify(Object.keys(values).filter((k) => !(TUNER_KEYS as readonly string[]).includes(k)).sort().map((k) => [k, values[k]]));
}

const MAX_COLLISIONS = 20;

export abstract class Oracle {
  abstract readonly kind: string;
  readonly objective: Objective;
  maxTrials: number | undefined;
  /** The search space: every hyperparameter seen so far. */
  readonly hyperparameters: HyperParameters;
  readonly allowNewEntries: boolean;
  readonly tuneNewEntries: boolean;
  readonly maxRetriesPerTrial: number;
  readonly maxCrashRetries: number;
  readonly maxConsecutiveFailedTrials: number;
  readonly maxConsecutiveInvalidTrials: number;
  seed: number;
  protected rng: Rng;
  readonly trials = new Map<string, Trial>();
  /** tunerId → its running trial. */
  readonly ongoing = new Map<string, string>();
  startOrder: string[] = [];
  endOrder: string[] = [];
  retryQueue: string[] = [];
  readonly triedSoFar = new Set<string>();
  /** Trials whose configuration the hypermodel could not build: recorded, but they hold no slot. */
  readonly rejected = new Set<string>();
  invalidInARow = 0;
  /** trialId → its key in triedSoFar: a trial ending with new hyperparameters replaces its key (KerasTuner's id_to_hash). */
  private readonly recordedKeys = new Map<string, string>();

  /** The option keys this oracle's constructor reads; a subclass with options of its own lists them too. */
  optionKeys(): readonly string[] {
    return ORACLE_OPTION_KEYS;
  }

  constructor(opts: OracleOptions = {}) {
    this.objective = toObjective(opts.objective);
    if (opts.maxTrials !== undefined && !(Number.isInteger(opts.maxTrials) && opts.maxTrials > 0)) {
      throw new Error(`maxTrials must be a positive integer (got ${opts.maxTrials}).`);
    }
    this.maxTrials = opts.maxTrials;
    this.hyperparameters = opts.hyperparameters ? HyperParameters.fromConfig({ space: opts.hyperparameters.space, values: {} }) : new HyperParameters();
    this.allowNewEntries = opts.allowNewEntries ?? true;
    this.tuneNewEntries = opts.tuneNewEntries ?? true;
    this.maxRetriesPerTrial = nonNegativeInt('maxRetriesPerTrial', opts.maxRetriesPerTrial ?? 0);
    this.maxCrashRetries = nonNegativeInt('maxCrashRetries', opts.maxCrashRetries ?? 2);
    this.maxConsecutiveFailedTrials = nonNegativeInt('maxConsecutiveFailedTrials', opts.maxConsecutiveFailedTrials ?? 3);
    this.maxConsecutiveInvalidTrials = nonNegativeInt('maxConsecutiveInvalidTrials', opts.maxConsecutiveInvalidTrials ?? 20);
    this.seed = opts.seed || 1 + Math.floor(Math.random() * 10000);
    this.rng = new Rng(this.seed);
  }

  /** The settings that define this search; a project written with other settings is refused. */
  settings(): Record<string, unknown> {
    return { kind: this.kind, objective: this.objective };
  }

  /**
   * A time budget is set (search({maxTime})): an oracle whose length is not given (Hyperband without
   * hyperbandIterations) runs on until the budget ends. Not saved; the search turns it off afterwards.
   */
  setOpenEnded(_on: boolean): void {}

  /** Decides the values of a new trial (subclasses). */
  protected abstract populateSpace(trialId: string): PopulateResult;

  /**
   * Every oracle names trials alike: zero-padded to 4 digits (KerasTuner pads to maxTrials' width, so
   * `0` there for random search and `0000` for Hyperband), wider only when maxTrials needs more digits,
   * so the ids sort in trial order. Ids already in a saved state are kept as they are.
   */
  private trialIdWidth(): number {
    return Math.max(4, this.maxTrials !== undefined ? String(this.maxTrials).length : 0);
  }

  /**
   * The next trial for this tuner: its running trial if it has one (e.g. after a crash), a trial to
   * retry, or a new one. Status IDLE means "nothing now, ask again"; STOPPED means the search is over.
   */
  createTrial(tunerId = 'tuner0'): Trial {
    const running = this.ongoing.get(tunerId);
    if (running !== undefined) return this.trials.get(running)!;
    const retry = this.retryQueue.shift();
    if (retry !== undefined) {
      const trial = this.trials.get(retry)!;
      trial.status = 'RUNNING';
      this.ongoing.set(tunerId, retry);
      return trial;
    }
    const trialId = String(this.trials.size).padStart(this.trialIdWidth(), '0');
    if (this.maxTrials !== undefined && this.trials.size - this.rejected.size >= this.maxTrials) {
      return new Trial(trialId, this.hyperparameters.copy(), 'STOPPED');
    }
    const result = this.populateSpace(trialId);
    if (result.status !== 'RUNNING' || !result.values) {
      return new Trial(trialId, this.hyperparameters.copy(), result.status === 'RUNNING' ? 'STOPPED' : result.status);
    }
    const hp = HyperParameters.fromConfig({ space: this.hyperparameters.space, values: result.values });
    const trial = new Trial(trialId, hp, 'RUNNING');
    this.trials.set(trialId, trial);
    this.recordValues(trial);
    this.startOrder.push(trialId);
    this.ongoing.set(tunerId, trialId);
    return trial;
  }

  /**
   * Records a trial's results: per-epoch metrics and the metrics at its best epoch, whose objective
   * value becomes the score.
   */
  updateTrial(trialId: string, result: { metrics: Record<string, number[]>; bestMetrics: Record<string, number>; bestStep: number | null }): Trial {
    const trial = this.getTrial(trialId);
    trial.metrics = result.metrics;
    trial.bestMetrics = result.bestMetrics;
    const score = result.bestMetrics[this.objective.name];
    trial.score = score === undefined ? null : score;
    trial.bestStep = result.bestStep;
    return trial;
  }

  /**
   * Ends a trial. COMPLETED with a NaN/missing score becomes INVALID; INVALID is retried while
   * retries are left, then FAILED. With `retry: false`, INVALID is final: a configuration that cannot
   * work (e.g. a model that does not fit the input); it does not count as a failure. Throws
   * ConsecutiveFailuresError after too many FAILED in a row.
   */
  endTrial(trialId: string, status: 'COMPLETED' | 'INVALID' | 'FAILED' | 'STOPPED', message?: string, opts: { retry?: boolean } = {}): Trial {
    const trial = this.getTrial(trialId);
    for (const [tuner, id] of this.ongoing) if (id === trialId) this.ongoing.delete(tuner);
    if (status === 'COMPLETED' && (trial.score === null || !Number.isFinite(trial.score))) {
      status = 'INVALID';
      message ??= `The objective "${this.objective.name}" was ${trial.score === null ? 'missing' : trial.score} (a diverging model?).`;
    }
    // Again at the end (KerasTuner's _record_values): the values now hold what the trial declared.
    this.recordValues(trial);
    trial.status = status;
    if (message !== undefined) trial.message = message;
    else delete trial.message;
    if (status === 'INVALID' && opts.retry === false && !this.rejected.has(trialId)) {
      // The hypermodel cannot build this configuration: its slot goes to another one.
      this.rejected.add(trialId);
      this.releaseSlot(trialId);
      this.endOrder.push(trialId);
      this.invalidInARow += 1;
      const n = this.maxConsecutiveInvalidTrials;
      if (n > 0 && this.invalidInARow >= n) {
        throw new NoValidConfigurationError(`The search space has no valid configuration: the hypermodel could not build the last ${n} ` +
          `configurations in a row (maxConsecutiveInvalidTrials). Last (trial ${trialId}): ${trial.message ?? 'unknown'}. ` +
          'Widen or fix the search space (or the hypermodel), or raise maxConsecutiveInvalidTrials.');
      }
      return trial;
    }
    if (status === 'COMPLETED' || status === 'FAILED') this.invalidInARow = 0;
    if (status === 'INVALID' && opts.retry !== false) {
      trial.failedAttempts += 1;
      if (trial.failedAttempts <= this.maxRetriesPerTrial) {
        this.retryQueue.push(trialId);
        return trial;
      }
      trial.status = 'FAILED';
    }
    this.endOrder.push(trialId);
    this.checkConsecutiveFailures();
    return trial;
  }

  /**
   * Puts back a trial whose worker died (killed, out of memory) with the trial itself not at fault:
   * it runs again with the same seed. After `maxCrashRetries` crashes it is FAILED.
   */
  requeueCrashedTrial(trialId: string, message: string, maxCrashRetries = this.maxCrashRetries): Trial {
    const trial = this.getTrial(trialId);
    for (const [tuner, id] of this.ongoing) if (id === trialId) this.ongoing.delete(tuner);
    if (trial.status !== 'RUNNING' || this.retryQueue.includes(trialId)) return trial;
    trial.crashes += 1;
    trial.message = message;
    if (trial.crashes <= maxCrashRetries) {
      trial.status = 'INVALID';
      this.retryQueue.unshift(trialId);
      return trial;
    }
    trial.status = 'FAILED';
    this.endOrder.push(trialId);
    this.checkConsecutiveFailures();
    return trial;
  }

  /** Records a trial's configuration as tried, replacing the one recorded for it before. */
  private recordValues(trial: Trial): void {
    const key = valuesKey(trial.values);
    const old = this.recordedKeys.get(trial.trialId);
    this.triedSoFar.add(key);
    if (old !== undefined && old !== key) this.triedSoFar.delete(old);
    this.recordedKeys.set(trial.trialId, key);
  }

  private checkConsecutiveFailures(): void {
    const n = this.maxConsecutiveFailedTrials;
    if (n <= 0 || this.endOrder.length < n) return;
    const last = this.endOrder.slice(-n).map((id) => this.trials.get(id)!);
    if (last.every((t) => t.status === 'FAILED')) {
      throw new ConsecutiveFailuresError(`Number of consecutive failures exceeded the limit of ${n}. ` +
        `Last error (trial ${last[n - 1].trialId}): ${last[n - 1].message ?? 'unknown'}`);
    }
  }

  /** Merges hyperparameters first declared during a trial into the space. */
  updateSpace(space: HyperParameterSpec[]): void {
    for (const spec of space) {
      if (spec.name.startsWith('tuner/')) continue;
      const exists = this.hyperparameters.space.some((s) => s.name === spec.name && JSON.stringify(s.conditions) === JSON.stringify(spec.conditions));
      if (exists) continue;
      if (!this.allowNewEntries) {
        throw new Error(`The hypermodel declared a new hyperparameter "${spec.name}" during a trial, but allowNewEntries is false.`);
      }
      if (!this.tuneNewEntries && spec.type !== 'fixed') {
        const value = spec.type === 'int' || spec.type === 'float' ? spec.default ?? spec.min
          : spec.type === 'choice' ? spec.default ?? spec.values[0] : spec.default ?? false;
        this.hyperparameters.declare({ type: 'fixed', name: spec.name, value, conditions: spec.conditions });
      } else {
        this.hyperparameters.declare(spec);
      }
    }
  }

  getTrial(trialId: string): Trial {
    const t = this.trials.get(trialId);
    if (!t) throw new Error(`Unknown trial "${trialId}".`);
    return t;
  }

  /** The n best COMPLETED trials, best first (ties keep trial order). */
  getBestTrials(n = 1): Trial[] {
    const done = [...this.trials.values()].filter((t) => t.status === 'COMPLETED' && t.score !== null && Number.isFinite(t.score));
    done.sort((a, b) => (isBetter(this.objective, a.score, b.score) ? -1 : isBetter(this.objective, b.score, a.score) ? 1 : 0));
    return done.slice(0, n);
  }

  /** Random values for every active hyperparameter, avoiding configurations already tried; null after 20 collisions. */
  protected randomValues(): Record<string, HyperValue> | null {
    for (let i = 0; i <= MAX_COLLISIONS; i++) {
      const hp = HyperParameters.fromConfig({ space: this.hyperparameters.space, values: {} });
      hp.ensureActiveValues(this.rng);
      const values = hp.values;
      if (!this.triedSoFar.has(valuesKey(values))) return values;
    }
    return null;
  }

  /** A trial of `trialId` could not be built: forget its slot so the schedule proposes another (subclasses). */
  protected releaseSlot(_trialId: string): void {}

  protected getExtraState(): unknown {
    return null;
  }

  protected setExtraState(_extra: unknown): void {}

  getState(): OracleState {
    return {
      kind: this.kind,
      seed: this.seed,
      rngState: this.rng.getState(),
      space: this.hyperparameters.space,
      trials: [...this.trials.values()].map((t) => t.toRecord()),
      ongoing: Object.fromEntries(this.ongoing),
      startOrder: [...this.startOrder],
      endOrder: [...this.endOrder],
      retryQueue: [...this.retryQueue],
      triedSoFar: [...this.triedSoFar],
      recordedKeys: Object.fromEntries(this.recordedKeys),
      extra: this.getExtraState(),
      rejected: [...this.rejected],
      invalidInARow: this.invalidInARow,
    };
  }

  setState(state: OracleState): void {
    if (state.kind !== this.kind) throw new Error(`Saved oracle state is for ${state.kind}, not ${this.kind}.`);
    this.seed = state.seed;
    this.rng = new Rng(state.seed);
    this.rng.setState(state.rngState);
    for (const spec of state.space) this.hyperparameters.declare(spec);
    this.trials.clear();
    for (const r of state.trials) this.trials.set(r.trialId, Trial.fromRecord(r));
    this.ongoing.clear();
    for (const [k, v] of Object.entries(state.ongoing)) this.ongoing.set(k, v);
    this.startOrder = [...state.startOrder];
    this.endOrder = [...state.endOrder];
    this.retryQueue = [...state.retryQueue];
    this.triedSoFar.clear();
    for (const k of state.triedSoFar) this.triedSoFar.add(k);
    this.rejected.clear();
    for (const id of state.rejected ?? []) this.rejected.add(id);
    this.invalidInARow = state.invalidInARow ?? 0;
    this.recordedKeys.clear();
    for (const [id, k] of Object.entries(state.recordedKeys ?? {})) this.recordedKeys.set(id, k);
    this.setExtraState(state.extra);
  }
}

function nonNegativeInt(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 0)) throw new Error(`${name} must be a non-negative integer (got ${v}).`);
  return v;
}

export type { TrialStatus };
