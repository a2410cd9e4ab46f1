/**
 * Runs a trained classifier over a folder iterator (in file order) and scores it: loss as Keras computes
 * it (cross-entropy with probabilities clipped to [1e-7, 1 - 1e-7]) plus the classification report.
 */
import * as tf from '@tensorflow/tfjs';
import { classificationReport, type ClassificationReport } from './metrics.js';

/** Anything that yields `{xs}` batches in file order, with the true class of each file. */
export interface LabelledImages extends AsyncIterable<{ xs: tf.Tensor; ys?: tf.Tensor }> {
  readonly classes: ArrayLike<number>;
  readonly filepaths: readonly string[];
}

export interface ModelEvaluation {
  loss: number;
  report: ClassificationReport;
  /** One row per file: the model's output (a sigmoid probability, or one probability per class). */
  probabilities: number[][];
}

const EPSILON = 1e-7;

/** Mean cross-entropy of probability rows against class indices (binary: one sigmoid column). */
export function crossEntropy(probabilities: readonly (readonly number[])[], yTrue: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const row = probabilities[i];
    const y = yTrue[i];
    const clip = (p: number) => Math.min(1 - EPSILON, Math.max(EPSILON, p));
    total += row.length === 1 ? -(y * Math.log(clip(row[0])) + (1 - y) * Math.log(1 - clip(row[0]))) : -Math.log(clip(row[y]));
  }
  return probabilities.length ? total / probabilities.length : NaN;
}

/** Predicts every image of `images` with `model` and scores the predictions. */
export async function evaluateModel(model: tf.LayersModel, images: LabelledImages, classNames: readonly string[]): Promise<ModelEvaluation> {
  const probabilities: number[][] = [];
  for await (const batch of images) {
    const out = tf.tidy(() => model.predict(batch.xs) as tf.Tensor);
    const rows = (await out.array()) as number[][];
    tf.dispose([out, batch.xs, batch.ys ?? []]);
    probabilities.push(...rows);
  }
  const yTrue = Array.from(images.classes);
  if (probabilities.length !== yTrue.length) {
    throw new Error(`The model produced ${probabilities.length} predictions for ${yTrue.length} images (unreadable files skipped?).`);
  }
  const report = classificationReport({ yTrue, probabilities, classNames, files: images.filepaths });
  return { loss: crossEntropy(probabilities, yTrue), report, probabilities };
}
