/**
 * A configurable CNN hypermodel, the search space the ToonVision project tuned with KerasTuner:
 *
 *   [rescaling] -> num_blocks x (Conv2D(filters_i, kernel_size_i, same, relu) -> MaxPool(2)
 *                  -> MaxPool(pool_size_i) (left out when 1) -> Dropout(dropout_i) (left out when 0))
 *   -> Flatten -> [Dense(dense_units, relu) -> [Dropout(dense_dropout)]] -> Dense(1, sigmoid) | Dense(numClasses, softmax)
 *
 * compiled with adam / rmsprop / sgd at `learning_rate`. Building happens in two steps: `cnnConfigFromHp`
 * declares every hyperparameter (block i's only active when num_blocks >= i) and checks that the model
 * fits the input, without touching tfjs; `buildCnnFromConfig` makes the layers. `buildCnn` does both.
 */
import tf from '../tf.cjs';
import { fuseConvReluWhileTraining } from './fused-conv-relu.js';
import type { HyperParameters, HyperValue } from '../tuners/hyperparameters.js';
import { checkOptionKeys, optionKeys } from '../util/option-keys.js';
import {
  BLOCK_HP_NAMES, checkSpaceKeys, possibleValues, resolveNumberSpace, resolveOptimizerSpace,
  type CnnSpace, type NumberHpName, type OptimizerName, type ResolvedNumberSpace,
} from './cnn-space.js';

/** A hyperparameter combination that cannot make a model for this input (the tuner records the trial as invalid). */
export class InvalidModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidModelError';
  }
}

export type CnnTask = 'binary' | 'multiclass';
/** How labels are given, as a DirectoryIterator's classMode: class index, one-hot rows, or 0/1. */
export type LabelMode = 'sparse' | 'categorical' | 'binary';

export interface CnnOptions {
  /** [height, width, channels] of one input image. */
  inputShape: readonly number[];
  numClasses: number;
  /** Default: 'binary' for 2 classes (unless labelMode is 'categorical'), else 'multiclass'. */
  task?: CnnTask;
  /** Default: 'binary' for the binary task, 'sparse' for multiclass. */
  labelMode?: LabelMode;
  /** Narrows, widens or fixes the default search space. */
  space?: CnnSpace;
  /** Adds a Rescaling(scale) layer first, e.g. 1/255 when the data is not rescaled already. */
  rescale?: number;
  /** Seeds the weight initializers and dropout masks, for reproducible builds. */
  seed?: number;
  /** Model name. */
  name?: string;
  /**
   * Largest number of weights to build; a bigger configuration throws InvalidModelError (e.g. one block
   * with no second pooling on 600x200 images and a wide dense layer). Default: no limit.
   */
  maxParams?: number;
  /**
   * 'adapt' (default): every configuration fits the input. A pooling larger than what is left of the feature
   * map pools what is left (its window is clamped, a 1x1 map is not pooled), inputs whose convolution outputs
   * would hold more than `maxActivations` values per image are average-pooled first (a stem), and a head
   * max pooling before Flatten keeps the weights under `maxParams` (like torchvision's adaptive pooling).
   * 'strict': the model is exactly what the hyperparameters say, or InvalidModelError (no stem, no head pooling).
   */
  fit?: CnnFit;
  /** 'adapt' only: the most values one convolution output may hold per image. Default 4,194,304 (16 MB float32). */
  maxActivations?: number;
}

export type CnnFit = 'adapt' | 'strict';

export const CNN_OPTION_KEYS = optionKeys<CnnOptions>({
  inputShape: true, numClasses: true, task: true, labelMode: true, space: true, rescale: true, seed: true, name: true,
  maxParams: true, fit: true, maxActivations: true,
});
/** Default weight cap when fitting ('adapt'): 4M weights, 16 MB (48 MB with Adam's moments). */
export const DEFAULT_MAX_PARAMS = 4_000_000;
export const DEFAULT_MAX_ACTIVATIONS = 4_194_304;

export interface CnnBlockConfig { filters: number; kernelSize: number; poolSize: number; dropout: number }

