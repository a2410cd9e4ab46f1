/**
 * `tensorBoardCallback(logdir)`: Keras's TensorBoard callback for tfjs `model.fit` / `fitDataset`.
 * At each epoch end it writes every log as a scalar, `loss` to `<logdir>/train` as `epoch_loss` and
 * `val_loss` to `<logdir>/validation` as `epoch_loss`, at step = epoch (so `initialEpoch` continues a
 * curve). With `hparams`, `<logdir>` also becomes an hparams session: its values are written when
 * training begins and its end status (success) when training ends.
 */
import tf from '../tf.cjs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HPARAMS_PLUGIN_NAME, SESSION_END_INFO_TAG, SESSION_START_INFO_TAG, sessionEndContent, sessionStartContent } from './hparams.js';
import { scalarNameForLog, type ScalarRun } from './metric-names.js';
import { RunWriter } from './run-writer.js';
import type { HyperValue } from './types.js';
import { checkOptionKeys } from '../util/option-keys.js';

export interface TensorBoardCallbackOptions {
  /** Hyperparameter values of this run: makes `logdir` an hparams session (HPARAMS tab). */
  hparams?: Record<string, HyperValue>;
  /**
   * Session group for the HPARAMS tab (sessions of one group are aggregated). Default, as in
   * TensorBoard's Python API: a hash of the hyperparameter values, so repeats of a setting group up.
   */
  groupName?: string;
}

/** sha256 of the values as canonical JSON (sorted keys), like hparams/summary_v2.py's default group. */
function hparamsGroupName(hparams: Record<string, HyperValue>): string {
  const sorted = Object.fromEntries(Object.keys(hparams).sort().map((k) => [k, hparams[k]]));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

type LogValue = number | tf.Scalar | tf.Tensor | undefined;

async function resolveLog(value: LogValue): Promise<number | undefined> {
  if (typeof value === 'number') return value;
  if (value instanceof tf.Tensor) return (await value.data())[0];
  return undefined;
}

export class TensorBoardCallback extends tf.Callback {
  readonly logdir: string;
  private readonly runs: Record<ScalarRun, RunWriter>;
  private readonly session: RunWriter | null;
  private readonly hparams: Record<string, HyperValue> | undefined;
  private readonly groupName: string;
  private sessionStarted = false;

  constructor(logdir: string, opts: TensorBoardCallbackOptions = {}) {
    super();
    if (typeof logdir !== 'string' || logdir === '') {
      throw new Error('tensorBoardCallback: logdir must be a non-empty directory path, e.g. "logs/run1"');
    }
    checkOptionKeys('tensorBoardCallback()', opts, ['hparams', 'groupName'], {
      notes: { logDir: 'the log folder is the first argument: tensorBoardCallback(logdir, options).', updateFreq: 'logs are written at every epoch end.', histogramFreq: 'only scalars (and hparams) are written.' },
    });
    this.logdir = logdir;
    this.runs = { train: new RunWriter(join(logdir, 'train')), validation: new RunWriter(join(logdir, 'validation')) };
    this.hparams = opts.hparams;
    this.session = opts.hparams ? new RunWriter(logdir) : null;
    this.groupName = opts.groupName ?? (opts.hparams ? hparamsGroupName(opts.hparams) : '');
    // tfjs wraps plain objects mixed into a callbacks array in a CustomCallback that calls these
    // methods unbound; binding keeps the callback working in either form.
    this.onTrainBegin = this.onTrainBegin.bind(this);
    this.onEpochEnd = this.onEpochEnd.bind(this);
    this.onTrainEnd = this.onTrainEnd.bind(this);
  }

  /** Path of the event file each run currently writes, or null before its first write. */
  get eventFiles(): { train: string | null; validation: string | null; session: string | null } {
    return { train: this.runs.train.path, validation: this.runs.validation.path, session: this.session?.path ?? null };
  }

  override async onTrainBegin(): Promise<void> {
    if (this.session && this.hparams && !this.sessionStarted) {
      this.session.pluginSummary(SESSION_START_INFO_TAG, HPARAMS_PLUGIN_NAME, sessionStartContent(this.hparams, this.groupName));
      this.sessionStarted = true;
    }
  }

  override async onEpochEnd(epoch: number, logs?: Record<string, LogValue>): Promise<void> {
    const byRun: Record<ScalarRun, Record<string, number>> = { train: {}, validation: {} };
    for (const [key, raw] of Object.entries(logs ?? {})) {
      const value = await resolveLog(raw);
      if (value === undefined) continue;
      const { run, tag } = scalarNameForLog(key);
      byRun[run][tag] = value;
    }
    this.writeScalars(epoch, byRun);
  }

  /** Writes one step's scalars; also usable without `fit` (e.g. a custom training loop). */
  writeScalars(step: number, byRun: Partial<Record<ScalarRun, Record<string, number>>>): void {
    for (const run of ['train', 'validation'] as const) {
      const values = byRun[run];
      if (values) this.runs[run].scalars(step, values);
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.session && this.sessionStarted) {
      this.session.pluginSummary(SESSION_END_INFO_TAG, HPARAMS_PLUGIN_NAME, sessionEndContent('COMPLETED'));
    }
    this.close();
  }

  /** Closes the event files; writing again (another `fit`) starts new files in the same runs. */
  close(): void {
    this.runs.train.close();
    this.runs.validation.close();
    this.session?.close();
  }
}

/** Keras-style TensorBoard callback for `model.fit(..., {callbacks: [tensorBoardCallback('logs/run1')]})`. */
export function tensorBoardCallback(logdir: string, opts?: TensorBoardCallbackOptions): TensorBoardCallback {
  return new TensorBoardCallback(logdir, opts);
}
