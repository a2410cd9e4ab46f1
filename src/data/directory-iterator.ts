/**
 * DirectoryIterator: batches of decoded, augmented, standardised images from a class-per-subfolder
 * folder, for `model.fitDataset` (via `toDataset()`), a `for await` loop, or random access.
 *
 * Decoding runs in sharp's thread pool, bounded process-wide (decode-pool.ts); while one batch is
 * consumed the next `prefetchBatches` are already being decoded. Shuffle order and augmentation
 * depend only on (seed, epoch, position), so they are reproducible under `seed` whatever the timing.
 */
import * as tf from '@tensorflow/tfjs';
import { EpochOrder } from './epoch-order.js';
import { checkDecodeOptions, DEFAULT_MAX_IMAGE_PIXELS, type ColorMode, type DecodedImage, type Interpolation, type ResizeMode, channelsOf } from './decode.js';
import { DataConfigError } from './errors.js';
import { indexDirectory, splitPerClass, type FileIndex, type Subset } from './file-index.js';
import { ImageLoader, type CacheMode, type OnError } from './image-loader.js';
import type { DataDtype, ImageDataGenerator } from './image-data-generator.js';
import { mixSeed, randomSeed, Rng } from '../util/rng.js';
import { applyTransform } from './augment.js';
import { augmentPool } from './augment-pool.js';
import { epochDataset, prefetchedBatches } from './epoch-loop.js';
import { checkSaveFormat, saveImages, type SaveFormat } from './save-images.js';
import { claimBoard } from './augment-batch.js';
import { recycleBatchBuffer, takeBatchBuffer, tensorCopies } from './batch-buffers.js';

export type ClassMode = 'categorical' | 'binary' | 'sparse' | 'input' | null;
const CLASS_MODES = ['categorical', 'binary', 'sparse', 'input', null, 'none'] as const;
export type { SaveFormat };

export interface FlowFromDirectoryOptions {
  /** [height, width]; default [256, 256]. */
  targetSize?: readonly [number, number];
  colorMode?: ColorMode;
  /** Class folders in label order; default every non-hidden subfolder sorted by code point. */
  classes?: readonly string[];
  /** Default 'categorical'. `null` (or 'none') yields images only. */
  classMode?: ClassMode | 'none';
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  subset?: Subset;
  /** Resampling for the resize; default 'nearest' (Keras). */
  interpolation?: Interpolation;
  /** Centre-crop to the target aspect ratio before resizing (instead of stretching). */
  keepAspectRatio?: boolean;
  followLinks?: boolean;
  /** Write every augmented image (before rescale/standardisation) here, to look at them. */
  saveToDir?: string;
  savePrefix?: string;
  saveFormat?: SaveFormat;
  /** Decoded-pixel cache; default 'auto' (memory when it fits the process-wide budget). */
  cache?: CacheMode;
  /** Folder for cache: 'disk' (default: <tmpdir>/tfjs-tuner-decoded). */
  cacheDir?: string;
  /** 'raise' (default): an unreadable file stops the epoch with an error naming it. 'skip': it is left out. */
  onError?: OnError;
  /** Refuse images with more pixels than this (decompression bombs); default 178,956,970 (PIL's). */
  maxImagePixels?: number;
  /** Batches decoded ahead of the one being consumed; default 2. */
  prefetchBatches?: number;
  /** Print "Found N images belonging to K classes." (default true). */
  verbose?: boolean;
}

/** One batch. `ys` is absent when classMode is null. */
export type Batch = {
  xs: tf.Tensor4D;
  ys?: tf.Tensor;
};

/** What `toDataset()` yields for model.fitDataset (the shape CONTRACTS.md names). */
export type LabelledBatch = {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
};

/** A batch before it becomes tensors: plain arrays, so abandoned prefetches leak nothing. */
interface RawBatch {
  x: Float32Array;
  labels: Int32Array;
  n: number;
}

/** Internal hooks for imageDatasetFromDirectory, which shares this core. */
export interface IteratorInternals {
  index?: FileIndex;
  resizeMode?: ResizeMode;
  /** Sparse labels as int32 [B] (image_dataset_from_directory's 'int') instead of float32 [B]. */
  intLabels?: boolean;
  message?: string | null;
}

