/**
 * Runs one TrialJob with a TrialRunner, the same way in the search's thread (SerialExecutor) and in a
 * worker thread: on a private oracle that holds the objective, seed and space the trial needs (the
 * search's oracle decides; this one only records), so both executors hand back the same result.
 */
import { HyperParameters } from '../hyperparameters.js';
import { Oracle, type OracleOptions, type PopulateResult } from '../oracle.js';
import { Trial, type TrialRecord } from '../trial.js';
import type { HyperParameterSpec } from '../hyperparameters.js';
import type { TrialRunner } from '../trial-runner.js';
import type { TrainData } from '../../contract/train-data.js';
import type { SearchOptions, TrialCallbackFactory } from '../tuner-options.js';
import type { TrialJob } from './executor.js';

/** Holds the objective, seed and search space a trial needs; the search's oracle decides. */
export class TrialOracle extends Oracle {
  readonly kind = 'TrialWorker';
  constructor(opts: Pick<OracleOptions, 'objective' | 'allowNewEntries' | 'tuneNewEntries'>) {
    super({ ...opts, seed: 1 });
  }
  protected populateSpace(): PopulateResult {
    throw new Error('A trial runner does not create trials.');
  }
}

/** A Trial for the job, registered in the runner's oracle (the runner records its results there). */
export function jobTrial(oracle: TrialOracle, job: TrialJob): Trial {
  const trial = Trial.fromRecord(job.trial);
  oracle.seed = job.seed;
  for (const spec of job.space) oracle.hyperparameters.declare(spec);
  trial.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: job.trial.hyperparameters.values });
  oracle.trials.clear();
  oracle.trials.set(trial.trialId, trial);
  return trial;
}

export async function runJob(
  runner: TrialRunner, oracle: TrialOracle, trial: Trial, data: TrainData, opts: SearchOptions, factories: TrialCallbackFactory[],
  deadline?: number,
): Promise<{ record: TrialRecord; space: HyperParameterSpec[] }> {
  await runner.run(trial, data, opts, factories, deadline);
  return { record: trial.toRecord(), space: oracle.hyperparameters.space };
}
