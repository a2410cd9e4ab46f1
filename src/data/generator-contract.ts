/**
 * What the iterators need from the ImageDataGenerator that made them, as a small interface: the
 * iterators import this file, never the generator (which imports the iterators to build them), so
 * src/data has no import circle.
 */
import type { AugmentConfig, TransformParams } from './augment.js';
import type { Rng } from '../util/rng.js';

export type DataDtype = 'float32' | 'int32';

export interface IteratorGenerator {
  /** The augmentation settings (fill mode, cval, ... for the warp and the worker pool). */
  readonly augment: AugmentConfig;
  /** Whether any random transform is configured. */
  readonly augments: boolean;
  readonly dtype: DataDtype;
  /** Fraction held out for `subset: 'validation'` (0 when none). */
  readonly validationSplit: number;
  /** Featurewise mean from fit() (null before), and whether it is used. */
  readonly mean: Float32Array | null;
  readonly featurewiseCenter: boolean;
  readonly featurewiseStdNormalization: boolean;
  /** The random transform of one image (empty when nothing is configured). */
  drawTransform(h: number, w: number, rng: Rng): TransformParams;
  /** The scale to apply inside the transform pass (the fused rescale, or 1). */
  transformScale(fuseRescale: boolean): number;
  /** Whether standardizeInto has work left after a transform with `fusedRescale`. */
  standardizesAfter(fusedRescale: boolean): boolean;
  /** Standardises one HWC image in place inside `buf`, starting at `offset`. */
  standardizeInto(buf: Float32Array, offset: number, h: number, w: number, c: number, fusedRescale?: boolean): void;
}
