/**
 * ImageDataGenerator: Keras's augmentation + standardisation settings, applied to images as they are
 * batched by a DirectoryIterator (`flowFromDirectory`), a DataFrameIterator (`flowFromDataframe`, files named in records) or an ArrayIterator (`flow`, in-memory arrays);
 * see augment.ts for the transform order.
 *
 * Per image, in this order:
 *   1. random transform (augment.ts): warp with flips, channel shift, brightness;
 *   2. standardize: preprocessingFunction, x *= rescale, samplewise centre, samplewise std,
 *      featurewise centre, featurewise std (Keras's order: rescale comes after preprocessingFunction,
 *      not "after all other transformations" as its docstring says).
 */
import { checkOptionKeys, optionKeys } from '../util/option-keys.js';
import tf from '../tf.cjs';
import { applyTransform, FILL_MODES, randomTransform, type AugmentConfig, type FillMode, type ShiftRange, type TransformParams } from './augment.js';
import { DataConfigError } from './errors.js';
import { Rng, randomSeed } from '../util/rng.js';
import { DirectoryIterator, type FlowFromDirectoryOptions } from './directory-iterator.js';
import { ArrayIterator, type FlowOptions } from './array-iterator.js';
import { DataFrameIterator, type FlowFromDataframeOptions } from './dataframe-iterator.js';
import type { DataFrameRecord } from './dataframe-index.js';
import { ImageFileIterator, type FileIteratorOptions } from './file-iterator.js';
import { readArrayAsync, readArraySync, type ArrayWithShape, type ImageArray, type NestedArray, type TargetArray } from './array-input.js';

export type { DataDtype } from './generator-contract.js';
import type { DataDtype, IteratorGenerator } from './generator-contract.js';

export interface ImageDataGeneratorOptions {
  /** Multiply every pixel by this (e.g. 1/255). Applied after preprocessingFunction. */
  rescale?: number;
  /** Runs on each augmented image (HWC, 0-255 floats) before rescale; must return the same shape. */
  preprocessingFunction?: (image: tf.Tensor3D) => tf.Tensor3D;
  /** Degrees: rotation drawn from U(-r, r) about the image centre. */
  rotationRange?: number;
  /** Fraction of the width (< 1), pixels (>= 1; an integer k draws whole pixels in (-k, k)), or a list. */
  widthShiftRange?: ShiftRange;
  /** Same, along the height. */
  heightShiftRange?: ShiftRange;
  /** Degrees of shear, U(-s, s). */
  shearRange?: number;
  /** z gives [1 - z, 1 + z]; or [lo, hi]. Above 1 zooms out. */
  zoomRange?: number | readonly [number, number];
  /** Use one zoom factor for both axes (no stretching). Keras draws two independent factors; default false. */
  uniformZoom?: boolean;
  /** [lo, hi] brightness factor. */
  brightnessRange?: readonly [number, number];
  /** Intensity shift U(-c, c) added to all channels. */
  channelShiftRange?: number;
  horizontalFlip?: boolean;
  verticalFlip?: boolean;
  /** How points outside the image are filled: constant (cval), nearest, reflect, wrap. Default nearest. */
  fillMode?: FillMode;
  cval?: number;
  /**
   * Keras's interpolation_order for rotation, shift, shear and zoom: 1 (default) bilinear, 0 nearest
   * source pixel (keeps label values intact, e.g. for masks).
   */
  interpolationOrder?: number;
  samplewiseCenter?: boolean;
  samplewiseStdNormalization?: boolean;
  /** Needs `fit()` first. */
  featurewiseCenter?: boolean;
  /** Needs `fit()` first. */
  featurewiseStdNormalization?: boolean;
  /**
   * Fraction in (0, 1) held out for `subset: 'validation'`: per class with flowFromDirectory, the
   * first floor(n * validationSplit) samples with flow (Keras's split).
   */
  validationSplit?: number;
  /** dtype of the image tensors; default float32. */
  dtype?: DataDtype;
}

