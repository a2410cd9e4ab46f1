/**
 * The core that DirectoryIterator and DataFrameIterator share: batches of decoded, augmented,
 * standardised images from an explicit list of files (a FileIndex), for `model.fitDataset` (via
 * `toDataset()`), a `for await` loop, or random access. Subclasses decide where the list comes from
 * (class folders, or records) and what the targets of a batch are (`targets`).
 *
 * Decoding runs in sharp's thread pool, bounded process-wide (decode-pool.ts); while one batch is
 * consumed the next `prefetchBatches` are already being decoded. Shuffle order and augmentation
 * depend only on (seed, epoch, position), so they are reproducible under `seed` whatever the timing.
 */
import tf from '../tf.cjs';
import { EpochOrder } from './epoch-order.js';
import { checkDecodeOptions, DEFAULT_MAX_IMAGE_PIXELS, type ColorMode, type DecodedImage, type DecodeOptions, type Interpolation, type ResizeMode, channelsOf } from './decode.js';
import { DataConfigError } from './errors.js';
import type { FileIndex, Subset } from './file-index.js';
import { ImageLoader, type CacheMode, type OnError } from './image-loader.js';
import type { DataDtype, IteratorGenerator } from './generator-contract.js';
import { mixSeed, randomSeed, Rng } from '../util/rng.js';
import { applyTransform } from './augment.js';
import { augmentPool } from './augment-pool.js';
import { epochDataset } from './epoch-loop.js';
import { EpochBatcher } from './epoch-batcher.js';
import { checkSaveFormat, saveImages, type SaveFormat } from './save-images.js';
import { claimBoard } from './augment-batch.js';
import { recycleBatchBuffer, takeBatchBuffer, tensorCopies } from './batch-buffers.js';

/** Options every file iterator takes (how images are read, batched, cached and saved). */
export interface FileIteratorOptions {
  /** [height, width]; default [256, 256]. */
  targetSize?: readonly [number, number];
  colorMode?: ColorMode;
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  subset?: Subset;
  /** Resampling for the resize; default 'nearest' (Keras). */
  interpolation?: Interpolation;
  /** Centre-crop to the target aspect ratio before resizing (instead of stretching). */
  keepAspectRatio?: boolean;
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
  /** Print the "Found N images ..." line (default true). */
  verbose?: boolean;
}

/** A batch before it becomes tensors: plain arrays, so abandoned prefetches leak nothing. */
export interface RawBatch {
  x: Float32Array;
  /** The sample index (into `filepaths`) of each image kept, in batch order. */
  ids: Int32Array;
  n: number;
}

/** What the subclass sets up before the core runs. */
export interface CoreSetup {
  index: FileIndex;
  resizeMode?: ResizeMode;
  /** Printed once unless `verbose: false`; null prints nothing. */
  message: string | null;
}

/** Reads and checks `subset` and `batchSize` (the subclass needs them before indexing). */
export function readSubset(subset: unknown, what = ''): Subset | null {
  if (subset !== undefined && subset !== null && subset !== 'training' && subset !== 'validation') {
    throw new DataConfigError(`${what}"subset" must be 'training' or 'validation'; got ${JSON.stringify(subset)}.`);
  }
  return (subset as Subset | undefined) ?? null;
}

/**
 * The decode options (and so the decoded-cache keys) an image-file iterator derives from its options:
 * the one place these defaults live (worker data sources share decoded pixels under the same keys).
 */
export function decodeOptionsOf(o: FileIteratorOptions, resizeMode?: ResizeMode): DecodeOptions & { targetSize: readonly [number, number]; colorMode: ColorMode } {
  return {
    targetSize: o.targetSize ?? [256, 256],
    colorMode: o.colorMode ?? 'rgb',
    interpolation: o.interpolation ?? 'nearest',
    resizeMode: resizeMode ?? (o.keepAspectRatio ? 'crop' : 'stretch'),
    maxImagePixels: o.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
  };
}

