/**
 * ASHA, asynchronous successive halving (Li et al., MLSys 2020, Algorithm 2): rung k trains to
 * minEpochs * factor^k epochs (as Optuna's SuccessiveHalvingPruner places its rungs), the top rung to
 * maxEpochs, the cap. Whenever a worker asks for work, the oracle promotes a trial that is among the
 * top floor(n / factor) of the n trials finished in its rung (highest rung first), and otherwise starts
 * a new random configuration in rung 0. It never waits for a rung to fill, so no worker idles on
 * stragglers. As in the paper, a rung with fewer than `factor` finished trials promotes nothing (Optuna
 * lets the best of them through: max(n // factor, 1)), and a trial may be promoted later than it
 * reached its rung, once it is still in the top 1/factor when a worker asks (Optuna decides only on
 * arrival). A promotion is a new trial that continues its parent's best checkpoint (like Hyperband's),
 * with `tuner/round` = its rung.
 */
import type { HyperValue } from '../hyperparameters.js';
import { isBetter } from '../objective.js';
import { Oracle, ORACLE_OPTION_KEYS, type OracleOptions, type PopulateResult } from '../oracle.js';
import type { Trial } from '../trial.js';
import { optionKeys } from '../../util/option-keys.js';

export interface ASHAOptions extends OracleOptions {
  /** Epochs of the lowest rung, at least (default 1). */
  minEpochs?: number;
  /** Epochs of the top rung (default 100). */
  maxEpochs?: number;
  /** Reduction factor: the top 1/factor of a rung is promoted (default 3, at least 2). */
  factor?: number;
  /** New configurations to start (rung-0 trials; promotions are extra). Default 100. */
  maxTrials?: number;
}

/** The option keys the ASHAOracle reads. */
export const ASHA_OPTION_KEYS = [...ORACLE_OPTION_KEYS, ...optionKeys<Omit<ASHAOptions, keyof OracleOptions>>({ minEpochs: true, maxEpochs: true, factor: true })];

export class ASHAOracle extends Oracle {
  readonly kind = 'ASHA';
  override optionKeys(): readonly string[] {
    return ASHA_OPTION_KEYS;
  }
  readonly minEpochs: number;
  readonly maxEpochs: number;
  readonly factor: number;
  /** Configurations to start; promotions do not count. */
  maxConfigurations: number;

  constructor(opts: ASHAOptions = {}) {
    super({ ...opts, maxTrials: undefined });
    this.minEpochs = opts.minEpochs ?? 1;
    this.maxEpochs = opts.maxEpochs ?? 100;
    this.factor = opts.factor ?? 3;
    this.maxConfigurations = opts.maxTrials ?? 100;
    if (!(Number.isInteger(this.minEpochs) && this.minEpochs >= 1)) throw new Error(`minEpochs must be an integer >= 1 (got ${opts.minEpochs}).`);
    if (!(Number.isInteger(this.maxEpochs) && this.maxEpochs >= this.minEpochs)) {
      throw new Error(`maxEpochs must be an integer >= minEpochs (${this.minEpochs}) (got ${opts.maxEpochs}).`);
    }
    if (!(Number.isInteger(this.factor) && this.factor >= 2)) throw new Error(`factor must be an integer >= 2 (got ${opts.factor}).`);
    if (!(Number.isInteger(this.maxConfigurations) && this.maxConfigurations >= 1)) throw new Error(`maxTrials must be a positive integer (got ${opts.maxTrials}).`);
  }

  override settings(): Record<string, unknown> {
    return { ...super.settings(), minEpochs: this.minEpochs, maxEpochs: this.maxEpochs, factor: this.factor };
  }

  /** The index of the top rung: the first k with minEpochs * factor^k >= maxEpochs (integers, no floating log). */
  topRung(): number {
    let k = 0;
    for (let e = this.minEpochs; e < this.maxEpochs; e *= this.factor) k++;
    return k;
  }

  /** The epoch rung k trains up to: minEpochs * factor^k, capped at maxEpochs. */
  rungEpochs(k: number): number {
    return Math.min(this.maxEpochs, this.minEpochs * this.factor ** k);
  }

  rungOf(trial: Trial): number {
    return Number(trial.values['tuner/round'] ?? 0);
  }

  /** The trials of rung k that are in its top 1/factor now (best first): the ones ASHA may promote. */
  promotable(k: number): Trial[] {
    const done = [...this.trials.values()].filter((t) => this.rungOf(t) === k && t.status === 'COMPLETED' && t.score !== null && Number.isFinite(t.score));
    done.sort((a, b) => (isBetter(this.objective, a.score, b.score) ? -1 : isBetter(this.objective, b.score, a.score) ? 1 : 0));
    return done.slice(0, Math.floor(done.length / this.factor));
  }

  protected populateSpace(trialId: string): PopulateResult {
    const promoted = new Set<string>();
    for (const t of this.trials.values()) {
      const parent = t.values['tuner/trial_id'];
      if (typeof parent === 'string') promoted.add(parent);
    }
    for (let k = this.topRung() - 1; k >= 0; k--) {
      const best = this.promotable(k).find((t) => !promoted.has(t.trialId));
      if (!best) continue;
      const values: Record<string, HyperValue> = { ...best.values };
      values['tuner/trial_id'] = best.trialId;
      values['tuner/epochs'] = this.rungEpochs(k + 1);
      values['tuner/initial_epoch'] = this.rungEpochs(k);
      values['tuner/bracket'] = 0;
      values['tuner/round'] = k + 1;
      return { status: 'RUNNING', values };
    }
    const started = [...this.trials.values()].filter((t) => this.rungOf(t) === 0 && !this.rejected.has(t.trialId)).length;
    if (started < this.maxConfigurations) {
      const values = this.randomValues();
      if (values) {
        values['tuner/epochs'] = this.rungEpochs(0);
        values['tuner/initial_epoch'] = 0;
        values['tuner/bracket'] = 0;
        values['tuner/round'] = 0;
        return { status: 'RUNNING', values };
      }
    }
    return { status: this.ongoing.size > 0 || this.retryQueue.length > 0 ? 'IDLE' : 'STOPPED' };
  }
}
