/**
 * The built-in CNN as a hypermodel module: worker threads (search({workers})) cannot receive a function,
 * so they import this file and call `cnnHypermodel(options)` with the JSON options.
 */
import { fileURLToPath } from 'node:url';
import type { HyperParameters } from '../tuners/hyperparameters.js';
import { buildCnn, type CnnOptions } from './cnn.js';

/** A factory: `(options) => (hp) => buildCnn(hp, options)`. */
export function cnnHypermodel(options: CnnOptions) {
  return (hp: HyperParameters) => buildCnn(hp, options);
}

/** `{module, exportName}` of cnnHypermodel, for `hypermodel:` with `hypermodelOptions: CnnOptions`. */
export const CNN_HYPERMODEL_MODULE = { module: fileURLToPath(import.meta.url), exportName: 'cnnHypermodel' } as const;
