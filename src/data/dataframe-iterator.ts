/**
 * DataFrameIterator: Keras's flow_from_dataframe. The file list and the targets come from records
 * (the rows of a parsed CSV, e.g. Kaggle's `train.csv` with `id,label`) instead of class folders;
 * decoding, caching, augmentation, prefetch, epochs and saveToDir are the shared core (file-iterator.ts).
 */
import tf from '../tf.cjs';
import { DataConfigError } from './errors.js';
import { indexDataFrame, type DataFrameClassMode, type DataFrameRecord } from './dataframe-index.js';
import { balancedClassWeights, ImageFileIterator, readSubset, type FileIteratorOptions } from './file-iterator.js';
import type { IteratorGenerator } from './generator-contract.js';
import type { DatasetSource } from '../contract/train-data.js';

export interface FlowFromDataframeOptions extends FileIteratorOptions {
  /** Folder the `xCol` paths are relative to; null or absent: the paths as given (absolute, or from the working directory). */
  directory?: string | null;
  /** Column with the image filenames; default 'filename'. */
  xCol?: string;
  /** Column with the targets; default 'class'. A list of columns for classMode 'raw' or 'multi_output'. */
  yCol?: string | readonly string[];
  /** Column with a weight per sample; batches then carry `sampleWeight` [B]. */
  weightCol?: string | null;
  /** Classes in label order; rows with no label among them are dropped. Default: every label in yCol, sorted by code point. */
  classes?: readonly string[];
  /** Default 'categorical'. `null` (or 'none') yields images only. */
  classMode?: DataFrameClassMode | 'none';
  /** Drop rows whose file is missing or has no image extension (default true, with a count warning). */
  validateFilenames?: boolean;
}

/** One batch. `ys` is absent for classMode null, a list of tensors for 'multi_output'; `sampleWeight` comes with `weightCol`. */
export type DataFrameBatch = {
  xs: tf.Tensor4D;
  ys?: tf.Tensor | tf.Tensor[];
  sampleWeight?: tf.Tensor1D;
};

export class DataFrameIterator extends ImageFileIterator<DataFrameBatch> implements DatasetSource {
  readonly classMode: DataFrameClassMode;
  /** Class names in label order (empty for 'raw', 'multi_output', 'input' and null). */
  readonly classNames: string[];
  readonly classIndices: Record<string, number>;
  /** Per sample, in row order: the class index, or the class indices of a row labelled with a list. */
  readonly classes: Array<number | number[]>;
  readonly numClasses: number;
  readonly xCol: string;
  readonly yCol: string | readonly string[];
  readonly weightCol: string | null;
  /** The weight of every sample (weightCol), in row order; null without weightCol. */
  readonly sampleWeight: Float32Array | null;
  private readonly targetColumns: Array<{ values: Float32Array; width: number; shape: number[] }>;
  private warnedWeights = false;

  constructor(records: readonly DataFrameRecord[], generator: IteratorGenerator | null, options: FlowFromDataframeOptions = {}) {
    const o = options;
    const subset = readSubset(o.subset, 'flowFromDataframe(): ');
    const split = generator?.validationSplit ?? 0;
    if (subset && !split) {
      throw new DataConfigError(`subset: '${subset}' needs a validationSplit on the ImageDataGenerator (e.g. new ImageDataGenerator({validationSplit: 0.2})).`);
    }
    const xCol = o.xCol ?? 'filename';
    const yCol = o.yCol ?? 'class';
    const weightCol = o.weightCol ?? null;
    const df = indexDataFrame(records, {
      directory: o.directory ?? null,
      xCol,
      yCol,
      weightCol,
      classes: o.classes,
      classMode: o.classMode,
      validateFilenames: o.validateFilenames ?? true,
      subset,
      validationSplit: split,
    });
    super(generator, o, { index: df.index, message: df.message });
    this.classMode = o.classMode === undefined ? 'categorical' : o.classMode === 'none' ? null : o.classMode;
    this.classNames = df.classNames;
    this.numClasses = df.classNames.length;
    this.classIndices = Object.fromEntries(df.classNames.map((c, i) => [c, i]));
    this.classes = df.classes;
    this.xCol = xCol;
    this.yCol = yCol;
    this.weightCol = weightCol;
    this.sampleWeight = df.weights;
    this.targetColumns = df.targets;
  }