export interface GeneratorFitOptions {
  /** Also fit on randomly augmented copies (rounds of them). */
  augment?: boolean;
  rounds?: number;
  seed?: number;
}

/** Where `fit` reads from: images [n, h, w, c] (tensor, nested arrays or data + shape), a folder path (with flow options), or an iterator. */
export type FitSource = tf.Tensor4D | ArrayWithShape | NestedArray | string | DirectoryIterator | DataFrameIterator;

const STD_EPS = 1e-6;

function checkNonNegative(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new DataConfigError(`"${name}" must be a number >= 0; got ${JSON.stringify(v)}.`);
  }
  return v;
}

function checkShift(name: string, v: ShiftRange | undefined): ShiftRange {
  if (v === undefined) return 0;
  if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new DataConfigError(`"${name}" must be a number or a list of numbers; got ${JSON.stringify(v)}.`);
    return [...v];
  }
  return checkNonNegative(name, v);
}

/** The options each accepts, to reject Keras spellings and typos (see checkOptionKeys). */
export const GENERATOR_KEYS = ['rescale', 'preprocessingFunction', 'rotationRange', 'widthShiftRange', 'heightShiftRange', 'shearRange',
  'zoomRange', 'uniformZoom', 'brightnessRange', 'channelShiftRange', 'horizontalFlip', 'verticalFlip', 'fillMode', 'cval',
  'samplewiseCenter', 'samplewiseStdNormalization', 'featurewiseCenter', 'featurewiseStdNormalization', 'validationSplit', 'dtype', 'interpolationOrder'];
const FILE_ITERATOR_KEYS = optionKeys<FileIteratorOptions>({
  targetSize: true, colorMode: true, batchSize: true, shuffle: true, seed: true, subset: true, interpolation: true, keepAspectRatio: true,
  saveToDir: true, savePrefix: true, saveFormat: true, cache: true, cacheDir: true, onError: true, maxImagePixels: true, prefetchBatches: true,
  verbose: true,
});
export const FLOW_FROM_DIRECTORY_KEYS = [...FILE_ITERATOR_KEYS, 'classes', 'classMode', 'followLinks'];
export const FLOW_FROM_DATAFRAME_KEYS = [...FILE_ITERATOR_KEYS, ...optionKeys<Omit<FlowFromDataframeOptions, keyof FileIteratorOptions>>({
  directory: true, xCol: true, yCol: true, weightCol: true, classes: true, classMode: true, validateFilenames: true,
})];
const FIT_KEYS = [...optionKeys<GeneratorFitOptions>({ augment: true, rounds: true, seed: true }), ...FLOW_FROM_DIRECTORY_KEYS];
const FLOW_KEYS = optionKeys<FlowOptions>({
  batchSize: true, shuffle: true, seed: true, sampleWeight: true, subset: true, ignoreClassSplit: true, saveToDir: true, savePrefix: true,
  saveFormat: true, prefetchBatches: true,
});

export class ImageDataGenerator implements IteratorGenerator {
  readonly rescale: number | null;
  readonly preprocessingFunction: ((image: tf.Tensor3D) => tf.Tensor3D) | null;
  readonly augment: AugmentConfig;
  readonly samplewiseCenter: boolean;
  readonly samplewiseStdNormalization: boolean;
  readonly featurewiseCenter: boolean;
  readonly featurewiseStdNormalization: boolean;
  readonly validationSplit: number;
  readonly dtype: DataDtype;
  /** Per-channel mean and std set by `fit()`. */
  mean: Float32Array | null = null;
  std: Float32Array | null = null;
  private warnedUnfit = false;

