/** tfjs-tuner search: the search space, oracles, tuners and their on-disk store. */
export { HyperParameters, defaultValue } from './hyperparameters.js';
export type { Sampling, HyperValue, Condition, HyperParameterSpec, HyperParametersConfig, NumberOptions, ConditionOptions } from './hyperparameters.js';
export { probToValue, valueToProb, gridValues } from './sampling.js';
export { Rng } from './rng.js';
