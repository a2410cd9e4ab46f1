/**
 * How the search recognizes the training data of the contract (src/contract/train-data.ts) and the
 * default way a trial fits on it. A DirectoryIterator is recognized by its `toDataset` method, so the
 * tuner never imports the data pipeline.
 */
import tf from '../tf.cjs';
import type { BatchDataset, DatasetSource, TensorData, TrainData } from '../contract/train-data.js';

export type FitCallback = tf.CustomCallbackArgs | tf.Callback;

/** What a trial passes to fit (and to a hypermodel's own `fit`). */
export interface FitOptions {
  epochs: number;
  /** Hyperband promotions continue their parent's epoch count. */
  initialEpoch: number;
  validationData?: TrainData;
  /** Tensor data only: hold out this fraction for validation. */
  validationSplit?: number;
  /** Tensor data only (default 32). */
  batchSize?: number;
  shuffle?: boolean;
  /** The user's callbacks followed by the tuner's (metrics recording, best-epoch weights): pass them on. */
  callbacks: tf.Callback[];
  verbose: 0;
}

export function isTensorData(d: unknown): d is TensorData {
  return typeof d === 'object' && d !== null && (d as TensorData).xs instanceof tf.Tensor && (d as TensorData).ys instanceof tf.Tensor;
}

export function isDatasetSource(d: unknown): d is DatasetSource {
  return typeof d === 'object' && d !== null && typeof (d as DatasetSource).toDataset === 'function';
}

export function isDataset(d: unknown): d is BatchDataset {
  return typeof d === 'object' && d !== null && typeof (d as BatchDataset).iterator === 'function' && typeof (d as BatchDataset).batch === 'function';
}

/** Throws a clear error for data the tuner cannot train on. */
export function checkTrainData(d: unknown, what: string): asserts d is TrainData {
  if (isTensorData(d) || isDatasetSource(d) || isDataset(d)) return;
  throw new Error(`${what} must be {xs, ys} tensors, a batched tf.data.Dataset of {xs, ys}, or a DirectoryIterator ` +
    `(anything with toDataset()); got ${d === null ? 'null' : typeof d}.`);
}

/** Wraps plain callback objects so tfjs accepts a mixed list (it only checks the first element). */
export function toCallbacks(list: FitCallback[] | undefined): tf.Callback[] {
  return (list ?? []).map((c) => (c instanceof tf.Callback ? c : (new tf.CustomCallback(c as tf.CustomCallbackArgs) as unknown as tf.Callback)));
}

/** The default trial fit: model.fit on tensors, model.fitDataset on datasets and iterators. */
export async function defaultFit(model: tf.LayersModel, data: TrainData, opts: FitOptions): Promise<tf.History> {
  const v = opts.validationData;
  if (isTensorData(data)) {
    if (v !== undefined && !isTensorData(v)) {
      throw new Error('With {xs, ys} tensors as training data, validationData must be {xs, ys} tensors too ' +
        '(or pass a tf.data.Dataset / DirectoryIterator for both).');
    }
    return model.fit(data.xs, data.ys, {
      epochs: opts.epochs,
      initialEpoch: opts.initialEpoch,
      batchSize: opts.batchSize ?? 32,
      validationData: v ? [v.xs, v.ys] : undefined,
      validationSplit: v ? undefined : opts.validationSplit,
      shuffle: opts.shuffle ?? true,
      callbacks: opts.callbacks,
      verbose: 0,
    });
  }
  if (opts.validationSplit !== undefined) {
    throw new Error('validationSplit works with {xs, ys} tensors only; for a dataset or DirectoryIterator pass validationData.');
  }
  const ds = isDatasetSource(data) ? data.toDataset() : data;
  const validationData = v === undefined ? undefined : isTensorData(v) ? [v.xs, v.ys] as [tf.Tensor, tf.Tensor]
    : isDatasetSource(v) ? v.toDataset() : v;
  return model.fitDataset(ds, {
    epochs: opts.epochs,
    initialEpoch: opts.initialEpoch,
    validationData,
    callbacks: opts.callbacks,
    verbose: 0,
  });
}

/**
 * A source with an epoch counter (a DirectoryIterator: its shuffle and augmentation follow (seed,
 * epoch)) starts each trial execution at the trial's first epoch, so a trial sees the same batches
 * whichever trials ran before it in this process: serial, parallel and resumed searches train alike.
 */
export function startDataEpoch(d: unknown, epoch: number): void {
  if (isDatasetSource(d) && typeof (d as { epoch?: unknown }).epoch === 'number') (d as unknown as { epoch: number }).epoch = epoch;
}
