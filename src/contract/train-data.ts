/**
 * The training data a search accepts, as the data pipeline produces it: the contract between the
 * search (which trains on it) and the data side (whose iterators are `DatasetSource`s). Neither side
 * imports the other; both import this. Types only: recognizing and fitting data is the search's
 * (src/tuners/train-data.ts).
 */
import type tf from '../tf.cjs';

export interface TensorData { xs: tf.Tensor; ys: tf.Tensor }
/**
 * Batches of inputs and targets (a list of targets for a multi-output model). ys is optional in the
 * type because a DirectoryIterator with classMode null yields none; fit needs it.
 */
export type BatchDataset = tf.data.Dataset<{ xs: tf.Tensor; ys?: tf.Tensor | tf.Tensor[] }>;
/** Data that makes a batched dataset (a DirectoryIterator, a DataFrameIterator, an ArrayIterator). */
export interface DatasetSource { toDataset(): BatchDataset }
export type TrainData = TensorData | BatchDataset | DatasetSource;
