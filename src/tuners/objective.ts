/**
 * What a search optimizes: a metric name and a direction. Like KerasTuner, a bare name gets its
 * direction inferred (losses are minimized, accuracies maximized); a name we cannot read is an error.
 */
import { closest, didYouMean } from '../util/did-you-mean.js';

export type Direction = 'min' | 'max';
export interface Objective { name: string; direction: Direction }
export type ObjectiveSpec = string | Objective;

const MIN_NAMES = new Set([
  'loss', 'crossentropy', 'ce', 'mse', 'mae', 'mape', 'msle', 'rmse', 'mean_squared_error', 'mean_absolute_error',
  'mean_absolute_percentage_error', 'mean_squared_logarithmic_error', 'binary_crossentropy', 'categorical_crossentropy',
  'sparse_categorical_crossentropy', 'hinge', 'squared_hinge', 'categorical_hinge', 'kld', 'kl_divergence',
  'kullback_leibler_divergence', 'poisson', 'cosine_proximity', 'logcosh', 'huber', 'error', 'err',
]);
const MAX_NAMES = new Set([
  'acc', 'accuracy', 'binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
  'top_k_categorical_accuracy', 'sparse_top_k_categorical_accuracy', 'auc', 'precision', 'recall', 'f1', 'f1_score',
  'r2', 'r2_score', 'cosine_similarity',
]);

/** 'min', 'max', or undefined when the name says nothing. Strips `val_` and `weighted_` like KerasTuner. */
export function inferDirection(metricName: string): Direction | undefined {
  const base = metricName.replace(/^val_/, '').replace(/^weighted_/, '').toLowerCase();
  if (MIN_NAMES.has(base) || base.endsWith('_loss') || base.endsWith('crossentropy') || base.endsWith('_error')) return 'min';
  if (MAX_NAMES.has(base) || base.endsWith('_accuracy') || base.endsWith('_acc')) return 'max';
  return undefined;
}

/** A name whose direction cannot be inferred is most often a typo of a known metric (val_acuracy): ' Did you mean "val_accuracy"?'. */
export function knownMetricDidYouMean(name: string): string {
  const prefix = name.startsWith('val_') ? 'val_' : '';
  const near = closest(name, [...MIN_NAMES, ...MAX_NAMES].map((n) => prefix + n));
  // f2 is not a typo of f1: names that differ only in digits are other metrics.
  return near === undefined || near.replace(/\d/g, '') === name.replace(/\d/g, '') ? '' : ` Did you mean "${near}"?`;
}

/** Normalizes an objective; throws for a name whose direction cannot be inferred. */
export function toObjective(spec: ObjectiveSpec | undefined): Objective {
  if (spec === undefined) return { name: 'val_loss', direction: 'min' };
  if (typeof spec === 'string') {
    const direction = inferDirection(spec);
    if (!direction) {
      throw new Error(`Could not infer optimization direction ("min" or "max") for objective "${spec}".${knownMetricDidYouMean(spec)} ` +
        `For a metric of your own, pass objective: { name: "${spec}", direction: "min" } (or "max").`);
    }
    return { name: spec, direction };
  }
  if (!spec || typeof spec.name !== 'string' || !spec.name) throw new Error('objective needs a metric name, e.g. "val_loss" or { name, direction }.');
  if (spec.direction !== 'min' && spec.direction !== 'max') {
    throw new Error(`objective "${spec.name}": direction must be "min" or "max" (got ${JSON.stringify(spec.direction)}).`);
  }
  return { name: spec.name, direction: spec.direction };
}

/** True when a is strictly better than b. NaN is never better; anything beats NaN/null. */
export function isBetter(objective: Objective, a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || a === undefined || Number.isNaN(a)) return false;
  if (b === null || b === undefined || Number.isNaN(b)) return true;
  return objective.direction === 'min' ? a < b : a > b;
}

/**
 * tfjs logs `acc`/`val_acc` for metrics: ['accuracy'] where Keras logs `accuracy`: find the key in `logs`
 * that holds the objective, trying those aliases.
 */
export function resolveMetricKey(name: string, logs: Record<string, unknown>): string | undefined {
  if (name in logs) return name;
  const prefix = name.startsWith('val_') ? 'val_' : '';
  const base = name.slice(prefix.length);
  const aliases: Record<string, string[]> = {
    accuracy: ['acc'], acc: ['accuracy'], categorical_accuracy: ['acc'], binary_accuracy: ['acc'],
    sparse_categorical_accuracy: ['acc'], crossentropy: ['loss'],
  };
  for (const alias of aliases[base] ?? []) if (prefix + alias in logs) return prefix + alias;
  return undefined;
}

/** ' Did you mean "val_accuracy"?' for a metric name that is not logged, knowing tfjs's acc for accuracy. */
export function metricDidYouMean(name: string, logged: readonly string[]): string {
  const names = [...new Set(logged.flatMap((k) => (k.endsWith('acc') ? [k, `${k}uracy`] : [k])))];
  return didYouMean(name, names);
}

export function describeObjective(o: Objective): string {
  return `Objective(name="${o.name}", direction="${o.direction}")`;
}