export abstract class ImageFileIterator<B extends { xs: tf.Tensor4D }> extends EpochBatcher<RawBatch, B> implements AsyncIterable<B> {
  readonly directory: string;
  readonly filenames: string[];
  readonly filepaths: string[];
  readonly samples: number;
  readonly batchSize: number;
  /** [height, width, channels]. */
  readonly imageShape: [number, number, number];
  readonly shuffle: boolean;
  readonly seed: number;
  readonly subset: Subset | null;
  readonly dtype: DataDtype;
  /** The decoded-pixel cache in use ('auto' resolved). */
  readonly cache: Exclude<CacheMode, 'auto'>;
  private readonly loader: ImageLoader;
  private readonly prefetchBatches: number;
  private readonly saveToDir: string | null;
  private readonly savePrefix: string;
  private readonly saveFormat: SaveFormat;
  protected readonly order: EpochOrder;

  protected constructor(
    readonly generator: IteratorGenerator | null,
    options: FileIteratorOptions,
    setup: CoreSetup,
  ) {
    super();
    const o = options;
    const decode = decodeOptionsOf(o, setup.resizeMode);
    const { targetSize, colorMode } = decode;
    checkDecodeOptions(decode);
    const batchSize = o.batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new DataConfigError(`"batchSize" must be a whole number > 0; got ${batchSize}.`);
    this.batchSize = batchSize;
    this.subset = readSubset(o.subset);
    const index = setup.index;
    this.directory = index.directory;
    this.filenames = index.files.map((f) => f.filename);
    this.filepaths = index.files.map((f) => f.filepath);
    this.samples = index.files.length;
    this.imageShape = [targetSize[0], targetSize[1], channelsOf(colorMode)];
    this.shuffle = o.shuffle ?? true;
    this.seed = o.seed ?? randomSeed();
    this.order = new EpochOrder(this.samples, this.shuffle, this.seed);
    this.dtype = generator?.dtype ?? 'float32';
    const prefetch = o.prefetchBatches ?? 2;
    if (!(Number.isInteger(prefetch) && prefetch >= 0)) throw new DataConfigError(`"prefetchBatches" must be a whole number >= 0; got ${prefetch}.`);
    this.prefetchBatches = prefetch;
    this.loader = new ImageLoader(index.files, { decode, cache: o.cache ?? 'auto', cacheDir: o.cacheDir, onError: o.onError ?? 'raise' });
    this.cache = this.loader.cache;
    this.saveToDir = o.saveToDir ?? null;
    this.savePrefix = o.savePrefix ?? '';
    this.saveFormat = checkSaveFormat(o.saveFormat ?? 'png');
    if (setup.message && o.verbose !== false) console.log(setup.message);
  }

  /** The targets (and anything else) of a batch of samples `ids`, whose images are `xs`. */
  protected abstract targets(ids: Int32Array, xs: tf.Tensor4D, forDataset: boolean): Omit<B, 'xs'>;

  protected get sampleCount(): number {
    return this.samples;
  }

  protected prefetchAhead(): number {
    return this.prefetchBatches;
  }

  protected keep(raw: RawBatch): boolean {
    return raw.n > 0;
  }

  protected epochPassEnded(): void {
    this.reportSkipped();
  }

  /** Files left out so far under onError: 'skip'. */
  get skippedFiles(): string[] {
    return [...this.loader.skipped.keys()];
  }