/** Everything a CNN is made from: plain data, no tfjs. */
export interface CnnConfig {
  inputShape: [number, number, number];
  numClasses: number;
  task: CnnTask;
  labelMode: LabelMode;
  blocks: CnnBlockConfig[];
  denseUnits: number;
  /** Dropout after the hidden dense layer (only with denseUnits > 0). Missing = 0. */
  denseDropout?: number;
  learningRate: number;
  optimizer: OptimizerName;
  rescale?: number;
  seed?: number;
  name?: string;
  maxParams?: number;
  /** Missing = 'strict' (a config made by hand is built as written); cnnConfigFromHp fills in 'adapt'. */
  fit?: CnnFit;
  maxActivations?: number;
}

/** The loss for a task and label mode. */
export function lossFor(task: CnnTask, labelMode: LabelMode): string {
  if (task === 'binary') return 'binaryCrossentropy';
  return labelMode === 'categorical' ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy';
}

/** Validates inputShape, numClasses, task and labelMode, and fills in the defaults. */
export function resolveTask(opts: Pick<CnnOptions, 'inputShape' | 'numClasses' | 'task' | 'labelMode'>): {
  inputShape: [number, number, number]; numClasses: number; task: CnnTask; labelMode: LabelMode;
} {
  const s = opts.inputShape;
  if (!Array.isArray(s) || s.length !== 3 || !s.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`inputShape must be [height, width, channels] of positive integers, e.g. [64, 64, 3]; got ${JSON.stringify(s)}.`);
  }
  const n = opts.numClasses;
  if (!Number.isInteger(n) || n < 2) throw new Error(`numClasses must be an integer of at least 2, got ${n}.`);
  if (opts.task !== undefined && opts.task !== 'binary' && opts.task !== 'multiclass') {
    throw new Error(`task must be 'binary' or 'multiclass', got ${JSON.stringify(opts.task)}.`);
  }
  if (opts.labelMode !== undefined && !['sparse', 'categorical', 'binary'].includes(opts.labelMode)) {
    throw new Error(`labelMode must be 'sparse', 'categorical' or 'binary', got ${JSON.stringify(opts.labelMode)}.`);
  }
  const task: CnnTask = opts.task ?? (n === 2 && opts.labelMode !== 'categorical' ? 'binary' : 'multiclass');
  if (task === 'binary') {
    if (n !== 2) throw new Error(`task 'binary' needs numClasses 2, got ${n}: use task 'multiclass'.`);
    if (opts.labelMode === 'categorical') {
      throw new Error(`task 'binary' (one sigmoid unit) cannot take one-hot labels (labelMode 'categorical'): ` +
        `use labelMode 'binary' (class mode 'binary'), or task 'multiclass' for two softmax units.`);
    }
    return { inputShape: [s[0], s[1], s[2]], numClasses: n, task, labelMode: opts.labelMode ?? 'binary' };
  }
  if (opts.labelMode === 'binary') {
    throw new Error(`labelMode 'binary' (0/1 labels) goes with task 'binary'; for task 'multiclass' use 'sparse' or 'categorical'.`);
  }
  return { inputShape: [s[0], s[1], s[2]], numClasses: n, task, labelMode: opts.labelMode ?? 'sparse' };
}

/** A parent hyperparameter and the values for which a conditioned one is active. */
interface ActiveWhen { parent: string; values: number[] }

/**
 * Declares one numeric hp (conditioned on `when.parent` when given) and returns its value: null while it
 * is inactive (as KerasTuner's None), a number otherwise.
 */
function declareNumber(
  hp: HyperParameters, name: string, kind: 'int' | 'float', s: ResolvedNumberSpace, when?: ActiveWhen,
): number | null {
  const cond = when ? { parentName: when.parent, parentValues: when.values } : {};
  if (s.type === 'fixed') {
    if (!when) return hp.fixed(name, s.value);
    // A fixed value whose condition does not hold (a block beyond num_blocks) is not part of the trial.
    return hp.conditionalScope(when.parent, when.values, () => hp.fixed(name, s.value)) ?? null;
  }
  if (s.type === 'values') {
    return hp.choice(name, s.values, { ordered: true, ...(s.default !== undefined ? { default: s.default } : {}), ...cond });
  }
  const o = {
    min: s.min, max: s.max, sampling: s.sampling,
    ...(s.step !== undefined ? { step: s.step } : {}),
    ...(s.default !== undefined ? { default: s.default } : {}),
    ...cond,
  };
  return kind === 'int' ? hp.int(name, o) : hp.float(name, o);
}

