/**
 * Maps between a hyperparameter's values and probabilities in [0, 1), exactly as KerasTuner's
 * prob_to_value / value_to_prob do. Random search draws p uniformly; the Bayesian oracle works in this
 * [0, 1] space; grid search enumerates `gridValues`.
 */
import type { HyperParameterSpec, HyperValue, Sampling } from './hyperparameter-spec.js';

type NumericSpec = Extract<HyperParameterSpec, { type: 'int' | 'float' }>;

const SAMPLINGS: Sampling[] = ['linear', 'log', 'reverseLog'];

/** Throws a clear error for a spec that cannot be sampled. */
export function validateSpec(spec: HyperParameterSpec): void {
  const where = `Hyperparameter "${spec.name}"`;
  if (spec.type === 'int' || spec.type === 'float') {
    if (!Number.isFinite(spec.min) || !Number.isFinite(spec.max)) throw new Error(`${where}: min and max must be finite numbers.`);
    if (spec.min > spec.max) throw new Error(`${where}: min (${spec.min}) is greater than max (${spec.max}).`);
    if (spec.type === 'int' && (!Number.isInteger(spec.min) || !Number.isInteger(spec.max))) {
      throw new Error(`${where}: an int needs integer min and max (got ${spec.min}, ${spec.max}); use hp.float for real values.`);
    }
    if (!SAMPLINGS.includes(spec.sampling)) {
      const python = (spec.sampling as string) === 'reverse_log' ? ' ("reverse_log" is the KerasTuner (Python) spelling: write "reverseLog")' : '';
      throw new Error(`${where}: sampling must be one of ${SAMPLINGS.join(', ')} (got "${spec.sampling}")${python}.`);
    }
    if (spec.sampling !== 'linear' && spec.min <= 0) {
      throw new Error(`${where}: ${spec.sampling} sampling needs min > 0 (got ${spec.min}).`);
    }
    if (spec.step !== undefined) {
      if (!(spec.step > 0) || !Number.isFinite(spec.step)) throw new Error(`${where}: step must be a positive number (got ${spec.step}).`);
      if (spec.sampling !== 'linear' && spec.step <= 1) {
        throw new Error(`${where}: with ${spec.sampling} sampling the step multiplies, so it must be > 1 (got ${spec.step}).`);
      }
      if (spec.type === 'int' && !Number.isInteger(spec.step)) throw new Error(`${where}: an int step must be an integer (got ${spec.step}).`);
    }
    if (spec.default !== undefined && (spec.default < spec.min || spec.default > spec.max)) {
      throw new Error(`${where}: default ${spec.default} is outside [${spec.min}, ${spec.max}].`);
    }
  } else if (spec.type === 'choice') {
    if (!Array.isArray(spec.values) || spec.values.length === 0) throw new Error(`${where}: choice needs a non-empty list of values.`);
    const kind = typeof spec.values[0];
    if (!['string', 'number', 'boolean'].includes(kind) || spec.values.some((v) => typeof v !== kind)) {
      throw new Error(`${where}: choice values must all be numbers, all strings or all booleans (got ${JSON.stringify(spec.values)}).`);
    }
    if (new Set(spec.values).size !== spec.values.length) throw new Error(`${where}: choice values must be unique (got ${JSON.stringify(spec.values)}).`);
    if (spec.ordered && kind !== 'number') throw new Error(`${where}: only numeric choices can be ordered.`);
    if (spec.default !== undefined && !spec.values.includes(spec.default)) {
      throw new Error(`${where}: default ${JSON.stringify(spec.default)} is not one of ${JSON.stringify(spec.values)}.`);
    }
  } else if (spec.type === 'boolean') {
    if (spec.default !== undefined && typeof spec.default !== 'boolean') {
      throw new Error(`${where}: a boolean default must be true or false (got ${JSON.stringify(spec.default)}).`);
    }
  } else if (spec.type === 'fixed') {
    if (!['string', 'number', 'boolean'].includes(typeof spec.value)) throw new Error(`${where}: a fixed value must be a string, number or boolean.`);
  }
}

/** KerasTuner's _sample_numerical_value: p in [0,1] → the continuous range [min, max]. */
function scale(sampling: Sampling, min: number, max: number, p: number): number {
  if (sampling === 'linear') return min + p * (max - min);
  if (sampling === 'log') return min * Math.pow(max / min, p);
  return max + min - min * Math.pow(max / min, 1 - p);
}

