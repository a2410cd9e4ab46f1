/** The search-space types this area reads; owned by src/tuners. */
export type { Sampling, HyperValue, Condition, HyperParameterSpec } from '../tuners/hyperparameters.js';
