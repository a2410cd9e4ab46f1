/**
 * imageDatasetFromDirectory: keras.utils.image_dataset_from_directory on the DirectoryIterator core.
 * Differences from Keras: every epoch is a full reshuffle (Keras shuffles within a window of
 * batchSize*8), more formats are read (png, jpg, bmp, gif, webp, tiff, avif), and unreadable files can be
 * skipped (onError: 'skip').
 */
import tf from '../tf.cjs';
import type { ColorMode, Interpolation } from './decode.js';
import { DirectoryIterator, type Batch, type LabelledBatch } from './directory-iterator.js';
import { DataConfigError } from './errors.js';
import { indexDirectory, indexUnlabelled, type FileIndex } from './file-index.js';
import type { CacheMode, OnError } from './image-loader.js';
import { mixSeed, Rng } from '../util/rng.js';
import { checkOptionKeys, optionKeys } from '../util/option-keys.js';

export type DatasetLabelMode = 'int' | 'categorical' | 'binary' | null;

export interface ImageDatasetOptions {
  /**
   * 'inferred' (default): labels from the class subfolders. null: images only, read from the whole tree.
   * A list of whole numbers (Keras's manual labels): one label per image file of the whole tree, in the
   * order of `filePaths` with shuffle off (sorted paths); classNames are the sorted distinct labels.
   */
  labels?: 'inferred' | null | readonly number[];
  /** 'int' (default): int32 [B]; 'categorical': float32 [B, K]; 'binary': float32 [B, 1]; null: none. */
  labelMode?: DatasetLabelMode;
  /** Class folders to use, in label order (a subset of the subfolders). */
  classNames?: readonly string[];
  colorMode?: ColorMode;
  /** Default 32; null yields single images [h, w, c]. */
  batchSize?: number | null;
  /** [height, width] or one side; default [256, 256]. */
  imageSize?: number | readonly [number, number];
  shuffle?: boolean;
  seed?: number;
  validationSplit?: number;
  subset?: 'training' | 'validation' | 'both';
  /** Default 'bilinear'. */
  interpolation?: Interpolation;
  followLinks?: boolean;
  cropToAspectRatio?: boolean;
  padToAspectRatio?: boolean;
  verbose?: boolean;
  cache?: CacheMode;
  cacheDir?: string;
  onError?: OnError;
  maxImagePixels?: number;
  prefetchBatches?: number;
}

/**
 * A dataset of `{xs, ys}` batches with Keras's attributes. With labelMode null the elements are `{xs}`
 * only, and with batchSize null single images `{xs: [h, w, c], ys: []}`.
 */
export type ImageDataset = tf.data.Dataset<LabelledBatch> & {
  /** The class names in label order; null with `labels: null` (as in Keras). */
  classNames: string[] | null;
  filePaths: string[];
  /** The DirectoryIterator underneath (classWeights(), skippedFiles, ...). */
  source: DirectoryIterator;
};

const DATASET_KEYS = optionKeys<ImageDatasetOptions>({
  labels: true, labelMode: true, classNames: true, colorMode: true, batchSize: true, imageSize: true, shuffle: true, seed: true,
  validationSplit: true, subset: true, interpolation: true, followLinks: true, cropToAspectRatio: true, padToAspectRatio: true,
  verbose: true, cache: true, cacheDir: true, onError: true, maxImagePixels: true, prefetchBatches: true,
});

const LABEL_MODES: readonly DatasetLabelMode[] = ['int', 'categorical', 'binary', null];

