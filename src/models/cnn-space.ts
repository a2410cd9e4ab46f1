/**
 * The search space of the configurable CNN (see cnn.ts) and how a caller narrows, widens or fixes it.
 *
 * Every hyperparameter is described by one of three shapes:
 * - a range `{min, max, step?, sampling?, default?}` (searched by hp.int / hp.float),
 * - a list `{values, default?}` (searched by hp.choice),
 * - a constant `{fixed}` (recorded by hp.fixed, never searched).
 * An override replaces the list or constant of the default space, and is merged onto a default range:
 * `{filters: {max: 64}}` keeps the default min and step and only raises the maximum.
 */
import type { Sampling } from '../tuners/hyperparameters.js';
import { didYouMean } from '../util/did-you-mean.js';

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'rmsprop', 'sgd'];

export interface RangeSpace { min?: number; max?: number; step?: number; sampling?: Sampling; default?: number }
export interface ValuesSpace<T> { values: readonly T[]; default?: T }
export interface FixedSpace<T> { fixed: T }
/** How one numeric hyperparameter is searched. */
export type NumberSpace = RangeSpace | ValuesSpace<number> | FixedSpace<number>;
/** How one categorical hyperparameter is searched. */
export type ChoiceSpace<T> = ValuesSpace<T> | FixedSpace<T>;

/** Per-block hyperparameters: `filters` here becomes `filters_1`, `filters_2`, ... in the trial. */
export interface BlockSpace {
  /** Convolution filters. Default: 4..64 step 4, default 4 (TOONVISION_RANGES: 4..32). */
  filters?: NumberSpace;
  /** Square convolution kernel size. Default: one of [3, 5], default 3. */
  kernel_size?: NumberSpace;
  /** Size of the block's second max pooling (the first is always 2); 1 = no second pooling. Default 1..2, default 2 (TOONVISION_RANGES: 1..4). */
  pool_size?: NumberSpace;
  /** Dropout rate after the pooling. Default 0..0.5 step 0.1, default 0 (TOONVISION_RANGES: 0..0.9). */
  dropout?: NumberSpace;
}

/** Overrides for the CNN search space. Anything left out keeps the default (see DEFAULT_CNN_SPACE). */
export interface CnnSpace extends BlockSpace {
  /** Number of conv blocks. Default 1..3, default 2. */
  num_blocks?: NumberSpace;
  /** Per-block overrides, index 0 = block 1; they win over the all-block settings above. */
  blocks?: ReadonlyArray<BlockSpace | undefined>;
  /** Units of the hidden dense layer before the output; 0 = none. Default one of [0, 32, 64, 128], default 0. */
  dense_units?: NumberSpace;
  /**
   * Dropout rate after the hidden dense layer, searched only while dense_units > 0 (Keras's classic CNN
   * puts 0.5 there). Default 0..0.5 step 0.1, default 0 (TOONVISION_RANGES: fixed 0).
   */
  dense_dropout?: NumberSpace;
  /** Default 1e-4..1e-2, log sampling, default 1e-3. */
  learning_rate?: NumberSpace;
  /** Default one of adam, rmsprop; default adam (TOONVISION_RANGES adds sgd). */
  optimizer?: ChoiceSpace<OptimizerName>;
}

export type NumberKind = 'int' | 'float';

interface NumberHp { kind: NumberKind; space: NumberSpace; lowest: number; highest?: number; below?: number }

/**
 * The default space: the hyperparameters the ToonVision article tuned, whose defaults are its hand-made
 * model, in ranges that train well in a few epochs. It holds the usual hand-made CNN (conv 32, conv 64,
 * dense 128) with filters up to 64 (ToonVision: 32), and leaves out what rarely learns in a short search:
 * a second pooling above 2 after the first (a 28x28 image is down to 3x3 after one block of 2 and 4),
 * dropout above 0.5 and plain SGD without momentum. TOONVISION_RANGES restores the article's ranges.
 */
export const DEFAULT_CNN_SPACE = {
  num_blocks: { kind: 'int', space: { min: 1, max: 3, step: 1, default: 2 }, lowest: 1 },
  filters: { kind: 'int', space: { min: 4, max: 64, step: 4, default: 4 }, lowest: 1 },
  kernel_size: { kind: 'int', space: { values: [3, 5], default: 3 }, lowest: 1 },
  pool_size: { kind: 'int', space: { min: 1, max: 2, step: 1, default: 2 }, lowest: 1 },
  dropout: { kind: 'float', space: { min: 0, max: 0.5, step: 0.1, default: 0 }, lowest: 0, below: 1 },
  dense_units: { kind: 'int', space: { values: [0, 32, 64, 128], default: 0 }, lowest: 0 },
  dense_dropout: { kind: 'float', space: { min: 0, max: 0.5, step: 0.1, default: 0 }, lowest: 0, below: 1 },
  learning_rate: { kind: 'float', space: { min: 1e-4, max: 1e-2, sampling: 'log', default: 1e-3 }, lowest: 0, highest: 10 },
} as const satisfies Record<string, NumberHp>;

