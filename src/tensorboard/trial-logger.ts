/**
 * TensorBoard logs for a search, laid out like KerasTuner's:
 *   <logdir>/                              experiment (search space + metrics) for the HPARAMS tab
 *   <logdir>/<trialId>/execution<i>/       hparams session: the trial's values, score, end status
 *   <logdir>/<trialId>/execution<i>/train/       epoch_loss, epoch_accuracy... per epoch
 *   <logdir>/<trialId>/execution<i>/validation/  the val_ metrics, as epoch_loss, epoch_accuracy...
 * Executions of one trial form one session group (named by the trial id), so TensorBoard averages them.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TensorBoardCallback } from './callback.js';
import { readEventFileSync } from './event-reader.js';
import {
  EXPERIMENT_TAG,
  HPARAMS_PLUGIN_NAME,
  SCORE_METRIC,
  SESSION_END_INFO_TAG,
  SESSION_START_INFO_TAG,
  experimentContent,
  sessionEndContent,
  sessionStartContent,
  type ExperimentOptions,
  type TrialEndStatus,
} from './hparams.js';
import { RunWriter } from './run-writer.js';
import type { HyperParameterSpec, HyperValue } from './types.js';

function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

/** True when the file holds nothing but the version event and `_hparams_/experiment` summaries. */
function isExperimentOnlyFile(path: string): boolean {
  const { events } = readEventFileSync(path);
  return events.every((e) => e.fileVersion !== undefined ||
    (e.summary?.value ?? []).every((v) => v.tag === EXPERIMENT_TAG));
}

export interface HparamsExperimentOptions extends ExperimentOptions {
  /** Add the `score` metric (written by `TrialLogger.end(status, {score})`). Default true. */
  score?: boolean;
}

/**
 * Writes the hparams experiment (every hyperparameter's domain, and the metrics to tabulate) into the
 * top-level run of `logdir`. `metricNames` are fit log names (`loss`, `val_accuracy`...); the trial
 * `score` is added unless `opts.score` is false. TensorBoard keeps the first experiment it sees, so an
 * earlier experiment file written here (e.g. before a resumed search grew its space) is replaced.
 */
export async function writeHparamsExperiment(
  logdir: string,
  space: HyperParameterSpec[],
  metricNames: string[],
  opts: HparamsExperimentOptions = {},
): Promise<void> {
  const metrics = opts.score === false ? metricNames : [...metricNames.filter((m) => m !== SCORE_METRIC), SCORE_METRIC];
  const content = experimentContent(space, metrics, opts);
  let previous: string[] = [];
  try {
    previous = readdirSync(logdir).filter(isEventFileName).map((n) => join(logdir, n)).filter(isExperimentOnlyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const run = new RunWriter(logdir);
  run.pluginSummary(EXPERIMENT_TAG, HPARAMS_PLUGIN_NAME, content);
  run.close();
  for (const path of previous) rmSync(path, { force: true });
}

export interface TrialEndOptions {
  /** The execution's score (its best objective value); written as scalar `score` in the session run. */
  score?: number | null;
  /** Step of the score (e.g. its best epoch); default 0. */
  step?: number;
}

/** One trial execution's TensorBoard session: construct, pass `callback()` to fit, then `end(status)`. */
export class TrialLogger {
  /** `<logdir>/<trialId>/execution<execution>`, the hparams session run. */
  readonly sessionDir: string;
  private readonly session: RunWriter;
  private readonly callbacks: TensorBoardCallback[] = [];
  private ended = false;

  /** Writes the session start (the trial's hyperparameter values) immediately. */
  constructor(logdir: string, readonly trialId: string, readonly execution: number, hparams: Record<string, HyperValue>) {
    if (!trialId || /[\\/]/.test(trialId) || trialId === '.' || trialId === '..') {
      throw new Error(`TrialLogger: trialId "${trialId}" cannot name a directory; use e.g. "0001"`);
    }
    if (!Number.isInteger(execution) || execution < 0) {
      throw new Error(`TrialLogger: execution must be an integer >= 0, got ${execution}`);
    }
    this.sessionDir = join(logdir, trialId, `execution${execution}`);
    this.session = new RunWriter(this.sessionDir);
    this.session.pluginSummary(SESSION_START_INFO_TAG, HPARAMS_PLUGIN_NAME, sessionStartContent(hparams, trialId));
  }

  /** A callback for this execution's `fit`: epoch scalars into `train/` and `validation/`. */
  callback(): TensorBoardCallback {
    if (this.ended) throw new Error(`TrialLogger: trial ${this.trialId} execution ${this.execution} has already ended`);
    const cb = new TensorBoardCallback(this.sessionDir);
    this.callbacks.push(cb);
    return cb;
  }

  /**
   * Closes the execution's files and records how it ended (and its score, when given), so the
   * HPARAMS tab shows the status. Only the first call writes; later calls do nothing.
   */
  async end(status: TrialEndStatus, opts: TrialEndOptions = {}): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (const cb of this.callbacks) cb.close();
    try {
      if (typeof opts.score === 'number') this.session.scalars(opts.step ?? 0, { [SCORE_METRIC]: opts.score });
      this.session.pluginSummary(SESSION_END_INFO_TAG, HPARAMS_PLUGIN_NAME, sessionEndContent(status));
    } finally {
      this.session.close();
    }
  }
}