export class DirectoryIterator implements AsyncIterable<Batch> {
  readonly directory: string;
  readonly classNames: string[];
  readonly classIndices: Record<string, number>;
  /** Class index of every sample, in index order (never shuffled). */
  readonly classes: Int32Array;
  readonly filenames: string[];
  readonly filepaths: string[];
  readonly samples: number;
  readonly numClasses: number;
  readonly batchSize: number;
  readonly classMode: ClassMode;
  /** [height, width, channels]. */
  readonly imageShape: [number, number, number];
  readonly shuffle: boolean;
  readonly seed: number;
  readonly subset: Subset | null;
  readonly dtype: DataDtype;
  /** The decoded-pixel cache in use ('auto' resolved). */
  readonly cache: Exclude<CacheMode, 'auto'>;
  /** Current epoch (0-based): selects the shuffle order and augmentation of getBatch(). */
  epoch = 0;
  private readonly loader: ImageLoader;
  private readonly prefetchBatches: number;
  private readonly intLabels: boolean;
  private readonly saveToDir: string | null;
  private readonly savePrefix: string;
  private readonly saveFormat: SaveFormat;
  private order!: EpochOrder;

  constructor(
    directory: string,
    readonly generator: ImageDataGenerator | null,
    options: FlowFromDirectoryOptions = {},
    internals: IteratorInternals = {},
  ) {
    const o = options;
    const targetSize = o.targetSize ?? [256, 256];
    const colorMode = o.colorMode ?? 'rgb';
    const decode = {
      targetSize,
      colorMode,
      interpolation: o.interpolation ?? 'nearest',
      resizeMode: internals.resizeMode ?? (o.keepAspectRatio ? 'crop' : 'stretch'),
      maxImagePixels: o.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
    } as const;
    checkDecodeOptions(decode);
    const classMode = o.classMode === undefined ? 'categorical' : o.classMode === 'none' ? null : o.classMode;
    if (!CLASS_MODES.includes(classMode)) {
      throw new DataConfigError(`Unknown classMode "${o.classMode}". Use one of: categorical, binary, sparse, input, or null for images only.`);
    }
    this.classMode = classMode;
    const batchSize = o.batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new DataConfigError(`"batchSize" must be a whole number > 0; got ${batchSize}.`);
    this.batchSize = batchSize;
    if (o.subset !== undefined && o.subset !== 'training' && o.subset !== 'validation') {
      throw new DataConfigError(`"subset" must be 'training' or 'validation'; got ${JSON.stringify(o.subset)}.`);
    }
    this.subset = o.subset ?? null;
    const split = generator?.validationSplit ?? 0;
    if (this.subset && !split && !internals.index) {
      throw new DataConfigError(`subset: '${this.subset}' needs a validationSplit on the ImageDataGenerator (e.g. new ImageDataGenerator({validationSplit: 0.2})).`);
    }

    let index = internals.index ?? indexDirectory(directory, { classes: o.classes, followLinks: o.followLinks });
    if (this.subset && !internals.index) index = splitPerClass(index, split, this.subset);
    if (classMode === 'binary' && index.classNames.length !== 2) {
      throw new DataConfigError(
        `classMode 'binary' needs exactly 2 classes, but "${index.directory}" has ${index.classNames.length} (${index.classNames.join(', ')}). ` +
          `Use 'categorical' or 'sparse' for more classes, or pass classes: [negative, positive].`,
      );
    }
    this.directory = index.directory;
    this.classNames = index.classNames;
    this.numClasses = index.classNames.length;
    this.classIndices = Object.fromEntries(index.classNames.map((c, i) => [c, i]));
    this.classes = Int32Array.from(index.files, (f) => f.label);
    this.filenames = index.files.map((f) => f.filename);
    this.filepaths = index.files.map((f) => f.filepath);
    this.samples = index.files.length;
    this.imageShape = [targetSize[0], targetSize[1], channelsOf(colorMode)];
    this.shuffle = o.shuffle ?? true;
    this.seed = o.seed ?? randomSeed();
    this.order = new EpochOrder(this.samples, this.shuffle, this.seed);
    this.dtype = generator?.dtype ?? 'float32';
    this.intLabels = !!internals.intLabels;
    const prefetch = o.prefetchBatches ?? 2;
    if (!(Number.isInteger(prefetch) && prefetch >= 0)) throw new DataConfigError(`"prefetchBatches" must be a whole number >= 0; got ${prefetch}.`);
    this.prefetchBatches = prefetch;
    this.loader = new ImageLoader(index.files, { decode, cache: o.cache ?? 'auto', cacheDir: o.cacheDir, onError: o.onError ?? 'raise' });
    this.cache = this.loader.cache;
    this.saveToDir = o.saveToDir ?? null;
    this.savePrefix = o.savePrefix ?? '';
    this.saveFormat = checkSaveFormat(o.saveFormat ?? 'png');
    const message = internals.message === undefined ? `Found ${this.samples} images belonging to ${this.numClasses} classes.` : internals.message;
    if (message && o.verbose !== false) console.log(message);
  }

