/**
 * The tuners the package exports: src/tuners' built-in tuners given the TensorBoard integration, so that
 * `search({tensorboard: dir})` works for everyone who imports the package. The search itself never
 * imports TensorBoard; this is where the two are put together, explicitly (no module side effect).
 */
import * as builtin from './tuners/builtin-tuners.js';
import type { TunerOptions } from './tuners/tuner-options.js';
import { tensorBoardIntegration } from './tensorboard/tuner-integration.js';

/** The options with the TensorBoard integration, unless they name their own (missing options stay missing: the Tuner says what is needed). */
function withTensorBoard<O extends TunerOptions>(opts: O): O {
  return opts && { tensorBoardIntegration, ...opts };
}

type Options<T extends abstract new (opts: never) => unknown> = ConstructorParameters<T>[0];

export class RandomSearch extends builtin.RandomSearch {
  constructor(opts: Options<typeof builtin.RandomSearch>) {
    super(withTensorBoard(opts));
  }
}

export class GridSearch extends builtin.GridSearch {
  constructor(opts: Options<typeof builtin.GridSearch>) {
    super(withTensorBoard(opts));
  }
}

export class Hyperband extends builtin.Hyperband {
  constructor(opts: Options<typeof builtin.Hyperband>) {
    super(withTensorBoard(opts));
  }
}

export class BayesianOptimization extends builtin.BayesianOptimization {
  constructor(opts: Options<typeof builtin.BayesianOptimization>) {
    super(withTensorBoard(opts));
  }
}

/** Asynchronous successive halving: promotes as soon as a trial is in its rung's top 1/factor (best with workers > 1). */
export class ASHA extends builtin.ASHA {
  constructor(opts: Options<typeof builtin.ASHA>) {
    super(withTensorBoard(opts));
  }
}

/** BOHB: Hyperband whose fresh configurations come from a density model of the results so far (Falkner et al. 2018). */
export class BOHB extends builtin.BOHB {
  constructor(opts: Options<typeof builtin.BOHB>) {
    super(withTensorBoard(opts));
  }
}