const BLOCK_HP: Record<(typeof BLOCK_HP_NAMES)[number], { kind: 'int' | 'float'; key: keyof CnnBlockConfig }> = {
  filters: { kind: 'int', key: 'filters' },
  kernel_size: { kind: 'int', key: 'kernelSize' },
  pool_size: { kind: 'int', key: 'poolSize' },
  dropout: { kind: 'float', key: 'dropout' },
};

/**
 * Declares the CNN's hyperparameters on `hp` and returns the model they describe. Block i's
 * hyperparameters (`filters_i`, `kernel_size_i`, `pool_size_i`, `dropout_i`) are declared for every block
 * num_blocks can reach, conditioned on num_blocks >= i, so the whole space is known from the first build.
 * Throws InvalidModelError (after declaring) when the model does not fit the input.
 */
export function cnnConfigFromHp(hp: HyperParameters, opts: CnnOptions): CnnConfig {
  checkOptionKeys('buildCnn()', opts, CNN_OPTION_KEYS, { notes: { maxModelSize: 'the CNN\'s limit on weights is maxParams.' } });
  const task = resolveTask(opts);
  const space = opts.space;
  checkSpaceKeys(space);
  const numBlocksSpace = resolveNumberSpace('num_blocks', 'space.num_blocks', [space?.num_blocks]);
  const blockCounts = possibleValues(numBlocksSpace);
  const numBlocks = declareNumber(hp, 'num_blocks', 'int', numBlocksSpace) as number; // unconditioned: always a value
  const maxBlocks = blockCounts[blockCounts.length - 1];
  if (space?.blocks && space.blocks.length > maxBlocks) {
    throw new Error(`CNN search space: space.blocks has ${space.blocks.length} entries but num_blocks is at most ${maxBlocks}; ` +
      `remove the extra entries or allow more blocks (space.num_blocks).`);
  }

  const blocks: CnnBlockConfig[] = [];
  for (let i = 1; i <= maxBlocks; i++) {
    const activeFor = blockCounts.filter((n) => n >= i);
    const block = {} as CnnBlockConfig;
    for (const name of BLOCK_HP_NAMES) {
      const s = resolveNumberSpace(name as NumberHpName, `space.blocks[${i - 1}].${name}`, [space?.[name], space?.blocks?.[i - 1]?.[name]]);
      const value = declareNumber(hp, `${name}_${i}`, BLOCK_HP[name].kind, s, { parent: 'num_blocks', values: activeFor });
      if (value !== null) block[BLOCK_HP[name].key] = value; // null: block i is beyond num_blocks
    }
    if (i <= numBlocks) blocks.push(block);
  }
  const denseUnitsSpace = resolveNumberSpace('dense_units', 'space.dense_units', [space?.dense_units]);
  const denseUnits = declareNumber(hp, 'dense_units', 'int', denseUnitsSpace) as number;
  // Only a hidden dense layer has a dropout after it: with dense_units fixed at 0 there is nothing to declare.
  const withDense = possibleValues(denseUnitsSpace).filter((u) => u > 0);
  const denseDropoutSpace = resolveNumberSpace('dense_dropout', 'space.dense_dropout', [space?.dense_dropout]);
  const denseDropout = withDense.length > 0
    ? declareNumber(hp, 'dense_dropout', 'float', denseDropoutSpace, { parent: 'dense_units', values: withDense }) ?? 0
    : 0;
  const learningRate = declareNumber(hp, 'learning_rate', 'float', resolveNumberSpace('learning_rate', 'space.learning_rate', [space?.learning_rate])) as number;
  const opt = resolveOptimizerSpace(space?.optimizer);
  const optimizer: OptimizerName = opt.type === 'fixed'
    ? hp.fixed('optimizer', opt.value)
    : hp.choice<OptimizerName>('optimizer', opt.values, opt.default !== undefined ? { default: opt.default } : {});

  const config: CnnConfig = {
    ...task, blocks, denseUnits, ...(denseDropout > 0 ? { denseDropout } : {}), learningRate, optimizer,
    ...(opts.rescale !== undefined ? { rescale: opts.rescale } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.maxParams !== undefined ? { maxParams: opts.maxParams } : {}),
    fit: opts.fit ?? 'adapt',
    ...(opts.maxActivations !== undefined ? { maxActivations: opts.maxActivations } : {}),
  };
  if (config.fit !== 'adapt' && config.fit !== 'strict') throw new Error(`fit must be 'adapt' or 'strict', got ${JSON.stringify(config.fit)}.`);
  for (const k of ['maxParams', 'maxActivations'] as const) {
    const v = config[k];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new Error(`${k} must be a positive integer, got ${v}.`);
  }
  checkCnnFits(config);
  return config;
}