  /**
   * Loads one batch. `awaited()` tells whether the consumer is waiting for it right now; `tag` names
   * the batch for the augmentation pool, which leaves batches loaded ahead to its workers while the
   * consumer trains and lets this thread help with the batch being waited for (augment-pool.ts).
   */
  protected async loadRaw(epoch: number, batch: number, awaited: () => boolean = () => true, tag: object = {}): Promise<RawBatch> {
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
    const place = (img: DecodedImage | null, i: number, j: number) => {
      if (!img) return; // skipped under onError: 'skip'
      if (img.height !== h || img.width !== w || img.channels !== c) {
        throw new Error(`internal: decoded ${this.filepaths[i]} to ${img.height}x${img.width}x${img.channels}, expected ${h}x${w}x${c}`);
      }
      kept[j] = 1;
      if (pool) srcs[j] = img.data;
      else if (gen) applyTransform(img.data, h, w, c, transformOf(j), fillMode, cval, x, j * size, scale); // as soon as decoded
      else x.set(img.data, j * size);
    };
    // Cache hits and small PNGs are placed at once; only the rest wait for a decode.
    const pending: Array<Promise<void>> = [];
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j];
      const img = this.loader.loadSync(i);
      if (img === undefined) pending.push(this.loader.load(i).then((got) => place(got, i, j)));
      else place(img, i, j);
    }
    await Promise.all(pending);
    if (pool) {
      const params = srcs.map((src, j) => (src ? transformOf(j) : {}));
      const done = pool.run({ srcs, h, w, c, params, fillMode, cval, scale, out: x, claims: claimBoard(idx.length, true) }, tag);
      if (awaited()) pool.help(tag);
      await done;
    }
    let n = 0;
    const ids = new Int32Array(idx.length);
    for (let j = 0; j < idx.length; j++) {
      if (!kept[j]) continue;
      if (n !== j) x.copyWithin(n * size, j * size, (j + 1) * size);
      ids[n++] = idx[j];
    }
    if (this.saveToDir) await this.save(x, ids.subarray(0, n), epoch);
    if (gen?.standardizesAfter(fuse)) for (let j = 0; j < n; j++) gen.standardizeInto(x, j * size, h, w, c, fuse);
    if (n === idx.length) return { x, ids, n };
    const short = x.slice(0, n * size);
    recycleBatchBuffer(x);
    return { x: short, ids: ids.slice(0, n), n };
  }

  private async save(x: Float32Array, ids: Int32Array, epoch: number): Promise<void> {
    const [h, w, c] = this.imageShape;
    const names = Array.from(ids, (sample) => `${sample}_e${epoch}`);
    await saveImages(x, h, w, c, names, { dir: this.saveToDir!, prefix: this.savePrefix, format: this.saveFormat, scaling: 'clamp' });
  }

  protected toBatch(raw: RawBatch, forDataset = false): B {
    const [h, w, c] = this.imageShape;
    const xs = tf.tensor4d(raw.x, [raw.n, h, w, c], this.dtype);
    if (tensorCopies(this.dtype)) recycleBatchBuffer(raw.x);
    return { xs, ...this.targets(raw.ids, xs, forDataset) } as B;
  }

  private reportSkipped(): void {
    const fresh = this.loader.takeUnreported();
    if (fresh.length === 0) return;
    const shown = fresh.slice(0, 5).map((p) => `  ${p}: ${this.loader.skipped.get(p)?.split('. ')[0]}`);
    console.warn(
      `Skipped ${fresh.length} unreadable image(s)${this.directory ? ` in "${this.directory}"` : ''} (onError: 'skip'; ${this.loader.skipped.size} in all so far, see iterator.skippedFiles):\n` +
        shown.join('\n') +
        (fresh.length > 5 ? `\n  ... and ${fresh.length - 5} more` : ''),
    );
  }

  /**
   * A tf.data.Dataset of batches for model.fitDataset: each pass over it (each epoch) is a new epoch
   * of this iterator, with a new shuffle and new augmentation.
   */
  protected batchDataset(): tf.data.Dataset<B> {
    return epochDataset(() => this.rawEpoch(), (raw) => this.toBatch(raw, true) as unknown as tf.TensorContainer) as unknown as tf.data.Dataset<B>;
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

/** Balanced class weights n / (k * count_c) for fit's `classWeight` (1 for a class with no samples). */
export function balancedClassWeights(classes: ArrayLike<number>, numClasses: number): Record<number, number> {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < classes.length; i++) counts[classes[i]]++;
  const out: Record<number, number> = {};
  counts.forEach((n, c) => {
    out[c] = n ? classes.length / (numClasses * n) : 1;
  });
  return out;
}
