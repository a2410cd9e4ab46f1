/**
 * DirectoryIterator: batches of decoded, augmented, standardised images from a class-per-subfolder
 * folder (Keras's flow_from_directory). The folder gives the file list and the labels; the batching,
 * decoding, caching, augmentation and epochs are the shared core (file-iterator.ts).
 */
import tf from '../tf.cjs';
import type { ResizeMode } from './decode.js';
import { DataConfigError } from './errors.js';
import { indexDirectory, splitPerClass, type FileIndex } from './file-index.js';
import type { IteratorGenerator } from './generator-contract.js';
import type { DatasetSource } from '../contract/train-data.js';
import { balancedClassWeights, ImageFileIterator, readSubset, type FileIteratorOptions } from './file-iterator.js';
import type { SaveFormat } from './save-images.js';

export type ClassMode = 'categorical' | 'binary' | 'sparse' | 'input' | null;
const CLASS_MODES = ['categorical', 'binary', 'sparse', 'input', null, 'none'] as const;
export type { SaveFormat };

export interface FlowFromDirectoryOptions extends FileIteratorOptions {
  /** Class folders in label order; default every non-hidden subfolder sorted by code point. */
  classes?: readonly string[];
  /** Default 'categorical'. `null` (or 'none') yields images only. */
  classMode?: ClassMode | 'none';
  followLinks?: boolean;
}

/** One batch. `ys` is absent when classMode is null. */
export type Batch = {
  xs: tf.Tensor4D;
  ys?: tf.Tensor;
};

/** What `toDataset()` yields for model.fitDataset (a BatchDataset of src/contract/train-data.ts). */
export type LabelledBatch = {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
};

/** Internal hooks for imageDatasetFromDirectory, which shares this core. */
export interface IteratorInternals {
  index?: FileIndex;
  resizeMode?: ResizeMode;
  /** Sparse labels as int32 [B] (image_dataset_from_directory's 'int') instead of float32 [B]. */
  intLabels?: boolean;
  message?: string | null;
}

function checkedClassMode(mode: FlowFromDirectoryOptions['classMode']): ClassMode {
  const classMode = mode === undefined ? 'categorical' : mode === 'none' ? null : mode;
  if (!CLASS_MODES.includes(classMode)) {
    throw new DataConfigError(`Unknown classMode "${mode}". Use one of: categorical, binary, sparse, input, or null for images only.`);
  }
  return classMode;
}

/** The folder's index (split per class for a subset), checked against the class mode. */
function directoryIndex(directory: string, generator: IteratorGenerator | null, o: FlowFromDirectoryOptions, internals: IteratorInternals): FileIndex {
  const classMode = checkedClassMode(o.classMode);
  const subset = readSubset(o.subset);
  const split = generator?.validationSplit ?? 0;
  if (subset && !split && !internals.index) {
    throw new DataConfigError(`subset: '${subset}' needs a validationSplit on the ImageDataGenerator (e.g. new ImageDataGenerator({validationSplit: 0.2})).`);
  }
  let index = internals.index ?? indexDirectory(directory, { classes: o.classes, followLinks: o.followLinks });
  if (subset && !internals.index) index = splitPerClass(index, split, subset);
  if (classMode === 'binary' && index.classNames.length !== 2) {
    throw new DataConfigError(
      `classMode 'binary' needs exactly 2 classes, but "${index.directory}" has ${index.classNames.length} (${index.classNames.join(', ')}). ` +
        `Use 'categorical' or 'sparse' for more classes, or pass classes: [negative, positive].`,
    );
  }
  return index;
}

export class DirectoryIterator extends ImageFileIterator<Batch> implements DatasetSource {
  readonly classNames: string[];
  readonly classIndices: Record<string, number>;
  /** Class index of every sample, in index order (never shuffled). */
  readonly classes: Int32Array;
  readonly numClasses: number;
  readonly classMode: ClassMode;
  private readonly intLabels: boolean;

  constructor(directory: string, generator: IteratorGenerator | null, options: FlowFromDirectoryOptions = {}, internals: IteratorInternals = {}) {
    const index = directoryIndex(directory, generator, options, internals);
    const k = index.classNames.length;
    const message = internals.message === undefined ? `Found ${index.files.length} images belonging to ${k} classes.` : internals.message;
    super(generator, options, { index, resizeMode: internals.resizeMode, message });
    this.classMode = checkedClassMode(options.classMode);
    this.classNames = index.classNames;
    this.numClasses = k;
    this.classIndices = Object.fromEntries(index.classNames.map((c, i) => [c, i]));
    this.classes = Int32Array.from(index.files, (f) => f.label);
    this.intLabels = !!internals.intLabels;
  }

  /** Balanced class weights n / (k * count_c) for fit's `classWeight` (1 for a class with no samples). */
  classWeights(): Record<number, number> {
    return balancedClassWeights(this.classes, this.numClasses);
  }

  protected targets(ids: Int32Array, xs: tf.Tensor4D): Omit<Batch, 'xs'> {
    const n = ids.length;
    const k = this.numClasses;
    const labels = Int32Array.from(ids, (i) => this.classes[i]);
    switch (this.classMode) {
      case null:
        return {};
      case 'input':
        return { ys: xs.clone() };
      case 'binary':
        return { ys: tf.tensor2d(Float32Array.from(labels), [n, 1], 'float32') };
      case 'sparse':
        return { ys: this.intLabels ? tf.tensor1d(labels, 'int32') : tf.tensor1d(Float32Array.from(labels), 'float32') };
      case 'categorical': {
        const y = new Float32Array(n * k);
        for (let j = 0; j < n; j++) y[j * k + labels[j]] = 1;
        return { ys: tf.tensor2d(y, [n, k], 'float32') };
      }
    }
  }

  /**
   * A tf.data.Dataset of `{xs, ys}` batches for model.fitDataset: each pass over it (each epoch) is a
   * new epoch of this iterator, with a new shuffle and new augmentation. (With classMode null the
   * elements are `{xs}` only: such a dataset is for prediction, not for fit.)
   */
  toDataset(): tf.data.Dataset<LabelledBatch> {
    return this.batchDataset() as unknown as tf.data.Dataset<LabelledBatch>;
  }
}

/**
 * Checks that a validation or test iterator has the same classes, in the same order, as the training
 * one, so labels mean the same thing. Throws an error naming `otherDir` and the differences.
 */
export function assertSameClasses(train: { classNames: readonly string[]; directory?: string }, other: { classNames: readonly string[] }, otherDir: string): void {
  const a = train.classNames;
  const b = other.classNames;
  if (a.length === b.length && a.every((c, i) => c === b[i])) return;
  const missing = a.filter((c) => !b.includes(c));
  const extra = b.filter((c) => !a.includes(c));
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.map((c) => `"${c}"`).join(', ')}`);
  if (extra.length) parts.push(`extra ${extra.map((c) => `"${c}"`).join(', ')}`);
  if (!parts.length) parts.push(`same names in a different order (${b.join(', ')} vs ${a.join(', ')})`);
  throw new DataConfigError(
    `The classes in "${otherDir}" differ from the training classes${train.directory ? ` in "${train.directory}"` : ''}: ${parts.join('; ')}. ` +
      `Give both folders the same class subfolders, or pass the training classes explicitly (classes: [${a.map((c) => `"${c}"`).join(', ')}]).`,
  );
}