type FitConfig = Pick<CnnConfig, 'inputShape' | 'blocks'> &
  Partial<Pick<CnnConfig, 'maxParams' | 'denseUnits' | 'task' | 'numClasses' | 'fit' | 'maxActivations'>>;

/** The layers a config makes, as sizes: pooling windows [h, w] per block, the stem and head windows (1x1 = none). */
export interface CnnPlan {
  stem: [number, number];
  blocks: Array<{ pools: Array<[number, number]>; out: [number, number] }>;
  head: [number, number];
  /** Height x width flattened before the dense layers. */
  flat: [number, number];
  params: number;
}

const clampPool = (p: number, h: number, w: number): [number, number] => [Math.min(p, h), Math.min(p, w)];

/** One pass over the layers for a given stem and head window; `strict` throws where a pooling does not fit. */
function planWith(config: FitConfig, stemWindow: number, headWindow: number, strict: boolean): CnnPlan & { maxAct: number } {
  const [h0, w0, c0] = config.inputShape;
  const stem = clampPool(stemWindow, h0, w0);
  let h = Math.floor(h0 / stem[0]), w = Math.floor(w0 / stem[1]);
  const trail: string[] = [`input ${h0}x${w0}x${c0}`];
  let channels = c0, params = 0, maxAct = 0;
  const blocks: CnnPlan['blocks'] = [];
  config.blocks.forEach((b, idx) => {
    const i = idx + 1;
    params += b.kernelSize * b.kernelSize * channels * b.filters + b.filters;
    channels = b.filters;
    maxAct = Math.max(maxAct, h * w * b.filters);
    const wanted: Array<[number, string]> = [[2, 'first max pooling (pool 2)']];
    if (b.poolSize > 1) wanted.push([b.poolSize, `second max pooling (pool_size_${i} = ${b.poolSize})`]);
    const pools: Array<[number, number]> = [];
    for (const [p, what] of wanted) {
      if (strict && (h < p || w < p)) {
        throw new InvalidModelError(
          `Block ${i} of ${config.blocks.length} does not fit the input: its ${what} needs a feature map of at least ` +
          `${p}x${p} but gets ${h}x${w} (${trail.join(' -> ')}). Use fewer blocks (num_blocks), smaller pool sizes, ` +
          `or larger images (target size).`);
      }
      const win = clampPool(p, h, w);
      pools.push(win);
      h = Math.floor(h / win[0]);
      w = Math.floor(w / win[1]);
    }
    trail.push(`block ${i}: ${h}x${w}`);
    blocks.push({ pools, out: [h, w] });
  });
  const head = clampPool(headWindow, h, w);
  h = Math.floor(h / head[0]);
  w = Math.floor(w / head[1]);
  let features = h * w * channels;
  const denseUnits = config.denseUnits ?? 0;
  if (denseUnits > 0) {
    params += features * denseUnits + denseUnits;
    features = denseUnits;
  }
  const outputs = config.task === 'binary' ? 1 : (config.numClasses ?? 2);
  params += features * outputs + outputs;
  return { stem, blocks, head, flat: [h, w], params, maxAct };
}

/**
 * The layer sizes of a config. 'strict': throws InvalidModelError naming the block when a pooling has too
 * little to pool, or when the model has more weights than `maxParams`. 'adapt': picks the smallest stem
 * that keeps every convolution output under maxActivations and the smallest head pooling that keeps the
 * weights under maxParams; throws only when even a 1x1 map before Flatten has too many weights.
 */
