/** The hypermodel of bench/tune.ts, as a module its worker threads import. */
import type { HyperParameters } from '../src/tuners/hyperparameters.js';
import { buildCnn, type CnnOptions } from '../src/models/index.js';

/** A factory: search({workers}) calls it in each worker with the JSON hypermodelOptions. */
export function cnnHypermodel(options: CnnOptions) {
  return (hp: HyperParameters) => buildCnn(hp, options);
}
