/**
 * `search({earlyStopping})`: Keras's EarlyStopping as a plain, serializable spec, so that it reaches
 * trial workers too (a callback object cannot cross to a worker thread). Each trial execution gets a
 * fresh callback built from it.
 *
 * Why not tf.callbacks.earlyStopping: tfjs 4.22's differs from Keras's where it matters here. It looks
 * up `val_accuracy` literally (tfjs logs `val_acc`), so it only warns every epoch and never stops; its
 * 'auto' mode says "max" for any name containing "acc" and "min" for everything else (auc, precision:
 * min); with a baseline it starts from the baseline instead of Keras's "improvements only reset the
 * wait when they also beat the baseline"; and it may stop on the first epoch, which Keras never does.
 */
import tf from '../tf.cjs';
import { checkOptionKeys, optionKeys } from '../util/option-keys.js';
import { inferDirection, knownMetricDidYouMean, metricDidYouMean, resolveMetricKey, type Direction, type Objective } from './objective.js';

export interface EarlyStoppingSpec {
  /** Metric to watch (default: the tuner's objective, e.g. 'val_loss' or 'val_accuracy'). */
  monitor?: string;
  /** Epochs without improvement after which a trial's training stops (an integer >= 0; Keras's default is 0). */
  patience: number;
  /** An improvement smaller than this does not count (default 0). */
  minDelta?: number;
  /**
   * 'min' or 'max'; 'auto' (default) takes the objective's direction when monitoring the objective,
   * otherwise infers it from the metric's name (losses min, accuracies max).
   */
  mode?: 'auto' | 'min' | 'max';
  /** Stop unless the metric beats this value within `patience` epochs. */
  baseline?: number;
}

/** A checked spec with every default filled in. */
export interface ResolvedEarlyStopping {
  monitor: string;
  patience: number;
  minDelta: number;
  direction: Direction;
  baseline?: number;
}

const SPEC_KEYS = optionKeys<EarlyStoppingSpec>({ monitor: true, patience: true, minDelta: true, mode: true, baseline: true });
/** Keras EarlyStopping arguments we have no option for. */
const SPEC_NOTES = {
  restoreBestWeights: 'the tuner already keeps each trial\'s best epoch: there is no restoreBestWeights to set.',
  startFromEpoch: 'there is no startFromEpoch: raise patience instead.',
  verbose: 'there is no verbose: the trial\'s line says how many epochs it trained.',
};

/** Checks a spec (errors name the option and say what to write) and fills in its defaults. */
export function resolveEarlyStopping(spec: unknown, objective: Objective): ResolvedEarlyStopping {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(`earlyStopping must be an object such as { patience: 5 } or { monitor: "val_loss", patience: 5, minDelta: 0.001 } (got ${JSON.stringify(spec)}).`);
  }
  const s = spec as Record<string, unknown>;
  checkOptionKeys('earlyStopping', s, SPEC_KEYS, { notes: SPEC_NOTES });
  if (!(typeof s.patience === 'number' && Number.isInteger(s.patience) && s.patience >= 0)) {
    throw new Error(`earlyStopping.patience must be a whole number of epochs >= 0 (got ${JSON.stringify(s.patience)}).`);
  }
  if (s.minDelta !== undefined && !(typeof s.minDelta === 'number' && Number.isFinite(s.minDelta) && s.minDelta >= 0)) {
    throw new Error(`earlyStopping.minDelta must be a number >= 0 (got ${JSON.stringify(s.minDelta)}).`);
  }
  if (s.baseline !== undefined && !(typeof s.baseline === 'number' && Number.isFinite(s.baseline))) {
    throw new Error(`earlyStopping.baseline must be a finite number (got ${JSON.stringify(s.baseline)}).`);
  }
  if (s.monitor !== undefined && !(typeof s.monitor === 'string' && s.monitor.length > 0)) {
    throw new Error(`earlyStopping.monitor must be a metric name such as "val_loss" (got ${JSON.stringify(s.monitor)}).`);
  }
  const mode = s.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
    throw new Error(`earlyStopping.mode must be "auto", "min" or "max" (got ${JSON.stringify(s.mode)}).`);
  }
  const monitor = (s.monitor as string | undefined) ?? objective.name;
  let direction: Direction | undefined = mode === 'auto' ? undefined : mode;
  if (direction === undefined) direction = monitor === objective.name ? objective.direction : inferDirection(monitor);
  if (direction === undefined) {
    throw new Error(`earlyStopping: cannot tell whether "${monitor}" should go down or up.${knownMetricDidYouMean(monitor)} ` +
      `For a metric of your own, pass mode: "min" or "max" with monitor "${monitor}".`);
  }
  const resolved: ResolvedEarlyStopping = { monitor, patience: s.patience, minDelta: (s.minDelta as number | undefined) ?? 0, direction };
  if (s.baseline !== undefined) resolved.baseline = s.baseline as number;
  return resolved;
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number((v as tf.Scalar)?.dataSync?.()[0] ?? v);
}

/**
 * Keras's EarlyStopping rule (keras/src/callbacks/early_stopping.py): an epoch improves when it beats
 * the best so far by more than minDelta; `wait` counts epochs since the last improvement (an
 * improvement resets it only if it also beats the baseline); an epoch that does not improve stops
 * training once wait >= patience, never on epoch 0. A monitor the fit does not log is a configuration error, not a silent no-op.
 */
export class EarlyStoppingCallback extends tf.Callback {
  /** Set (and training stopped) when the monitored metric is not in the logs; the tuner throws it. */
  fatal: Error | null = null;
  /** The (absolute) epoch at which this callback stopped training, or null. */
  stoppedEpoch: number | null = null;
  private wait = 0;
  private best: number | null = null;
  private key: string | undefined;

  constructor(readonly spec: ResolvedEarlyStopping, private readonly makeError: (message: string) => Error = (m) => new Error(m)) {
    super();
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.best = null;
    this.stoppedEpoch = null;
  }

  private improves(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    const { direction, minDelta } = this.spec;
    return direction === 'min' ? value + minDelta < reference : value - minDelta > reference;
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    const values = logs ?? {};
    this.key ??= resolveMetricKey(this.spec.monitor, values);
    if (this.key === undefined || !(this.key in values)) {
      this.fatal = this.makeError(`earlyStopping.monitor "${this.spec.monitor}" is not among the metrics fit logs: ${Object.keys(values).join(', ') || 'none'}.` +
        `${metricDidYouMean(this.spec.monitor, Object.keys(values))} ` +
        'Monitor one of those (the default is the objective)' + (this.spec.monitor.startsWith('val_') ? ', and give validation data for val_ metrics.' : '.'));
      this.model.stopTraining = true;
      return;
    }
    const current = toNumber(values[this.key]);
    this.wait++;
    if (this.improves(current, this.best)) {
      this.best = current;
      if (this.spec.baseline === undefined || this.improves(current, this.spec.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.spec.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }
}
