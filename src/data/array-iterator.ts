/**
 * ArrayIterator: Keras's NumpyArrayIterator (`ImageDataGenerator.flow`), batches of augmented,
 * standardised images from data already in memory (MNIST-style arrays), for `model.fitDataset` (via
 * `toDataset()`), a `for await` loop, or random access.
 *
 * The images are copied once into shared memory (uint8 when every value is a whole number in 0..255,
 * else float32), so augmentation workers read them without a copy and the caller's arrays and tensors
 * are never touched again. Shuffle order and augmentation depend only on (seed, epoch, position), as
 * in DirectoryIterator: the same seed gives the same batches, in any access order, with any number
 * of augmentation workers.
 */
import tf from '../tf.cjs';
import { EpochOrder } from './epoch-order.js';
import { readArraySync, type ImageArray, type ReadArray, type TargetArray } from './array-input.js';
import { augmentPool } from './augment-pool.js';
import { claimBoard, warpClaimed } from './augment-batch.js';
import { recycleBatchBuffer, takeBatchBuffer, tensorCopies } from './batch-buffers.js';
import { DataConfigError } from './errors.js';
import { epochDataset } from './epoch-loop.js';
import { EpochBatcher } from './epoch-batcher.js';
import type { Subset } from './file-index.js';
import type { DataDtype, IteratorGenerator } from './generator-contract.js';
import type { DatasetSource } from '../contract/train-data.js';
import { checkSaveFormat, saveImages, type SaveFormat } from './save-images.js';
import { mixSeed, randomSeed, Rng } from '../util/rng.js';

export interface FlowOptions {
  /** Default 32. */
  batchSize?: number;
  /** Reshuffle every epoch; default true. */
  shuffle?: boolean;
  /** Seeds the shuffle and the augmentation; default random. */
  seed?: number;
  /** One weight per sample (shape [n] or [n, 1]); batches then carry `sampleWeight` (see ArrayBatch). */
  sampleWeight?: TargetArray;
  /**
   * 'validation': the first floor(n * validationSplit) samples; 'training': the rest (Keras's split,
   * by index). Needs `validationSplit` on the generator.
   */
  subset?: Subset;
  /** Skip the check that every class of y appears in both subsets. */
  ignoreClassSplit?: boolean;
  /** Write every augmented image (before rescale/standardisation) here, to look at them. */
  saveToDir?: string;
  savePrefix?: string;
  saveFormat?: SaveFormat;
  /** Batches augmented ahead (on the augmentation workers) of the one being consumed; default 2. */
  prefetchBatches?: number;
}

/**
 * One batch. `ys` is absent when `flow` got no y (images only, like Keras yielding x alone);
 * `sampleWeight` ([B] float32) only with the `sampleWeight` option.
 */
export type ArrayBatch = {
  xs: tf.Tensor4D;
  ys?: tf.Tensor;
  sampleWeight?: tf.Tensor1D;
};

/** A batch before it becomes tensors: plain arrays, so abandoned prefetches leak nothing. */
interface RawArrayBatch {
  x: Float32Array;
  /** Indices of the batch's samples (in this iterator's range). */
  idx: Int32Array;
}

/** Whether every value is a whole number in 0..255 (then uint8 storage is exact and 4x smaller). */
function fitsUint8(data: ArrayLike<number>, lo: number, hi: number): boolean {
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return true;
  for (let i = lo; i < hi; i++) {
    const v = data[i];
    if (!(v >= 0 && v <= 255 && v === Math.floor(v))) return false;
  }
  return true;
}

/** The classes present in samples [lo, hi) of y: values for label vectors, columns for one-hot rows. */
function classesIn(y: ReadArray, lo: number, hi: number): Set<number> {
  const row = y.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Set<number>();
  if (y.shape.length === 2 && row > 1) {
    for (let i = lo; i < hi; i++) for (let k = 0; k < row; k++) if (y.data[i * row + k] !== 0) out.add(k);
  } else {
    for (let i = lo * row; i < hi * row; i++) out.add(y.data[i]);
  }
  return out;
}

function describeClasses(s: number[]): string {
  return s.length > 10 ? `${s.slice(0, 10).join(', ')} and ${s.length - 10} more` : s.join(', ');
}