export function imageDatasetFromDirectory(directory: string, options: ImageDatasetOptions & { subset: 'both' }): [ImageDataset, ImageDataset];
export function imageDatasetFromDirectory(directory: string, options?: ImageDatasetOptions): ImageDataset;
export function imageDatasetFromDirectory(directory: string, options: ImageDatasetOptions = {}): ImageDataset | [ImageDataset, ImageDataset] {
  const o = options;
  checkOptionKeys('imageDatasetFromDirectory()', o, DATASET_KEYS, (m) => new DataConfigError(m));
  const labels = o.labels === undefined ? 'inferred' : o.labels;
  const manual = Array.isArray(labels) ? (labels as readonly number[]) : null;
  if (labels !== 'inferred' && labels !== null && !manual) {
    throw new DataConfigError(`"labels" must be 'inferred', null, or a list of whole-number labels (one per image file); got ${JSON.stringify(labels)}.`);
  }
  if (manual) {
    const bad = manual.findIndex((l) => !(Number.isInteger(l) && l >= 0));
    if (bad >= 0) throw new DataConfigError(`"labels"[${bad}] is ${JSON.stringify(manual[bad])}: manual labels must be whole numbers >= 0 (class indices).`);
    if (o.classNames !== undefined) {
      throw new DataConfigError('When "labels" is a list, "classNames" cannot be passed: the class names are the sorted distinct labels (as in Keras).');
    }
  }
  if (labels === null && o.classNames !== undefined) throw new DataConfigError('With labels: null (no labels) "classNames" cannot be passed (as in Keras).');
  const labelMode = labels === null ? null : o.labelMode === undefined ? 'int' : o.labelMode;
  if (!LABEL_MODES.includes(labelMode)) throw new DataConfigError(`Unknown labelMode ${JSON.stringify(o.labelMode)}. Use 'int', 'categorical', 'binary' or null.`);
  if (o.cropToAspectRatio && o.padToAspectRatio) throw new DataConfigError('Pass only one of cropToAspectRatio and padToAspectRatio.');
  const size = o.imageSize ?? [256, 256];
  const targetSize: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  const shuffle = o.shuffle ?? true;
  const split = o.validationSplit;
  if (split !== undefined && !(split > 0 && split < 1)) throw new DataConfigError(`"validationSplit" must be a number in (0, 1); got ${split}.`);
  if (o.subset !== undefined && !['training', 'validation', 'both'].includes(o.subset)) {
    throw new DataConfigError(`"subset" must be 'training', 'validation' or 'both'; got ${JSON.stringify(o.subset)}.`);
  }
  if (split && !o.subset) throw new DataConfigError(`validationSplit is set: also pass subset ('training', 'validation' or 'both').`);
  if (o.subset && !split) throw new DataConfigError(`subset: '${o.subset}' needs validationSplit (e.g. 0.2).`);
  if (split && shuffle && o.seed === undefined) {
    throw new DataConfigError('With validationSplit and shuffle, pass a seed: the training and validation datasets must split the same shuffled list.');
  }
  const seed = o.seed ?? Math.floor(Math.random() * 1e6);

  const index: FileIndex =
    labels === null || manual ? indexUnlabelled(directory, { followLinks: o.followLinks }) : indexDirectory(directory, { classes: o.classNames, followLinks: o.followLinks });
  if (manual) applyManualLabels(index, manual, labelMode);
  if (labelMode === 'binary' && index.classNames.length !== 2) {
    throw new DataConfigError(
      `labelMode 'binary' needs exactly 2 classes, but "${index.directory}" has ${index.classNames.length} (${index.classNames.join(', ')}). Use 'int' or 'categorical'.`,
    );
  }
  const verbose = o.verbose !== false;
  if (verbose) {
    console.log(labels === null ? `Found ${index.files.length} files.` : `Found ${index.files.length} files belonging to ${index.classNames.length} classes.`);
  }
  // Keras shuffles the whole list once with the seed, then takes the split off the end (not per class).
  let files = index.files;
  if (shuffle) {
    const perm = new Rng(mixSeed(seed, 0x1dfd)).permutation(files.length);
    files = Array.from(perm, (i) => files[i]);
  }
  const nVal = split ? Math.floor(split * files.length) : 0;
  const parts = { training: files.slice(0, files.length - nVal), validation: files.slice(files.length - nVal) };

  const make = (subsetFiles: typeof files, name: 'training' | 'validation' | null, shuffleEpochs: boolean): ImageDataset => {
    if (name) {
      if (subsetFiles.length === 0) {
        throw new DataConfigError(`The ${name} subset of "${index.directory}" is empty (${files.length} files, validationSplit ${split}). Change validationSplit or add images.`);
      }
      if (verbose) console.log(`Using ${subsetFiles.length} files for ${name}.`);
    }
    const source = new DirectoryIterator(
      index.directory,
      null,
      {
        targetSize,
        colorMode: o.colorMode,
        classMode: labelMode === null ? null : labelMode === 'int' ? 'sparse' : labelMode,
        batchSize: o.batchSize === null ? 1 : o.batchSize ?? 32,
        shuffle: shuffleEpochs,
        seed: mixSeed(seed, name === 'validation' ? 2 : 1),
        interpolation: o.interpolation ?? 'bilinear',
        followLinks: o.followLinks,
        cache: o.cache,
        cacheDir: o.cacheDir,
        onError: o.onError,
        maxImagePixels: o.maxImagePixels,
        prefetchBatches: o.prefetchBatches,
      },
      {
        index: { ...index, files: subsetFiles },
        resizeMode: o.cropToAspectRatio ? 'crop' : o.padToAspectRatio ? 'pad' : 'stretch',
        intLabels: true,
        message: null,
      },
    );
    let ds = source.toDataset();
    if (o.batchSize === null) {
      ds = ds.map((b) => {
        const { xs, ys } = b as Batch;
        return ys ? { xs: xs.squeeze([0]), ys: ys.squeeze([0]) } : { xs: xs.squeeze([0]) };
      }) as unknown as tf.data.Dataset<LabelledBatch>;
    }
    return Object.assign(ds, { classNames: labels === null ? null : index.classNames, filePaths: source.filepaths, source });
  };

  if (o.subset === 'both') {
    // As in Keras, the validation dataset of 'both' is not reshuffled.
    return [make(parts.training, 'training', shuffle), make(parts.validation, 'validation', false)];
  }
  if (o.subset) return make(parts[o.subset], o.subset, shuffle);
  return make(files, null, shuffle);
}

/**
 * Keras's manual labels: one per file of the whole tree, in sorted path order; the class names are the
 * sorted distinct labels as strings, and a label is its own class index.
 */
function applyManualLabels(index: FileIndex, labels: readonly number[], labelMode: DatasetLabelMode): void {
  if (labels.length !== index.files.length) {
    throw new DataConfigError(
      `"labels" has ${labels.length} entries but "${index.directory}" holds ${index.files.length} image files: pass one label per file, ` +
        `in the order of sorted file paths (see filePaths with shuffle: false).`,
    );
  }
  const distinct = [...new Set(labels)].sort((a, b) => a - b);
  index.classNames = distinct.map(String);
  const top = distinct[distinct.length - 1];
  if (labelMode === 'categorical' && top >= distinct.length) {
    throw new DataConfigError(
      `labelMode 'categorical' with manual labels needs the labels 0..${distinct.length - 1} (one per distinct label), but ${top} is among them. ` +
        `Renumber the labels from 0, or use labelMode 'int'.`,
    );
  }
  index.files = index.files.map((f, i) => ({ ...f, label: labels[i] }));
}
