/**
 * imageDatasetFromDirectory: keras.utils.image_dataset_from_directory on the DirectoryIterator core.
 * Differences from Keras: every epoch is a full reshuffle (Keras shuffles within a window of
 * batchSize*8), more formats are read (png, jpg, bmp, gif, webp, tiff, avif), and unreadable files can be
 * skipped (onError: 'skip').
 */
import * as tf from '@tensorflow/tfjs';
import type { ColorMode, Interpolation } from './decode.js';
import { DirectoryIterator, type Batch, type LabelledBatch } from './directory-iterator.js';
import { DataConfigError } from './errors.js';
import { indexDirectory, indexUnlabelled, type FileIndex } from './file-index.js';
import type { CacheMode, OnError } from './image-loader.js';
import { mixSeed, Rng } from '../util/rng.js';

export type DatasetLabelMode = 'int' | 'categorical' | 'binary' | null;

export interface ImageDatasetOptions {
  /** 'inferred' (default): labels from the class subfolders. null: images only, read from the whole tree. */
  labels?: 'inferred' | null;
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
  classNames: string[];
  filePaths: string[];
  /** The DirectoryIterator underneath (classWeights(), skippedFiles, ...). */
  source: DirectoryIterator;
};

const LABEL_MODES: readonly DatasetLabelMode[] = ['int', 'categorical', 'binary', null];

export function imageDatasetFromDirectory(directory: string, options: ImageDatasetOptions & { subset: 'both' }): [ImageDataset, ImageDataset];
export function imageDatasetFromDirectory(directory: string, options?: ImageDatasetOptions): ImageDataset;
export function imageDatasetFromDirectory(directory: string, options: ImageDatasetOptions = {}): ImageDataset | [ImageDataset, ImageDataset] {
  const o = options;
  const labels = o.labels === undefined ? 'inferred' : o.labels;
  if (labels !== 'inferred' && labels !== null) throw new DataConfigError(`"labels" must be 'inferred' or null; got ${JSON.stringify(labels)}.`);
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
    labels === null ? indexUnlabelled(directory, { followLinks: o.followLinks }) : indexDirectory(directory, { classes: o.classNames, followLinks: o.followLinks });
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
    return Object.assign(ds, { classNames: index.classNames, filePaths: source.filepaths, source });
  };

  if (o.subset === 'both') {
    // As in Keras, the validation dataset of 'both' is not reshuffled.
    return [make(parts.training, 'training', shuffle), make(parts.validation, 'validation', false)];
  }
  if (o.subset) return make(parts[o.subset], o.subset, shuffle);
  return make(files, null, shuffle);
}