export class ArrayIterator extends EpochBatcher<RawArrayBatch, ArrayBatch> implements AsyncIterable<ArrayBatch>, DatasetSource {
  /** Samples in this iterator (its subset). */
  readonly n: number;
  /** Same as `n` (DirectoryIterator's name). */
  readonly samples: number;
  readonly batchSize: number;
  /** [height, width, channels]. */
  readonly imageShape: [number, number, number];
  readonly shuffle: boolean;
  readonly seed: number;
  readonly subset: Subset | null;
  readonly dtype: DataDtype;
  /** Where this iterator's samples start in the x given to `flow` (the validation subset starts at 0). */
  readonly offset: number;
  /** Shape of y ([n, ...]) for this iterator's samples, or null without y. */
  readonly yShape: number[] | null;
  private readonly pixels: Uint8Array | Float32Array;
  private readonly y: Float32Array | Int32Array | null;
  private readonly yRow: number;
  private readonly weights: Float32Array | null;
  private readonly prefetchBatches: number;
  private readonly saveToDir: string | null;
  private readonly savePrefix: string;
  private readonly saveFormat: SaveFormat;
  protected order!: EpochOrder;
  private warnedWeights = false;

  /**
   * Reads `x` (and `y`, `sampleWeight`) once; tensors synchronously (see ImageDataGenerator.flowAsync
   * for backends that cannot, such as webgpu in Node). Usually made by `generator.flow(x, y, options)`.
   */
  constructor(
    x: ImageArray,
    y: TargetArray | null | undefined,
    readonly generator: IteratorGenerator | null,
    options: FlowOptions = {},
  ) {
    super();
    const o = options;
    const rx = readArraySync(x, 'flow(): x');
    if (rx.shape.length !== 4) {
      throw new DataConfigError(
        `flow(): x must be images of rank 4 [n, height, width, channels] (channels last); got shape [${rx.shape}]. ` +
          (rx.shape.length === 3 ? 'For grayscale images [n, h, w], add a channels axis: reshape to [n, h, w, 1].' : ''),
      );
    }
    const [total, h, w, c] = rx.shape;
    if (h === 0 || w === 0 || c === 0) throw new DataConfigError(`flow(): x has an empty image shape [${rx.shape}].`);
    const ry = y === undefined || y === null ? null : readArraySync(y, 'flow(): y');
    if (ry && (ry.shape.length === 0 || ry.shape[0] !== total)) {
      throw new DataConfigError(`flow(): x (images) and y (labels) must have the same length. Found: x.shape = [${rx.shape}], y.shape = [${ry.shape}].`);
    }
    const rw = o.sampleWeight === undefined || o.sampleWeight === null ? null : readArraySync(o.sampleWeight, 'flow(): sampleWeight');
    if (rw && (rw.shape[0] !== total || rw.shape.slice(1).some((d) => d !== 1))) {
      throw new DataConfigError(`flow(): "sampleWeight" must hold one weight per image, shape [${total}]. Found: x.shape = [${rx.shape}], sampleWeight.shape = [${rw.shape}].`);
    }
    const batchSize = o.batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new DataConfigError(`flow(): "batchSize" must be a whole number > 0; got ${batchSize}.`);
    this.batchSize = batchSize;
    const prefetch = o.prefetchBatches ?? 2;
    if (!(Number.isInteger(prefetch) && prefetch >= 0)) throw new DataConfigError(`flow(): "prefetchBatches" must be a whole number >= 0; got ${prefetch}.`);
    this.prefetchBatches = prefetch;

    // Keras's split: by index, validation first.
    if (o.subset !== undefined && o.subset !== null && o.subset !== 'training' && o.subset !== 'validation') {
      throw new DataConfigError(`flow(): "subset" must be 'training' or 'validation'; got ${JSON.stringify(o.subset)}.`);
    }
    this.subset = o.subset ?? null;
    let lo = 0;
    let hi = total;
    if (this.subset) {
      const split = generator?.validationSplit ?? 0;
      if (!split) throw new DataConfigError(`flow(): subset: '${this.subset}' needs a validationSplit on the ImageDataGenerator (e.g. new ImageDataGenerator({validationSplit: 0.2})).`);
      const splitIdx = Math.floor(total * split);
      if (ry && !o.ignoreClassSplit) {
        const val = classesIn(ry, 0, splitIdx);
        const train = classesIn(ry, splitIdx, total);
        const onlyTrain = [...train].filter((k) => !val.has(k)).sort((a, b) => a - b);
        const onlyVal = [...val].filter((k) => !train.has(k)).sort((a, b) => a - b);
        if (onlyTrain.length || onlyVal.length) {
          const parts: string[] = [];
          if (onlyTrain.length) parts.push(`class(es) ${describeClasses(onlyTrain)} only in training`);
          if (onlyVal.length) parts.push(`class(es) ${describeClasses(onlyVal)} only in validation`);
          throw new DataConfigError(
            `flow(): the training and validation subsets have different classes after the split ` +
              `(validationSplit ${split}: samples 0..${splitIdx - 1} are validation, ${splitIdx}..${total - 1} training): ${parts.join('; ')}. ` +
              'If your arrays are sorted by label, shuffle x and y together first; or pass ignoreClassSplit: true to keep this split.',
          );
        }
      }
      if (this.subset === 'validation') hi = splitIdx;
      else lo = splitIdx;
      if (hi === lo) {
        throw new DataConfigError(`flow(): subset '${this.subset}' is empty: validationSplit ${split} of ${total} samples leaves it no sample. Use more samples or another validationSplit.`);
      }
    }
    this.offset = lo;
    this.n = this.samples = hi - lo;
    this.imageShape = [h, w, c];
    const size = h * w * c;

    // One copy into shared memory: workers read it in place, and the caller's data stays untouched.
    const u8 = fitsUint8(rx.data, lo * size, hi * size);
    const bytes = this.n * size * (u8 ? 1 : 4);
    this.pixels = u8 ? new Uint8Array(new SharedArrayBuffer(bytes)) : new Float32Array(new SharedArrayBuffer(bytes));
    const src = rx.data;
    const pixels = this.pixels;
    if (ArrayBuffer.isView(src) && !(src instanceof BigInt64Array) && !(src instanceof BigUint64Array)) {
      pixels.set((src as unknown as Float32Array).subarray(lo * size, hi * size));
    } else {
      for (let i = 0, s = lo * size; i < pixels.length; i++, s++) pixels[i] = src[s];
    }
    if (ry) {
      const row = ry.shape.slice(1).reduce((a, b) => a * b, 1);
      this.yRow = row;
      this.yShape = [this.n, ...ry.shape.slice(1)];
      this.y = ry.int ? new Int32Array(this.n * row) : new Float32Array(this.n * row);
      for (let i = 0, s = lo * row; i < this.y.length; i++, s++) this.y[i] = ry.data[s];
    } else {
      this.yRow = 0;
      this.yShape = null;
      this.y = null;
    }
    this.weights = rw ? Float32Array.from({ length: this.n }, (_, i) => rw.data[lo + i]) : null;

    const mean = generator?.mean;
    if (mean && mean.length !== c && (generator!.featurewiseCenter || generator!.featurewiseStdNormalization)) {
      throw new DataConfigError(`flow(): the generator was fit() on images with ${mean.length} channels, but x has ${c}. Fit it on the same kind of images.`);
    }
    this.shuffle = o.shuffle ?? true;
    this.seed = o.seed ?? randomSeed();
    this.order = new EpochOrder(this.n, this.shuffle, this.seed);
    this.dtype = generator?.dtype ?? 'float32';
    this.saveToDir = o.saveToDir ?? null;
    this.savePrefix = o.savePrefix ?? '';
    this.saveFormat = checkSaveFormat(o.saveFormat ?? 'png');
    if (this.saveToDir && c > 4) throw new DataConfigError(`flow(): "saveToDir" can write images with 1 to 4 channels; x has ${c}.`);
  }

