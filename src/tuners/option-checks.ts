/**
 * The tuner's and search()'s option keys, checked like every options object of the package: a KerasTuner
 * spelling (`max_trials`), a typo or an option of the other call is an error that says what to write.
 */
import { checkOptionKeys, optionKeys } from '../util/option-keys.js';
import type { OracleOptions } from './oracle.js';
import { HYPERBAND_OPTION_KEYS } from './oracles/hyperband.js';
import { BOHB_OPTION_KEYS } from './oracles/bohb.js';
import { ASHA_OPTION_KEYS } from './oracles/asha.js';
import { BAYESIAN_OPTION_KEYS } from './oracles/bayesian.js';
import type { SearchOptions, TunerOptions } from './tuner-options.js';

export const TUNER_OPTION_KEYS = optionKeys<Omit<TunerOptions, keyof OracleOptions>>({
  hypermodel: true, hypermodelOptions: true, storage: true, directory: true, projectName: true, overwrite: true,
  executionsPerTrial: true, verbose: true, display: true, tunerId: true, deterministic: true, tensorBoardIntegration: true,
});

export const SEARCH_OPTION_KEYS = optionKeys<SearchOptions>({
  validationData: true, validationSplit: true, epochs: true, batchSize: true, shuffle: true, callbacks: true,
  earlyStopping: true, tensorboard: true, trialCallbacks: true, workers: true, workerBackend: true, workerMemoryMb: true,
  maxTime: true,
});

/** KerasTuner's tuner arguments we have no option for, and what to do instead. */
const TUNER_NOTES: Record<string, string> = {
  maxModelSize: 'the built-in CNN keeps its weights under maxParams (buildCnn\'s option; hypermodelOptions: {maxParams} for the module hypermodel; default 4,000,000).',
  distributionStrategy: 'to train trials in parallel, pass search(data, {workers: N}).',
  logger: 'there is no logger: pass display (a TunerDisplay), or verbose: 0 to print nothing.',
  oracle: 'the tuner class picks its oracle (RandomSearch, Hyperband, ...); new Tuner(oracle, options) takes one as its first argument.',
};

/** model.fit arguments (KerasTuner's search() passes them on) we have no option for. */
const FIT_ONLY = 'not an option of search(): write a hypermodel object whose fit(hp, model, data, options) passes it to model.fit.';
const SEARCH_NOTES: Record<string, string> = {
  x: 'search(data, options) takes the training data as its first argument ({xs, ys} tensors, a tf.data.Dataset or a DirectoryIterator).',
  y: 'search(data, options) takes the training data as its first argument: {xs, ys} tensors hold the labels.',
  classWeight: `${FIT_ONLY} (DirectoryIterator.classWeights() computes balanced weights.)`,
  sampleWeight: FIT_ONLY, stepsPerEpoch: FIT_ONLY, validationSteps: FIT_ONLY, initialEpoch: 'Hyperband sets each trial\'s initial epoch (tuner/initial_epoch).',
  validationBatchSize: FIT_ONLY, validationFreq: FIT_ONLY,
  useMultiprocessing: 'to train trials in parallel, pass workers: N.',
};

/** The built-in tuners' own options: one given to another tuner names those that take it. */
const OTHER_TUNERS: Record<string, readonly string[]> = {
  Hyperband: HYPERBAND_OPTION_KEYS, BOHB: BOHB_OPTION_KEYS, ASHA: ASHA_OPTION_KEYS, BayesianOptimization: BAYESIAN_OPTION_KEYS,
};

function otherTunerNotes(name: string, allowed: readonly string[]): Record<string, string> {
  const takers = new Map<string, string[]>();
  for (const [tuner, keys] of Object.entries(OTHER_TUNERS)) {
    for (const key of keys) if (!allowed.includes(key)) takers.set(key, [...(takers.get(key) ?? []), tuner]);
  }
  return Object.fromEntries([...takers].map(([key, tuners]) => [key, `${key} is an option of ${tuners.join(', ')}, not of ${name}.`]));
}

/** Checks the options of `new <name>(options)`: the tuner's own and those its oracle reads. */
export function checkTunerOptions(name: string, opts: object, oracleKeys: readonly string[]): void {
  const allowed = [...TUNER_OPTION_KEYS, ...oracleKeys];
  checkOptionKeys(`new ${name}()`, opts, allowed, {
    reference: 'KerasTuner', notes: { ...otherTunerNotes(name, allowed), ...TUNER_NOTES },
    elsewhere: { where: 'search(): tuner.search(data, {...})', keys: SEARCH_OPTION_KEYS },
  });
}

/** Checks the options of `tuner.search(data, options)`. */
export function checkSearchOptions(tunerName: string, opts: object, oracleKeys: readonly string[]): void {
  checkOptionKeys('search()', opts, SEARCH_OPTION_KEYS, {
    reference: 'KerasTuner', notes: SEARCH_NOTES,
    elsewhere: { where: `the tuner: new ${tunerName}({...})`, keys: [...TUNER_OPTION_KEYS, ...oracleKeys] },
  });
}