  constructor(options: ImageDataGeneratorOptions = {}) {
    const o = options;
    checkOptionKeys('new ImageDataGenerator()', o, GENERATOR_KEYS, (m) => new DataConfigError(m));
    if (o.rescale !== undefined && (typeof o.rescale !== 'number' || !Number.isFinite(o.rescale))) {
      throw new DataConfigError(`"rescale" must be a number (e.g. 1/255); got ${JSON.stringify(o.rescale)}.`);
    }
    this.rescale = o.rescale ? o.rescale : null;
    if (o.preprocessingFunction !== undefined && typeof o.preprocessingFunction !== 'function') {
      throw new DataConfigError('"preprocessingFunction" must be a function (image: tf.Tensor3D) => tf.Tensor3D.');
    }
    this.preprocessingFunction = o.preprocessingFunction ?? null;
    let zoom: [number, number];
    if (o.zoomRange === undefined) zoom = [1, 1];
    else if (typeof o.zoomRange === 'number') {
      const z = checkNonNegative('zoomRange', o.zoomRange);
      zoom = [1 - z, 1 + z];
    } else if (Array.isArray(o.zoomRange) && o.zoomRange.length === 2 && o.zoomRange.every((x) => Number.isFinite(x) && x > 0)) {
      zoom = [o.zoomRange[0], o.zoomRange[1]];
    } else {
      throw new DataConfigError(`"zoomRange" must be a number or [lo, hi] with lo, hi > 0; got ${JSON.stringify(o.zoomRange)}.`);
    }
    if (zoom[0] <= 0) throw new DataConfigError(`"zoomRange" ${JSON.stringify(o.zoomRange)} allows a zoom factor <= 0; keep it below 1.`);
    let brightness: [number, number] | null = null;
    if (o.brightnessRange !== undefined && o.brightnessRange !== null) {
      const b = o.brightnessRange;
      if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => Number.isFinite(x) && x >= 0)) {
        throw new DataConfigError(`"brightnessRange" must be [lo, hi] (two factors >= 0, e.g. [0.8, 1.2]); got ${JSON.stringify(b)}.`);
      }
      brightness = [b[0], b[1]];
    }
    const fillMode = o.fillMode ?? 'nearest';
    if (!FILL_MODES.includes(fillMode)) throw new DataConfigError(`Unknown fillMode "${fillMode}". Use one of: ${FILL_MODES.join(', ')}.`);
    const order = o.interpolationOrder ?? 1;
    if (order !== 0 && order !== 1) {
      throw new DataConfigError(
        `"interpolationOrder" ${JSON.stringify(o.interpolationOrder)} is not supported: use 1 (bilinear, the default) or 0 (nearest pixel, keeps label values). Higher spline orders are not implemented.`,
      );
    }
    this.augment = {
      rotationRange: checkNonNegative('rotationRange', o.rotationRange),
      widthShiftRange: checkShift('widthShiftRange', o.widthShiftRange),
      heightShiftRange: checkShift('heightShiftRange', o.heightShiftRange),
      shearRange: checkNonNegative('shearRange', o.shearRange),
      zoomRange: zoom,
      uniformZoom: o.uniformZoom ?? false,
      brightnessRange: brightness,
      channelShiftRange: checkNonNegative('channelShiftRange', o.channelShiftRange),
      horizontalFlip: !!o.horizontalFlip,
      verticalFlip: !!o.verticalFlip,
      fillMode,
      cval: o.cval ?? 0,
      interpolationOrder: order,
    };
    // As in Keras, each std normalisation implies its centring.
    this.samplewiseStdNormalization = !!o.samplewiseStdNormalization;
    this.samplewiseCenter = !!o.samplewiseCenter || this.samplewiseStdNormalization;
    this.featurewiseStdNormalization = !!o.featurewiseStdNormalization;
    this.featurewiseCenter = !!o.featurewiseCenter || this.featurewiseStdNormalization;
    if (o.validationSplit !== undefined && o.validationSplit !== 0 && !(o.validationSplit > 0 && o.validationSplit < 1)) {
      throw new DataConfigError(`"validationSplit" must be a number in (0, 1); got ${o.validationSplit}.`);
    }
    this.validationSplit = o.validationSplit ?? 0;
    const dtype = o.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'int32') throw new DataConfigError(`"dtype" must be 'float32' or 'int32'; got ${JSON.stringify(dtype)}.`);
    this.dtype = dtype;
  }

  /** Whether any random transform is configured (otherwise images are copied as they are). */
  get augments(): boolean {
    const a = this.augment;
    const shift = (s: ShiftRange) => (Array.isArray(s) ? s.length > 0 : !!s);
    return !!(
      a.rotationRange ||
      shift(a.widthShiftRange) ||
      shift(a.heightShiftRange) ||
      a.shearRange ||
      a.zoomRange[0] !== 1 ||
      a.zoomRange[1] !== 1 ||
      a.brightnessRange ||
      a.channelShiftRange ||
      a.horizontalFlip ||
      a.verticalFlip
    );
  }

  /** Draws random transform parameters for an image of this shape ([h, w] or [h, w, c]). */
  getRandomTransform(imageShape: readonly number[], seed?: number): TransformParams {
    return randomTransform(this.augment, new Rng(seed ?? randomSeed()), imageShape[0], imageShape[1]);
  }

  /** Applies `params` to one image tensor [h, w, c]; returns a new float32 tensor. */
  applyTransform(x: tf.Tensor3D, params: TransformParams): tf.Tensor3D {
    const [h, w, c] = x.shape;
    const out = new Float32Array(h * w * c);
    const p = this.augment.interpolationOrder === 0 && params.interpolationOrder === undefined ? { ...params, interpolationOrder: 0 as const } : params;
    applyTransform(x.dataSync() as Float32Array, h, w, c, p, this.augment.fillMode, this.augment.cval, out);
    return tf.tensor3d(out, [h, w, c]);
  }

  /** A randomly transformed copy of one image tensor [h, w, c]. */
  randomTransform(x: tf.Tensor3D, seed?: number): tf.Tensor3D {
    return this.applyTransform(x, this.getRandomTransform(x.shape, seed));
  }

  /** Keras's `standardize` on one image [h, w, c] or a batch [n, h, w, c]; returns a new tensor. */
  standardize<T extends tf.Tensor3D | tf.Tensor4D>(x: T): T {
    const shape = x.shape;
    const [h, w, c] = shape.slice(-3);
    const data = Float32Array.from(x.dataSync());
    const size = h * w * c;
    for (let off = 0; off < data.length; off += size) this.standardizeInto(data, off, h, w, c);
    return tf.tensor(data, shape, 'float32') as T;
  }

  /**
   * Draws and applies a random transform of `src` into `out`. With `fuseRescale` (allowed when there
   * is no preprocessingFunction), the rescale is done in the same pass; pass the same flag to
   * standardizeInto. (IteratorGenerator).
   */
  transformInto(src: Uint8Array | Float32Array, h: number, w: number, c: number, rng: Rng, out: Float32Array, offset: number, fuseRescale = false): void {
    applyTransform(src, h, w, c, this.drawTransform(h, w, rng), this.augment.fillMode, this.augment.cval, out, offset, this.transformScale(fuseRescale));
  }

  /** The random transform of one image (empty when nothing is configured). (IteratorGenerator). */
  drawTransform(h: number, w: number, rng: Rng): TransformParams {
    return this.augments ? randomTransform(this.augment, rng, h, w) : {};
  }

  /** The scale to apply inside the transform pass. (IteratorGenerator). */
  transformScale(fuseRescale: boolean): number {
    return fuseRescale && this.canFuseRescale ? (this.rescale ?? 1) : 1;
  }

  /** Whether rescale can run inside the transform pass (it must follow preprocessingFunction). */
  get canFuseRescale(): boolean {
    return this.preprocessingFunction === null;
  }

  /** Whether standardizeInto has work left after a transform with `fusedRescale`. */
  standardizesAfter(fusedRescale: boolean): boolean {
    const rescaleLeft = this.rescale !== null && !(fusedRescale && this.canFuseRescale);
    return !!(this.preprocessingFunction || rescaleLeft || this.samplewiseCenter || this.featurewiseCenter);
  }

  /** Standardises one HWC image in place inside `buf`, starting at `offset`. (IteratorGenerator). */
  standardizeInto(buf: Float32Array, offset: number, h: number, w: number, c: number, fusedRescale = false): void {
    const n = h * w * c;
    const end = offset + n;
    if (this.preprocessingFunction) {
      const fn = this.preprocessingFunction;
      const result = tf.tidy(() => {
        const y = fn(tf.tensor3d(buf.subarray(offset, end), [h, w, c]));
        if (!(y instanceof tf.Tensor) || y.size !== n) {
          throw new DataConfigError(`"preprocessingFunction" must return a tensor of shape [${h}, ${w}, ${c}]; got ${y instanceof tf.Tensor ? `[${y.shape}]` : typeof y}.`);
        }
        return y.dataSync();
      });
      buf.set(result, offset);
    }
    if (this.rescale !== null && !(fusedRescale && this.canFuseRescale)) {
      const r = this.rescale;
      for (let i = offset; i < end; i++) buf[i] *= r;
    }
    if (this.samplewiseCenter) {
      let sum = 0;
      for (let i = offset; i < end; i++) sum += buf[i];
      const mean = sum / n;
      for (let i = offset; i < end; i++) buf[i] -= mean;
      if (this.samplewiseStdNormalization) {
        let sq = 0;
        for (let i = offset; i < end; i++) sq += buf[i] * buf[i];
        const inv = 1 / (Math.sqrt(sq / n) + STD_EPS);
        for (let i = offset; i < end; i++) buf[i] *= inv;
      }
    }
    if (this.featurewiseCenter || this.featurewiseStdNormalization) {
      if (!this.mean) {
        if (!this.warnedUnfit) {
          this.warnedUnfit = true;
          console.warn('ImageDataGenerator: featurewiseCenter/featurewiseStdNormalization is on but fit() was never called; images are not normalised. Call `await generator.fit(...)` first.');
        }
        return;
      }
      const mean = this.mean;
      const std = this.std;
      for (let i = offset, k = 0; i < end; i++, k = k + 1 === c ? 0 : k + 1) {
        let v = buf[i] - mean[k];
        if (this.featurewiseStdNormalization && std) v /= std[k] + STD_EPS;
        buf[i] = v;
      }
    }
  }

  /**
   * Computes the per-channel mean and std for featurewise normalisation (after rescale; with `augment`,
   * over `rounds` augmented copies), from a tensor [n, h, w, c], a folder (with flow options for the
   * size and colour mode), or a DirectoryIterator or DataFrameIterator. Unlike Keras it can read a folder, streaming it.
   */
  async fit(source: FitSource, options: GeneratorFitOptions & FlowFromDirectoryOptions = {}): Promise<void> {
    checkOptionKeys('fit()', options, FIT_KEYS, (m) => new DataConfigError(m));
    const rounds = options.augment ? Math.max(1, options.rounds ?? 1) : 1;
    const rng = new Rng(options.seed ?? randomSeed());
    let channels = 0;
    let sum: Float64Array | null = null;
    let sq: Float64Array | null = null;
    let count = 0;
    const scratch = { buf: new Float32Array(0) };
    const add = (src: Uint8Array | Float32Array, h: number, w: number, c: number) => {
      if (!sum) {
        channels = c;
        sum = new Float64Array(c);
        sq = new Float64Array(c);
      }
      if (c !== channels) throw new DataConfigError(`fit(): images have ${c} channels after others had ${channels}.`);
      const n = h * w * c;
      if (scratch.buf.length < n) scratch.buf = new Float32Array(n);
      const buf = scratch.buf;
      for (let r = 0; r < rounds; r++) {
        if (options.augment) this.transformInto(src, h, w, c, rng, buf, 0);
        else for (let i = 0; i < n; i++) buf[i] = src[i];
        const scale = this.rescale ?? 1;
        for (let i = 0, k = 0; i < n; i++, k = k + 1 === c ? 0 : k + 1) {
          const v = buf[i] * scale;
          sum[k] += v;
          sq![k] += v * v;
        }
        count += h * w;
      }
    };
    if (typeof source === 'string' || source instanceof ImageFileIterator) {
      const it = typeof source === 'string' ? this.flowFromDirectory(source, { verbose: false, ...options, shuffle: false, classMode: null }) : source;
      for await (const img of it.decodedImages()) add(img.data, img.height, img.width, img.channels);
    } else {
      const x = readArraySync(source, 'fit(): x');
      if (x.shape.length !== 4) throw new DataConfigError(`fit() needs a rank-4 tensor (or array) of images [n, h, w, c]; got shape [${x.shape}].`);
      const [n, h, w, c] = x.shape;
      const all = ArrayBuffer.isView(x.data) ? (x.data as Float32Array) : Float32Array.from(x.data);
      const size = h * w * c;
      for (let i = 0; i < n; i++) add(all.subarray(i * size, (i + 1) * size) as Float32Array, h, w, c);
    }
    if (!sum || count === 0) throw new DataConfigError('fit() found no images to compute the mean and std from.');
    const mean = new Float32Array(channels);
    const std = new Float32Array(channels);
    for (let k = 0; k < channels; k++) {
      const m = sum[k] / count;
      mean[k] = m;
      std[k] = Math.sqrt(Math.max(0, sq![k] / count - m * m));
    }
    this.mean = mean;
    this.std = std;
  }

  /**
   * Keras's `flow(x, y)`: an iterator over augmented batches of in-memory images x [n, h, w, c]
   * (channels last) with optional targets y (first dimension n). Tensors are read once, synchronously
   * (cpu, wasm, webgl); on a backend that cannot read synchronously use `flowAsync`.
   */
  flow(x: ImageArray, y?: TargetArray | null, options: FlowOptions = {}): ArrayIterator {
    checkOptionKeys('flow()', options, FLOW_KEYS, (m) => new DataConfigError(m));
    return new ArrayIterator(x, y, this, options);
  }

  /** `flow`, reading tensors with `await data()` (works on every backend, webgpu in Node included). */
  async flowAsync(x: ImageArray, y?: TargetArray | null, options: FlowOptions = {}): Promise<ArrayIterator> {
    checkOptionKeys('flowAsync()', options, FLOW_KEYS, (m) => new DataConfigError(m));
    const read = async <T extends TargetArray | null | undefined>(v: T, what: string) => (v instanceof tf.Tensor ? readArrayAsync(v, what) : v);
    const [rx, ry, rw] = await Promise.all([read(x, 'flow(): x'), read(y, 'flow(): y'), read(options.sampleWeight, 'flow(): sampleWeight')]);
    return new ArrayIterator(rx as ImageArray, ry, this, { ...options, sampleWeight: rw ?? undefined });
  }

  /** Indexes `directory` (one subfolder per class) and returns an iterator over augmented batches. */
  flowFromDirectory(directory: string, options: FlowFromDirectoryOptions = {}): DirectoryIterator {
    checkOptionKeys('flowFromDirectory()', options, FLOW_FROM_DIRECTORY_KEYS, (m) => new DataConfigError(m));
    return new DirectoryIterator(directory, this, options);
  }

  /**
   * Keras's `flow_from_dataframe`: an iterator over augmented batches of the image files named in
   * `records` (the rows of a parsed CSV: `[{filename: 'a.png', class: 'cat'}, ...]`), with targets
   * from their `yCol` column(s). See FlowFromDataframeOptions.
   */
  flowFromDataframe(records: readonly DataFrameRecord[], options: FlowFromDataframeOptions = {}): DataFrameIterator {
    checkOptionKeys('flowFromDataframe()', options, FLOW_FROM_DATAFRAME_KEYS, (m) => new DataConfigError(m));
    return new DataFrameIterator(records, this, options);
  }
}
