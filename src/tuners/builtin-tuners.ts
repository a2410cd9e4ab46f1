/** The built-in tuners: the Tuner with each oracle (KerasTuner's RandomSearch, GridSearch, Hyperband, BayesianOptimization, plus ASHA). */
import type { OracleOptions } from './oracle.js';
import { RandomSearchOracle } from './oracles/random-search.js';
import { GridSearchOracle } from './oracles/grid-search.js';
import { HyperbandOracle, type HyperbandOptions } from './oracles/hyperband.js';
import { BayesianOptimizationOracle, type BayesianOptions } from './oracles/bayesian.js';
import { ASHAOracle, type ASHAOptions } from './oracles/asha.js';
import { BOHBOracle, type BOHBOptions } from './oracles/bohb.js';
import { Tuner } from './tuner.js';
import type { TunerOptions } from './tuner-options.js';

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

/** BOHB: Hyperband whose fresh configurations come from a density model of the results so far (Falkner et al. 2018). */
export class BOHB extends Tuner {
  constructor(opts: WithHypermodel<BOHBOptions>) {
    super(new BOHBOracle(opts), opts);
  }
}
