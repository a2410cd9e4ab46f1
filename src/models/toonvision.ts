/**
 * The ToonVision baseline: the hand-made multiclass model of the ToonVision article (cog suits), as a
 * preset of the configurable CNN:
 *
 *   2 x (Conv2D(4, 3x3, same, relu) -> MaxPool(2) -> MaxPool(2) -> Dropout) -> Flatten -> Dense(softmax)
 *
 * compiled with Adam(1e-3). The article feeds 600x200 crops and rescales inside the model; here the
 * input shape is the caller's and rescaling is optional (the data pipeline usually rescales).
 */
import type tf from '../tf.cjs';
import type { CnnSpace } from './cnn-space.js';
import { buildCnnFromConfig, CNN_OPTION_KEYS, resolveTask, type CnnConfig, type CnnOptions } from './cnn.js';
import { checkOptionKeys } from '../util/option-keys.js';

export interface ToonVisionOptions extends Omit<CnnOptions, 'space'> {
  /** Filters of both conv layers. Default 4. */
  filters?: number;
  /** Kernel size of both conv layers. Default 3. */
  kernelSize?: number;
  /** Dropout after each block; the article's default is 0 (a no-op, so no layer is added). */
  dropout?: number;
  /** Default 1e-3. */
  learningRate?: number;
}

/** The hyperparameter values of the ToonVision model, as fixed overrides of the CNN search space. */
export function toonVisionSpace(opts: Pick<ToonVisionOptions, 'filters' | 'kernelSize' | 'dropout' | 'learningRate'> = {}): CnnSpace {
  return {
    num_blocks: { fixed: 2 },
    filters: { fixed: opts.filters ?? 4 },
    kernel_size: { fixed: opts.kernelSize ?? 3 },
    pool_size: { fixed: 2 },
    dropout: { fixed: opts.dropout ?? 0 },
    dense_units: { fixed: 0 },
    learning_rate: { fixed: opts.learningRate ?? 1e-3 },
    optimizer: { fixed: 'adam' },
  };
}

/** The ToonVision model's CnnConfig (plain data). */
export function toonVisionConfig(opts: ToonVisionOptions): CnnConfig {
  checkOptionKeys('toonVisionModel()', opts, [...CNN_OPTION_KEYS.filter((k) => k !== 'space'), 'filters', 'kernelSize', 'dropout', 'learningRate']);
  const task = resolveTask(opts);
  const block = { filters: opts.filters ?? 4, kernelSize: opts.kernelSize ?? 3, poolSize: 2, dropout: opts.dropout ?? 0 };
  return {
    ...task,
    blocks: [{ ...block }, { ...block }],
    denseUnits: 0,
    learningRate: opts.learningRate ?? 1e-3,
    optimizer: 'adam',
    name: opts.name ?? 'toonvision',
    ...(opts.rescale !== undefined ? { rescale: opts.rescale } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.maxParams !== undefined ? { maxParams: opts.maxParams } : {}),
  };
}

/**
 * The ToonVision baseline model, compiled. Throws InvalidModelError when the input is too small for its
 * four 2x2 poolings (it needs at least 16x16).
 */
export function toonVisionModel(opts: ToonVisionOptions): tf.LayersModel {
  return buildCnnFromConfig(toonVisionConfig(opts));
}