  protected get sampleCount(): number {
    return this.n;
  }

  // Working ahead pays only when the work leaves this thread (warp workers, file writes); otherwise it only holds memory.
  protected prefetchAhead(): number {
    return (this.generator?.augments && augmentPool()) || this.saveToDir ? this.prefetchBatches : 0;
  }

  protected async loadRaw(epoch: number, batch: number, awaited: () => boolean = () => true, tag: object = {}): Promise<RawArrayBatch> {
    const start = batch * this.batchSize;
    const idx = this.indexArray(epoch).slice(start, Math.min(start + this.batchSize, this.n));
    const [h, w, c] = this.imageShape;
    const size = h * w * c;
    const gen = this.generator;
    const pool = gen?.augments ? augmentPool() : null;
    // With workers the batch is warped straight into shared memory (augment-batch.ts).
    const x = takeBatchBuffer(idx.length * size, !!pool);
    // Rescale rides along in the warp pass unless saveToDir wants the images before it.
    const fuse = !this.saveToDir;
    const srcs = Array.from(idx, (i) => this.pixels.subarray(i * size, (i + 1) * size));
    // Each sample's augmentation depends on (seed, epoch, position) only.
    const params = Array.from(idx, (_, j) => (gen ? gen.drawTransform(h, w, new Rng(mixSeed(this.seed, epoch, start + j))) : {}));
    const warps = {
      srcs,
      h,
      w,
      c,
      params,
      fillMode: gen?.augment.fillMode ?? 'nearest',
      cval: gen?.augment.cval ?? 0,
      scale: gen ? gen.transformScale(fuse) : 1,
      out: x,
      claims: claimBoard(idx.length, !!pool),
    } as const;
    if (pool) {
      const done = pool.run(warps, tag);
      if (awaited()) pool.help(tag);
      await done;
    } else {
      warpClaimed(warps);
    }
    if (this.saveToDir) {
      const names = Array.from(idx, (i) => `${this.offset + i}_e${epoch}`);
      const scaling = this.pixels instanceof Uint8Array ? 'clamp' : 'minmax';
      await saveImages(x, h, w, c, names, { dir: this.saveToDir, prefix: this.savePrefix, format: this.saveFormat, scaling });
    }
    if (gen?.standardizesAfter(fuse)) for (let j = 0; j < idx.length; j++) gen.standardizeInto(x, j * size, h, w, c, fuse);
    return { x, idx };
  }

