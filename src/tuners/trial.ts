/**
 * Trial records: what the oracle hands the tuner and what trial.json holds. A trial is one
 * configuration (plus, for Hyperband, its epoch budget and parent), trained `executionsPerTrial` times.
 */
import { HyperParameters, type HyperParametersConfig, type HyperValue } from './hyperparameters.js';

export type TrialStatus = 'RUNNING' | 'IDLE' | 'INVALID' | 'STOPPED' | 'COMPLETED' | 'FAILED';

/** A trial record as storages keep it (trial.json in a project folder); extra fields are additions readers may ignore. */
export interface TrialRecord {
  trialId: string;
  hyperparameters: HyperParametersConfig;
  /** Per-epoch values of every metric fit logged (averaged over executions). */
  metrics: Record<string, number[]>;
  score: number | null;
  /** The epoch (0-based, absolute: a Hyperband promotion continues its parent's count) of the best score. */
  bestStep: number | null;
  status: Exclude<TrialStatus, 'IDLE'>;
  message?: string;
  /** All metrics at the best epoch (averaged over executions): what KerasTuner sends the oracle. */
  bestMetrics?: Record<string, number>;
  /** How many times this trial was started and ended INVALID (retries). */
  failedAttempts?: number;
  /** Seconds the last attempt took. */
  elapsedSeconds?: number;
  /** How many times the worker training this trial died (a parallel search re-runs it). */
  crashes?: number;
}

/** Epochs a trial actually trained (its longest metric history; a promotion counts only its own epochs). */
export function epochsTrained(metrics: Record<string, number[]> | undefined): number {
  return Math.max(0, ...Object.values(metrics ?? {}).map((m) => m.length));
}

export class Trial {
  metrics: Record<string, number[]> = {};
  bestMetrics: Record<string, number> = {};
  score: number | null = null;
  bestStep: number | null = null;
  message?: string;
  failedAttempts = 0;
  crashes = 0;
  elapsedSeconds?: number;

  constructor(
    readonly trialId: string,
    public hyperparameters: HyperParameters,
    public status: TrialStatus,
  ) {}

  /** Shorthand for trial.hyperparameters.values. */
  get values(): Record<string, HyperValue> {
    return this.hyperparameters.values;
  }

  toRecord(): TrialRecord {
    const r: TrialRecord = {
      trialId: this.trialId,
      hyperparameters: this.hyperparameters.getConfig(),
      metrics: this.metrics,
      score: this.score,
      bestStep: this.bestStep,
      status: this.status === 'IDLE' ? 'STOPPED' : this.status,
      bestMetrics: this.bestMetrics,
      failedAttempts: this.failedAttempts,
    };
    if (this.message !== undefined) r.message = this.message;
    if (this.elapsedSeconds !== undefined) r.elapsedSeconds = this.elapsedSeconds;
    if (this.crashes > 0) r.crashes = this.crashes;
    return r;
  }

  static fromRecord(r: TrialRecord): Trial {
    const t = new Trial(r.trialId, HyperParameters.fromConfig(r.hyperparameters), r.status);
    t.metrics = r.metrics ?? {};
    t.bestMetrics = r.bestMetrics ?? {};
    t.score = r.score ?? null;
    t.bestStep = r.bestStep ?? null;
    if (r.message !== undefined) t.message = r.message;
    t.failedAttempts = r.failedAttempts ?? 0;
    t.crashes = r.crashes ?? 0;
    if (r.elapsedSeconds !== undefined) t.elapsedSeconds = r.elapsedSeconds;
    return t;
  }
}