export function planCnn(config: FitConfig): CnnPlan {
  const trailOf = (p: CnnPlan) => [`input ${config.inputShape.join('x')}`, ...p.blocks.map((b, i) => `block ${i + 1}: ${b.out[0]}x${b.out[1]}`)].join(' -> ');
  const denseUnits = config.denseUnits ?? 0;
  const tooBig = (params: number, maxParams: number, p: CnnPlan) => new InvalidModelError(
    `The model would have ${params.toLocaleString('en-US')} weights, more than maxParams ${maxParams.toLocaleString('en-US')} ` +
    `(${trailOf(p)}, flattened before ${denseUnits > 0 ? `a ${denseUnits}-unit dense layer` : 'the output'}). ` +
    `Use more pooling (pool sizes, num_blocks), fewer dense_units, smaller images, or raise maxParams.`);
  if ((config.fit ?? 'strict') === 'strict') {
    const p = planWith(config, 1, 1, true);
    if (config.maxParams !== undefined && config.denseUnits !== undefined && config.task !== undefined && p.params > config.maxParams) {
      throw tooBig(p.params, config.maxParams, p);
    }
    return p;
  }
  const maxAct = config.maxActivations ?? DEFAULT_MAX_ACTIVATIONS;
  const maxParams = config.maxParams ?? DEFAULT_MAX_PARAMS;
  let stem = 1;
  const side = Math.max(config.inputShape[0], config.inputShape[1]);
  while (stem < side && planWith(config, stem, 1, false).maxAct > maxAct) stem++;
  let head = 1;
  let p = planWith(config, stem, head, false);
  const [fh, fw] = p.flat;
  while (p.params > maxParams && (p.flat[0] > 1 || p.flat[1] > 1)) {
    head++;
    p = planWith(config, stem, head, false);
    if (head > Math.max(fh, fw)) break;
  }
  if (p.params > maxParams) throw tooBig(p.params, maxParams, p);
  return p;
}

/** The number of weights the model will have (what model.countParams() says), computed without tfjs. */
export function countCnnParams(config: Pick<CnnConfig, 'inputShape' | 'blocks' | 'denseUnits' | 'task' | 'numClasses'> & Partial<Pick<CnnConfig, 'fit' | 'maxParams' | 'maxActivations'>>): number {
  return planCnn(config).params;
}

/** Height x width after each block (see planCnn for what throws). */
export function checkCnnFits(config: FitConfig): Array<[number, number]> {
  return planCnn(config).blocks.map((b) => b.out);
}

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam': return tf.train.adam(learningRate);
    case 'rmsprop': return tf.train.rmsprop(learningRate);
    case 'sgd': return tf.train.sgd(learningRate);
    default: throw new Error(`Unknown optimizer ${JSON.stringify(name)}: use adam, rmsprop or sgd.`);
  }
}

/** Builds and compiles the model a CnnConfig describes (checking the fit first). */
export function buildCnnFromConfig(config: CnnConfig): tf.LayersModel {
  const plan = planCnn(config);
  const dd = config.denseDropout;
  if (dd !== undefined && !(dd >= 0 && dd < 1)) throw new Error(`denseDropout must be at least 0 and below 1, got ${dd}.`);
  const isPool = (win: [number, number]) => win[0] > 1 || win[1] > 1;
  let seed = config.seed;
  const nextSeed = () => (seed === undefined ? undefined : seed++);
  const kernelInit = () => {
    const s = nextSeed();
    return s === undefined ? 'glorotUniform' as const : tf.initializers.glorotUniform({ seed: s });
  };
  const model = tf.sequential(config.name ? { name: config.name } : {});
  /** A Dropout with the next seed; none at rate 0 (a no-op layer). */
  const addDropout = (rate: number, name: string) => {
    if (!(rate > 0)) return;
    const s = nextSeed();
    model.add(tf.layers.dropout({ rate, ...(s !== undefined ? { seed: s } : {}), name }));
  };
  let first = true;
  const input = () => (first ? ((first = false), { inputShape: config.inputShape as number[] }) : {});
  if (config.rescale !== undefined) model.add(tf.layers.rescaling({ scale: config.rescale, ...input(), name: 'rescaling' }));
  if (isPool(plan.stem)) model.add(tf.layers.averagePooling2d({ ...input(), poolSize: plan.stem, name: 'stem_pool' }));
  config.blocks.forEach((b, idx) => {
    const i = idx + 1;
    const conv = tf.layers.conv2d({
      ...input(), filters: b.filters, kernelSize: b.kernelSize, padding: 'same', activation: 'relu',
      kernelInitializer: kernelInit(), name: `block${i}_conv`,
    });
    fuseConvReluWhileTraining(conv);
    model.add(conv);
    const [first, second] = plan.blocks[idx].pools;
    if (isPool(first)) model.add(tf.layers.maxPooling2d({ poolSize: first, name: `block${i}_pool` }));
    if (second && isPool(second)) model.add(tf.layers.maxPooling2d({ poolSize: second, name: `block${i}_pool${b.poolSize}` }));
    addDropout(b.dropout, `block${i}_dropout`);
  });
  if (isPool(plan.head)) model.add(tf.layers.maxPooling2d({ ...input(), poolSize: plan.head, name: 'head_pool' }));
  model.add(tf.layers.flatten({ ...input(), name: 'flatten' }));
  if (config.denseUnits > 0) {
    model.add(tf.layers.dense({ units: config.denseUnits, activation: 'relu', kernelInitializer: kernelInit(), name: 'hidden_dense' }));
    addDropout(config.denseDropout ?? 0, 'hidden_dropout');
  }
  const binary = config.task === 'binary';
  model.add(tf.layers.dense({
    units: binary ? 1 : config.numClasses, activation: binary ? 'sigmoid' : 'softmax',
    kernelInitializer: kernelInit(), name: 'output',
  }));
  model.compile({
    optimizer: makeOptimizer(config.optimizer, config.learningRate),
    loss: lossFor(config.task, config.labelMode),
    metrics: ['accuracy'],
  });
  // The optimizer was made for this model alone: let model.dispose() free its variables too (tfjs only
  // does that for optimizers given by name).
  (model as unknown as { isOptimizerOwned: boolean }).isOptimizerOwned = true;
  return model;
}