  protected toBatch(raw: RawArrayBatch, withWeights = true): ArrayBatch {
    const [h, w, c] = this.imageShape;
    const n = raw.idx.length;
    const xs = tf.tensor4d(raw.x, [n, h, w, c], this.dtype);
    if (tensorCopies(this.dtype)) recycleBatchBuffer(raw.x);
    const batch: ArrayBatch = { xs };
    if (this.y) {
      const row = this.yRow;
      const ys = this.y instanceof Int32Array ? new Int32Array(n * row) : new Float32Array(n * row);
      for (let j = 0; j < n; j++) ys.set(this.y.subarray(raw.idx[j] * row, (raw.idx[j] + 1) * row), j * row);
      batch.ys = tf.tensor(ys, [n, ...this.yShape!.slice(1)], this.y instanceof Int32Array ? 'int32' : 'float32');
    }
    if (this.weights && withWeights) batch.sampleWeight = tf.tensor1d(Float32Array.from(raw.idx, (i) => this.weights![i]), 'float32');
    return batch;
  }

  /**
   * A tf.data.Dataset of `{xs, ys}` batches for model.fitDataset (`{xs}` without y: for prediction):
   * each pass over it (each epoch) is a new epoch of this iterator, with a new shuffle and new
   * augmentation. Sample weights are left out: tfjs 4.22's fitDataset reads only xs and ys (and would
   * not dispose a third tensor); use getBatch or `for await` with your own loop to apply them.
   */
  toDataset(): tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor }> {
    if (this.weights && !this.warnedWeights) {
      this.warnedWeights = true;
      console.warn(
        'ArrayIterator.toDataset(): the sample weights are left out of the dataset, because tfjs fitDataset cannot use them. ' +
          'Train with getBatch()/for await and a weighted loss to apply them, or use classWeight in fitDataset for per-class weights.',
      );
    }
    return epochDataset(() => this.rawEpoch(), (raw) => this.toBatch(raw, false)) as unknown as tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor }>;
  }
}