  /**
   * Balanced class weights n / (k * count_c) for fit's `classWeight` (1 for a class with no samples).
   * Only for one label per sample ('categorical' without label lists, 'binary', 'sparse').
   */
  classWeights(): Record<number, number> {
    if (!this.numClasses) throw new DataConfigError(`classWeights() needs class labels; classMode ${JSON.stringify(this.classMode)} has none.`);
    if (this.classes.some((c) => typeof c !== 'number')) {
      throw new DataConfigError('classWeights() needs one label per sample, but some rows have a list of labels (multi-label): weigh the loss per label instead.');
    }
    return balancedClassWeights(this.classes as number[], this.numClasses);
  }

  protected targets(ids: Int32Array, xs: tf.Tensor4D, forDataset: boolean): Omit<DataFrameBatch, 'xs'> {
    const out: Omit<DataFrameBatch, 'xs'> = {};
    const n = ids.length;
    const k = this.numClasses;
    const gather = (t: { values: Float32Array; width: number }) => {
      const y = new Float32Array(n * t.width);
      ids.forEach((i, j) => y.set(t.values.subarray(i * t.width, (i + 1) * t.width), j * t.width));
      return y;
    };
    // 'raw' is [B, width]; 'multi_output' is Keras's [B, ...row shape], but [B, 1] for a scalar column (on
    // purpose: tfjs losses refuse [B] targets for a [B, 1] head, 'logits and labels must have the same shape').
    const rows = (t: { values: Float32Array; width: number }) => tf.tensor2d(gather(t), [n, t.width], 'float32');
    const perRow = (t: { values: Float32Array; width: number; shape: number[] }) => tf.tensor(gather(t), [n, ...(t.shape.length ? t.shape : [1])], 'float32');
    switch (this.classMode) {
      case null:
        break;
      case 'input':
        out.ys = xs.clone();
        break;
      case 'binary':
        out.ys = tf.tensor2d(Float32Array.from(ids, (i) => this.classes[i] as number), [n, 1], 'float32');
        break;
      case 'sparse':
        out.ys = tf.tensor1d(Float32Array.from(ids, (i) => this.classes[i] as number), 'float32');
        break;
      case 'categorical': {
        const y = new Float32Array(n * k);
        ids.forEach((i, j) => {
          const c = this.classes[i];
          for (const l of typeof c === 'number' ? [c] : c) y[j * k + l] = 1;
        });
        out.ys = tf.tensor2d(y, [n, k], 'float32');
        break;
      }
      case 'raw':
        out.ys = rows(this.targetColumns[0]);
        break;
      case 'multi_output':
        out.ys = this.targetColumns.map(perRow);
        break;
    }
    if (this.sampleWeight && !forDataset) out.sampleWeight = tf.tensor1d(Float32Array.from(ids, (i) => this.sampleWeight![i]), 'float32');
    return out;
  }

  /**
   * A tf.data.Dataset of `{xs, ys}` batches for model.fitDataset: each pass over it (each epoch) is a
   * new epoch of this iterator, with a new shuffle and new augmentation. Sample weights are left out:
   * tfjs 4.22's fitDataset reads only xs and ys; apply them with getBatch()/for await and your own loop.
   */
  toDataset(): tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor | tf.Tensor[] }> {
    if (this.sampleWeight && !this.warnedWeights) {
      this.warnedWeights = true;
      console.warn(
        `DataFrameIterator.toDataset(): the sample weights (weightCol "${this.weightCol}") are left out of the dataset, because tfjs fitDataset cannot use them. ` +
          'Train with getBatch()/for await and a weighted loss to apply them, or use classWeight in fitDataset for per-class weights.',
      );
    }
    return this.batchDataset() as unknown as tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor | tf.Tensor[] }>;
  }
}