/**
 * The hypermodel: declares the CNN's hyperparameters on `hp` and returns the compiled model.
 * Throws InvalidModelError, before any layer is made, when the hyperparameters do not fit the input.
 */
export function buildCnn(hp: HyperParameters, opts: CnnOptions): tf.LayersModel {
  return buildCnnFromConfig(cnnConfigFromHp(hp, opts));
}

/** The hyperparameter values of a config, named as buildCnn names them (e.g. for a summary table). */
export function cnnConfigToValues(config: CnnConfig): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = { num_blocks: config.blocks.length };
  config.blocks.forEach((b, idx) => {
    const i = idx + 1;
    out[`filters_${i}`] = b.filters;
    out[`kernel_size_${i}`] = b.kernelSize;
    out[`pool_size_${i}`] = b.poolSize;
    out[`dropout_${i}`] = b.dropout;
  });
  out.dense_units = config.denseUnits;
  if (config.denseUnits > 0) out.dense_dropout = config.denseDropout ?? 0;
  out.learning_rate = config.learningRate;
  out.optimizer = config.optimizer;
  return out;
}

/** One line describing the architecture, e.g. for logs and the CLI: `conv 8@3x3 > pool 2 > pool 2 | ... | dense 4 softmax; adam 0.001`. */
export function describeCnn(config: CnnConfig): string {
  const plan = planCnn(config);
  const pool = (kind: string, win: [number, number]) => (win[0] > 1 || win[1] > 1 ? [`${kind} ${win[0] === win[1] ? win[0] : `${win[0]}x${win[1]}`}`] : []);
  const blocks = config.blocks.map((b, idx) =>
    [`conv ${b.filters}@${b.kernelSize}x${b.kernelSize}`, ...plan.blocks[idx].pools.flatMap((win) => pool('pool', win)),
      ...(b.dropout > 0 ? [`dropout ${b.dropout}`] : [])].join(' > '));
  const head = [
    ...(config.denseUnits > 0 ? [`dense ${config.denseUnits} relu`] : []),
    ...(config.denseUnits > 0 && (config.denseDropout ?? 0) > 0 ? [`dropout ${config.denseDropout}`] : []),
    config.task === 'binary' ? 'dense 1 sigmoid' : `dense ${config.numClasses} softmax`,
  ].join(' > ');
  const [h, w, c] = config.inputShape;
  const stem = pool('avgpool', plan.stem).map((x) => ` > ${x}`).join('');
  const flatten = [...pool('pool', plan.head), 'flatten'].join(' > ');
  return `${h}x${w}x${c}${config.rescale !== undefined ? ` > rescale ${config.rescale}` : ''}${stem} > ${[...blocks, `${flatten} > ${head}`].join(' | ')}; ` +
    `${config.optimizer} ${config.learningRate}, ${lossFor(config.task, config.labelMode)}`;
}