  /** Batches per epoch: ceil(samples / batchSize). */
  get length(): number {
    return Math.ceil(this.samples / this.batchSize);
  }

  /** Files left out so far under onError: 'skip'. */
  get skippedFiles(): string[] {
    return [...this.loader.skipped.keys()];
  }

  /** The sample order of an epoch. */
  indexArray(epoch = this.epoch): Int32Array {
    return this.order.of(epoch);
  }

  /** Starts a new epoch: a new shuffle order and new augmentation (Keras's on_epoch_end). */
  onEpochEnd(): void {
    this.epoch++;
  }

  /** Back to the first epoch: under a seed, the same batches as from a fresh iterator. */
  reset(): void {
    this.epoch = 0;
  }

  /** Balanced class weights n / (k * count_c) for fit's `classWeight` (1 for a class with no samples). */
  classWeights(): Record<number, number> {
    const counts = new Array<number>(this.numClasses).fill(0);
    for (const c of this.classes) counts[c]++;
    const out: Record<number, number> = {};
    counts.forEach((n, c) => {
      out[c] = n ? this.samples / (this.numClasses * n) : 1;
    });
    return out;
  }

  /**
   * Loads one batch. `awaited()` tells whether the consumer is waiting for it right now; `tag` names
   * the batch for the augmentation pool, which leaves batches loaded ahead to its workers while the
   * consumer trains and lets this thread help with the batch being waited for (augment-pool.ts).
   */
  private async loadRaw(epoch: number, batch: number, awaited: () => boolean = () => true, tag: object = {}): Promise<RawBatch> {
    const order = this.indexArray(epoch);
    const start = batch * this.batchSize;
    const idx = order.slice(start, Math.min(start + this.batchSize, this.samples));
    const [h, w, c] = this.imageShape;
    const size = h * w * c;
    const gen = this.generator;
    const pool = gen?.augments ? augmentPool() : null;
    // With workers the batch is warped straight into shared memory (augment-batch.ts).
    const x = takeBatchBuffer(idx.length * size, !!pool);
    const kept = new Uint8Array(idx.length);
    const srcs: Array<Uint8Array | null> = new Array(idx.length).fill(null);
    // Rescale rides along in the transform pass unless saveToDir wants the 0-255 images first.
    const fuse = !this.saveToDir;
    const scale = gen ? gen.transformScale(fuse) : 1;
    const fillMode = gen?.augment.fillMode ?? 'nearest';
    const cval = gen?.augment.cval ?? 0;
    // Each sample's augmentation depends on (seed, epoch, position) only.
    const transformOf = (j: number) => gen!.drawTransform(h, w, new Rng(mixSeed(this.seed, epoch, start + j)));
    await Promise.all(
      Array.from(idx, async (i, j) => {
        const img = await this.loader.load(i);
        if (!img) return; // skipped under onError: 'skip'
        if (img.height !== h || img.width !== w || img.channels !== c) {
          throw new Error(`internal: decoded ${this.filepaths[i]} to ${img.height}x${img.width}x${img.channels}, expected ${h}x${w}x${c}`);
        }
        kept[j] = 1;
        if (pool) srcs[j] = img.data;
        else if (gen) applyTransform(img.data, h, w, c, transformOf(j), fillMode, cval, x, j * size, scale); // as soon as decoded
        else for (let k = 0, o = j * size; k < size; k++) x[o + k] = img.data[k];
      }),
    );
    if (pool) {
      const params = srcs.map((src, j) => (src ? transformOf(j) : {}));
      const done = pool.run({ srcs, h, w, c, params, fillMode, cval, scale, out: x, claims: claimBoard(idx.length, true) }, tag);
      if (awaited()) pool.help(tag);
      await done;
    }
    let n = 0;
    const labels = new Int32Array(idx.length);
    const sampleIds: number[] = [];
    for (let j = 0; j < idx.length; j++) {
      if (!kept[j]) continue;
      if (n !== j) x.copyWithin(n * size, j * size, (j + 1) * size);
      labels[n] = this.classes[idx[j]];
      sampleIds.push(idx[j]);
      n++;
    }
    if (this.saveToDir) await this.save(x, n, sampleIds, epoch);
    if (gen?.standardizesAfter(fuse)) for (let j = 0; j < n; j++) gen.standardizeInto(x, j * size, h, w, c, fuse);
    if (n === idx.length) return { x, labels, n };
    const short = x.slice(0, n * size);
    recycleBatchBuffer(x);
    return { x: short, labels: labels.slice(0, n), n };
  }