export type NumberHpName = keyof typeof DEFAULT_CNN_SPACE;
export const BLOCK_HP_NAMES = ['filters', 'kernel_size', 'pool_size', 'dropout'] as const;
const TOP_KEYS = ['num_blocks', 'blocks', 'dense_units', 'dense_dropout', 'learning_rate', 'optimizer', ...BLOCK_HP_NAMES];
const DEFAULT_OPTIMIZER_SPACE: ChoiceSpace<OptimizerName> = { values: ['adam', 'rmsprop'], default: 'adam' };

/** A validated space for one hyperparameter, in the one shape the declaring code reads. */
export type ResolvedNumberSpace =
  | { type: 'range'; min: number; max: number; step?: number; sampling: Sampling; default?: number }
  | { type: 'values'; values: number[]; default?: number }
  | { type: 'fixed'; value: number };

function isFixed<T>(s: object): s is FixedSpace<T> { return 'fixed' in s; }
function isValues<T>(s: object): s is ValuesSpace<T> { return 'values' in s; }

function fail(path: string, what: string): never {
  throw new Error(`CNN search space: ${path} ${what}`);
}

function checkNumber(path: string, v: unknown, hp: NumberHp): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be a finite number, got ${JSON.stringify(v)}.`);
  if (hp.kind === 'int' && !Number.isInteger(v)) fail(path, `must be an integer, got ${v}.`);
  if (v < hp.lowest) fail(path, `must be at least ${hp.lowest}, got ${v}.`);
  if (hp.highest !== undefined && v > hp.highest) fail(path, `must be at most ${hp.highest}, got ${v}.`);
  if (hp.below !== undefined && v >= hp.below) fail(path, `must be below ${hp.below}, got ${v}.`);
  return v;
}

function checkKeys(path: string, o: object, allowed: readonly string[]): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(path, `must be an object such as {min, max}, {values} or {fixed}, got ${JSON.stringify(o)}.`);
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(path, `has an unknown key "${k}".${didYouMean(k, allowed)} Its keys are ${allowed.join(', ')}.`);
  }
}

/** Merges `overrides` (applied in order) onto the default of one numeric hyperparameter and validates. */
export function resolveNumberSpace(name: NumberHpName, path: string, overrides: ReadonlyArray<NumberSpace | undefined>): ResolvedNumberSpace {
  const hp: NumberHp = DEFAULT_CNN_SPACE[name];
  let space: NumberSpace = hp.space;
  let where = `the default of ${name}`;
  for (const o of overrides) {
    if (o === undefined) continue;
    where = path;
    checkKeys(path, o, ['min', 'max', 'step', 'sampling', 'default', 'values', 'fixed']);
    const shapes = ['fixed' in o, 'values' in o, 'min' in o || 'max' in o || 'step' in o || 'sampling' in o].filter(Boolean).length;
    if (shapes > 1) fail(path, 'mixes {fixed}, {values} and {min, max, step, sampling}: give one of them.');
    if (isFixed<number>(o) || isValues<number>(o)) space = o;
    else if (isFixed<number>(space) || isValues<number>(space)) {
      const onlyDefault = Object.keys(o).every((k) => k === 'default');
      if (onlyDefault && isValues<number>(space)) space = { ...space, default: o.default };
      else if (o.min === undefined || o.max === undefined) {
        fail(path, `replaces ${isFixed(space) ? 'a fixed value' : 'a list of values'} with a range: give both min and max.`);
      } else space = { ...o };
    } else {
      const merged: RangeSpace = { ...space, ...o };
      // A default the new range no longer contains falls back to the range's own default (its min).
      if (o.default === undefined && merged.default !== undefined &&
        (merged.default < (merged.min ?? -Infinity) || merged.default > (merged.max ?? Infinity))) delete merged.default;
      if (o.sampling === 'linear' && merged.step === undefined && hp.kind === 'int') merged.step = 1;
      space = merged;
    }
  }
  if (isFixed<number>(space)) return { type: 'fixed', value: checkNumber(`${where}.fixed`, space.fixed, hp) };
  if (isValues<number>(space)) {
    if (!Array.isArray(space.values) || space.values.length === 0) fail(`${where}.values`, 'must be a non-empty array.');
    const values = space.values.map((v, i) => checkNumber(`${where}.values[${i}]`, v, hp));
    if (new Set(values).size !== values.length) fail(`${where}.values`, `has duplicates: ${JSON.stringify(values)}.`);
    if (space.default !== undefined && !values.includes(space.default)) fail(`${where}.default`, `${space.default} is not one of ${JSON.stringify(values)}.`);
    return { type: 'values', values, ...(space.default !== undefined ? { default: space.default } : {}) };
  }
  const min = checkNumber(`${where}.min`, space.min, hp);
  const max = checkNumber(`${where}.max`, space.max, hp);
  if (min > max) fail(where, `has min ${min} above max ${max}.`);
  const sampling = space.sampling ?? 'linear';
  if (!['linear', 'log', 'reverseLog'].includes(sampling)) fail(`${where}.sampling`, `must be linear, log or reverseLog, got ${JSON.stringify(sampling)}.`);
  if (sampling !== 'linear' && min <= 0) fail(where, `uses ${sampling} sampling, which needs min > 0 (got ${min}).`);
  if (space.step !== undefined && (!(space.step > 0) || (hp.kind === 'int' && !Number.isInteger(space.step)))) {
    fail(`${where}.step`, `must be a positive ${hp.kind === 'int' ? 'integer' : 'number'}, got ${space.step}.`);
  }
  if (space.default !== undefined) {
    checkNumber(`${where}.default`, space.default, hp);
    if (space.default < min || space.default > max) fail(`${where}.default`, `${space.default} is outside [${min}, ${max}].`);
  }
  return {
    type: 'range', min, max, sampling,
    ...(space.step !== undefined ? { step: space.step } : {}),
    ...(space.default !== undefined ? { default: space.default } : {}),
  };
}

/** Validates and resolves the optimizer choice. */
export function resolveOptimizerSpace(o: ChoiceSpace<OptimizerName> | undefined): { type: 'values'; values: OptimizerName[]; default?: OptimizerName } | { type: 'fixed'; value: OptimizerName } {
  const space = o ?? DEFAULT_OPTIMIZER_SPACE;
  checkKeys('space.optimizer', space, ['values', 'default', 'fixed']);
  const check = (path: string, v: unknown): OptimizerName => {
    if (!OPTIMIZER_NAMES.includes(v as OptimizerName)) fail(path, `must be one of ${OPTIMIZER_NAMES.join(', ')}, got ${JSON.stringify(v)}.`);
    return v as OptimizerName;
  };
  if (isFixed<OptimizerName>(space)) return { type: 'fixed', value: check('space.optimizer.fixed', space.fixed) };
  if (!Array.isArray(space.values) || space.values.length === 0) fail('space.optimizer.values', 'must be a non-empty array.');
  const values = space.values.map((v, i) => check(`space.optimizer.values[${i}]`, v));
  if (space.default !== undefined && !values.includes(space.default)) fail('space.optimizer.default', `${space.default} is not one of ${values.join(', ')}.`);
  return { type: 'values', values, ...(space.default !== undefined ? { default: space.default } : {}) };
}

/** Rejects misspelt keys (`filter`, `blocks[0].pool`) before they are silently ignored. */
export function checkSpaceKeys(space: CnnSpace | undefined): void {
  if (space === undefined) return;
  checkKeys('space', space, TOP_KEYS);
  if (space.blocks !== undefined) {
    if (!Array.isArray(space.blocks)) fail('space.blocks', 'must be an array (index 0 = block 1).');
    space.blocks.forEach((b, i) => { if (b !== undefined) checkKeys(`space.blocks[${i}]`, b, BLOCK_HP_NAMES); });
  }
}

/** The values a resolved numeric space can take, ascending (for num_blocks: which block counts exist). */
export function possibleValues(s: ResolvedNumberSpace): number[] {
  if (s.type === 'fixed') return [s.value];
  if (s.type === 'values') return [...s.values].sort((a, b) => a - b);
  const out: number[] = [];
  if (s.sampling !== 'linear' && s.step !== undefined) {
    // With log sampling a step multiplies (KerasTuner's convention).
    for (let v = s.min; v <= s.max * (1 + 1e-9); v *= s.step) out.push(Math.round(v * 1e9) / 1e9);
    return out;
  }
  const step = s.step ?? 1;
  for (let v = s.min; v <= s.max + 1e-9; v += step) out.push(Math.round(v * 1e9) / 1e9);
  return out;
}

/**
 * The exact ranges the ToonVision article tuned, as a space override: filters 4..32 step 4, second pooling
 * 1..4, dropout 0..0.9 step 0.1, optimizer adam, rmsprop or sgd, no dropout after the dense layer (which
 * the article did not have); the rest as the default space.
 */
export const TOONVISION_RANGES: CnnSpace = {
  filters: { min: 4, max: 32, step: 4, default: 4 },
  pool_size: { min: 1, max: 4, step: 1, default: 2 },
  dropout: { min: 0, max: 0.9, step: 0.1, default: 0 },
  dense_dropout: { fixed: 0 },
  optimizer: { values: ['adam', 'rmsprop', 'sgd'], default: 'adam' },
};
