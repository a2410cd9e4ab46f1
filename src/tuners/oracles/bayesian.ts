/**
 * Bayesian optimization as in KerasTuner: random trials first, then a Gaussian process (Matern 5/2)
 * over the hyperparameters mapped to [0,1], and the next trial minimizes the lower confidence bound
 * `mean - beta * std` (named UCB in KerasTuner) of the objective (negated when it is maximized).
 */
import { GaussianProcess } from '../gaussian-process.js';
import { HyperParameters, defaultValue, type HyperParameterSpec, type HyperValue } from '../hyperparameters.js';
import { Oracle, ORACLE_OPTION_KEYS, valuesKey, type OracleOptions, type PopulateResult } from '../oracle.js';
import { probToValue, valueToProb } from '../sampling.js';
import { optionKeys } from '../../util/option-keys.js';

export interface BayesianOptions extends OracleOptions {
  /** Random trials before the GP takes over. Default: 3 x the number of hyperparameters (at least 3). */
  numInitialPoints?: number;
  /** Noise added to the kernel's diagonal (default 1e-4). */
  alpha?: number;
  /** Exploration weight of the confidence bound (default 2.6). */
  beta?: number;
}

/** The option keys the BayesianOptimizationOracle reads. */
export const BAYESIAN_OPTION_KEYS = [...ORACLE_OPTION_KEYS, ...optionKeys<Omit<BayesianOptions, keyof OracleOptions>>({ numInitialPoints: true, alpha: true, beta: true })];

const NUM_RANDOM_STARTS = 50;
const NUM_REFINED = 5;

export class BayesianOptimizationOracle extends Oracle {
  readonly kind = 'BayesianOptimization';
  override optionKeys(): readonly string[] {
    return BAYESIAN_OPTION_KEYS;
  }
  readonly numInitialPoints: number | undefined;
  readonly alpha: number;
  readonly beta: number;

  constructor(opts: BayesianOptions = {}) {
    super({ maxTrials: 10, ...opts });
    this.numInitialPoints = opts.numInitialPoints;
    this.alpha = opts.alpha ?? 1e-4;
    this.beta = opts.beta ?? 2.6;
    if (this.numInitialPoints !== undefined && !(Number.isInteger(this.numInitialPoints) && this.numInitialPoints >= 1)) {
      throw new Error(`numInitialPoints must be a positive integer (got ${this.numInitialPoints}).`);
    }
    if (!(this.alpha > 0)) throw new Error(`alpha must be > 0 (got ${this.alpha}).`);
    if (!(this.beta >= 0)) throw new Error(`beta must be >= 0 (got ${this.beta}).`);
  }

  override settings(): Record<string, unknown> {
    return { ...super.settings(), numInitialPoints: this.numInitialPoints ?? null, alpha: this.alpha, beta: this.beta };
  }

  protected populateSpace(): PopulateResult {
    const space = this.hyperparameters.space;
    const completed = [...this.trials.values()].filter((t) => t.status === 'COMPLETED' && t.score !== null && Number.isFinite(t.score));
    const initial = this.numInitialPoints ?? Math.max(3 * space.length, 3);
    const dims = space.filter((s) => s.type !== 'fixed');
    if (completed.length < initial || dims.length === 0) return this.random();

    const sign = this.objective.direction === 'max' ? -1 : 1;
    const x = completed.map((t) => encode(dims, t.hyperparameters.values));
    const y = completed.map((t) => sign * t.score!);
    let gp = new GaussianProcess(this.alpha).fit(x, y);
    // Running trials (other workers) are "hallucinated" at a pessimistic value so the next pick differs.
    const running = [...this.ongoing.values()].map((id) => this.trials.get(id)!).filter(Boolean);
    if (running.length > 0) {
      for (const t of running) {
        const p = encode(dims, t.hyperparameters.values);
        const { mean, std } = gp.predict(p);
        x.push(p);
        y.push(mean + std);
      }
      gp = new GaussianProcess(this.alpha).fit(x, y);
    }
    const acquisition = (p: number[]): number => {
      const { mean, std } = gp.predict(p);
      return mean - this.beta * std;
    };

    const starts: Array<{ p: number[]; v: number }> = [];
    for (let i = 0; i < NUM_RANDOM_STARTS; i++) {
      const p = dims.map(() => this.rng.next());
      starts.push({ p, v: acquisition(p) });
    }
    starts.sort((a, b) => a.v - b.v);
    const refined = starts.slice(0, NUM_REFINED).map((s) => minimizeInBox(acquisition, s.p, s.v));
    const candidates = [...refined, ...starts].sort((a, b) => a.v - b.v);
    // KerasTuner does not check duplicates here; we skip configurations already tried.
    for (const c of candidates) {
      const values = decode(space, c.p);
      if (!this.triedSoFar.has(valuesKey(values))) return { status: 'RUNNING', values };
    }
    return this.random();
  }

  private random(): PopulateResult {
    const values = this.randomValues();
    if (values) return { status: 'RUNNING', values };
    return { status: this.ongoing.size > 0 ? 'IDLE' : 'STOPPED' };
  }
}

/** Each tunable hyperparameter → one coordinate in [0,1]; inactive ones sit at their default. */
export function encode(dims: HyperParameterSpec[], values: Record<string, HyperValue>): number[] {
  return dims.map((spec) => {
    const v = spec.name in values ? values[spec.name] : defaultValue(spec);
    const p = valueToProb(spec, v);
    return Number.isFinite(p) ? p : 0;
  });
}

/** A point in [0,1]^d → values of the active hyperparameters (parents first, so conditions resolve). */
export function decode(space: HyperParameterSpec[], point: number[]): Record<string, HyperValue> {
  const hp = HyperParameters.fromConfig({ space, values: {} });
  let d = 0;
  for (const spec of space) {
    const coord = spec.type === 'fixed' ? 0.5 : point[d++];
    if (hp.isActive(spec) && !hp.has(spec.name)) hp.setValue(spec.name, probToValue(spec, Math.min(coord, 1 - 1e-12)));
  }
  return hp.values;
}

/** Bounded pattern search: a derivative-free stand-in for L-BFGS-B on the (cheap) acquisition. */
function minimizeInBox(f: (p: number[]) => number, start: number[], startValue: number): { p: number[]; v: number } {
  let p = [...start];
  let v = startValue;
  let step = 0.1;
  while (step > 1e-4) {
    let improved = false;
    for (let i = 0; i < p.length; i++) {
      for (const dir of [1, -1]) {
        const q = [...p];
        q[i] = Math.min(1, Math.max(0, q[i] + dir * step));
        if (q[i] === p[i]) continue;
        const fq = f(q);
        if (fq < v) {
          p = q;
          v = fq;
          improved = true;
          break;
        }
      }
    }
    if (!improved) step /= 2;
  }
  return { p, v };
}