  private async save(x: Float32Array, n: number, sampleIds: number[], epoch: number): Promise<void> {
    const [h, w, c] = this.imageShape;
    const names = sampleIds.slice(0, n).map((sample) => `${sample}_e${epoch}`);
    await saveImages(x, h, w, c, names, { dir: this.saveToDir!, prefix: this.savePrefix, format: this.saveFormat, scaling: 'clamp' });
  }

  private toBatch(raw: RawBatch): Batch {
    const [h, w, c] = this.imageShape;
    const n = raw.n;
    const xs = tf.tensor4d(raw.x, [n, h, w, c], this.dtype);
    if (tensorCopies(this.dtype)) recycleBatchBuffer(raw.x);
    const k = this.numClasses;
    switch (this.classMode) {
      case null:
        return { xs };
      case 'input':
        return { xs, ys: xs.clone() };
      case 'binary':
        return { xs, ys: tf.tensor2d(Float32Array.from(raw.labels), [n, 1], 'float32') };
      case 'sparse':
        return { xs, ys: this.intLabels ? tf.tensor1d(raw.labels, 'int32') : tf.tensor1d(Float32Array.from(raw.labels), 'float32') };
      case 'categorical': {
        const y = new Float32Array(n * k);
        for (let j = 0; j < n; j++) y[j * k + raw.labels[j]] = 1;
        return { xs, ys: tf.tensor2d(y, [n, k], 'float32') };
      }
    }
  }

  /** Batch i of the current epoch (random access; the last batch may be short). The caller disposes it. */
  async getBatch(i: number): Promise<Batch> {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new RangeError(`Batch index ${i} is out of range: this iterator has ${this.length} batches (0..${this.length - 1}).`);
    }
    return this.toBatch(await this.loadRaw(this.epoch, i));
  }

  private reportSkipped(): void {
    const fresh = this.loader.takeUnreported();
    if (fresh.length === 0) return;
    const shown = fresh.slice(0, 5).map((p) => `  ${p}: ${this.loader.skipped.get(p)?.split('. ')[0]}`);
    console.warn(
      `Skipped ${fresh.length} unreadable image(s) in "${this.directory}" (onError: 'skip'; ${this.loader.skipped.size} in all so far, see iterator.skippedFiles):\n` +
        shown.join('\n') +
        (fresh.length > 5 ? `\n  ... and ${fresh.length - 5} more` : ''),
    );
  }

  /**
   * One epoch of raw batches. While the consumer holds batch i (training on it), batches
   * i+1 .. i+prefetchBatches are loading, and no more: memory stays at a few batches.
   * Advances the epoch when done or abandoned.
   */
  private async *rawEpoch(): AsyncGenerator<RawBatch> {
    const epoch = this.epoch;
    try {
      for await (const raw of prefetchedBatches(this.length, this.prefetchBatches, (b, awaited, tag) => this.loadRaw(epoch, b, awaited, tag))) {
        if (raw.n > 0) yield raw;
      }
    } finally {
      this.reportSkipped();
      if (this.epoch === epoch) this.onEpochEnd();
    }
  }

  /** Iterates one epoch of batches (tensors the caller disposes), then moves to the next epoch. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for await (const raw of this.rawEpoch()) yield this.toBatch(raw);
  }

  /**
   * A tf.data.Dataset of `{xs, ys}` batches for model.fitDataset: each pass over it (each epoch) is a
   * new epoch of this iterator, with a new shuffle and new augmentation. (With classMode null the
   * elements are `{xs}` only: such a dataset is for prediction, not for fit.)
   */
  toDataset(): tf.data.Dataset<LabelledBatch> {
    return epochDataset(() => this.rawEpoch(), (raw) => this.toBatch(raw)) as unknown as tf.data.Dataset<LabelledBatch>;
  }

  /** The decoded (not augmented) images in index order: for fit() and inspection. */
  async *decodedImages(): AsyncGenerator<DecodedImage> {
    const ahead = Math.max(4, this.batchSize);
    const pending: Array<Promise<DecodedImage | null>> = [];
    let next = 0;
    while (next < this.samples || pending.length) {
      while (next < this.samples && pending.length < ahead) {
        const p = this.loader.load(next++);
        p.catch(() => undefined);
        pending.push(p);
      }
      const img = await pending.shift()!;
      if (img) yield img;
    }
    this.reportSkipped();
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