/** The inverse of `scale`. */
function unscale(sampling: Sampling, min: number, max: number, v: number): number {
  if (max === min) return 0.5;
  if (sampling === 'linear') return (v - min) / (max - min);
  if (sampling === 'log') return Math.log(v / min) / Math.log(max / min);
  return 1 - Math.log((max + min - v) / min) / Math.log(max / min);
}

/** How many values a stepped numeric hyperparameter has. */
function stepCount(spec: NumericSpec): number {
  const step = spec.step!;
  if (spec.sampling === 'linear') return Math.floor((spec.max - spec.min) / step + 1e-9) + 1;
  return Math.floor(Math.log(spec.max / spec.min) / Math.log(step) + 1e-9) + 1;
}

function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** KerasTuner's _get_value_by_index: reverse-log index 0 is max (max + min - min * step^i), not min. */
function steppedValue(spec: NumericSpec, index: number): number {
  const step = spec.step!;
  const value = spec.sampling === 'linear' ? spec.min + index * step
    : spec.sampling === 'log' ? spec.min * Math.pow(step, index)
      : spec.max + spec.min - spec.min * Math.pow(step, index);
  return spec.type === 'int' ? Math.round(value) : tidy(value);
}

function steppedIndex(spec: NumericSpec, value: number): number {
  const n = stepCount(spec);
  let best = 0;
  for (let i = 1; i < n; i++) if (Math.abs(steppedValue(spec, i) - value) < Math.abs(steppedValue(spec, best) - value)) best = i;
  return best;
}

const clampIndex = (p: number, n: number): number => Math.min(n - 1, Math.max(0, Math.floor(p * n)));

/** A probability in [0, 1) → a value of the hyperparameter. */
export function probToValue(spec: HyperParameterSpec, p: number): HyperValue {
  switch (spec.type) {
    case 'fixed':
      return spec.value;
    case 'boolean':
      return p >= 0.5;
    case 'choice':
      return spec.values[clampIndex(p, spec.values.length)];
    case 'int':
    case 'float':
      if (spec.step !== undefined) return steppedValue(spec, clampIndex(p, stepCount(spec)));
      if (spec.type === 'int') return Math.min(spec.max, Math.floor(scale(spec.sampling, spec.min, spec.max + 1, p)));
      return Math.min(spec.max, Math.max(spec.min, scale(spec.sampling, spec.min, spec.max, p)));
  }
}

/** A value → its probability; discrete values map to the centre of their bucket, (i + 0.5) / n. */
export function valueToProb(spec: HyperParameterSpec, value: HyperValue): number {
  switch (spec.type) {
    case 'fixed':
      return 0.5;
    case 'boolean':
      return value ? 0.75 : 0.25;
    case 'choice': {
      const i = Math.max(0, spec.values.indexOf(value));
      return (i + 0.5) / spec.values.length;
    }
    case 'int':
    case 'float': {
      const v = Number(value);
      if (spec.step !== undefined) return (steppedIndex(spec, v) + 0.5) / stepCount(spec);
      const p = spec.type === 'int' ? unscale(spec.sampling, spec.min, spec.max + 1, v + 0.5) : unscale(spec.sampling, spec.min, spec.max, v);
      return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
    }
  }
}

/**
 * Every value grid search tries, in order. A continuous float has no list of values, so like
 * KerasTuner it is cut into 10 buckets and each bucket's centre is tried.
 */
export function gridValues(spec: HyperParameterSpec): HyperValue[] {
  switch (spec.type) {
    case 'fixed':
      return [spec.value];
    case 'boolean':
      return [true, false]; // KerasTuner's Boolean.values
    case 'choice':
      return [...spec.values];
    case 'int':
    case 'float': {
      if (spec.step !== undefined) return Array.from({ length: stepCount(spec) }, (_, i) => steppedValue(spec, i));
      // No step (a float, or a log / reverse-log int): KerasTuner's 10 quantiles prob_to_value(0.05 + 0.1 i),
      // duplicates dropped. It keeps them in a Python set, in hash order; ours are ascending.
      const out: number[] = [];
      for (let i = 0; i < 10; i++) {
        const v = probToValue(spec, i * 0.1 + 0.05) as number;
        const value = spec.type === 'int' ? v : tidy(v);
        if (!out.includes(value)) out.push(value);
      }
      return out.sort((a, b) => a - b);
    }
  }
}
