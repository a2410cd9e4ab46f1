/**
 * Runs a trained classifier over a folder iterator (in file order) and scores it: loss as Keras computes
 * it (cross-entropy with probabilities clipped to [1e-7, 1 - 1e-7]) plus the classification report.
 */
import tf from '../tf.cjs';
import { classificationReport, type ClassificationReport } from './metrics.js';

/** Anything that yields `{xs}` batches in file order, with the true class of each file. */
export interface LabelledImages extends AsyncIterable<{ xs: tf.Tensor; ys?: tf.Tensor }> {
  readonly classes: ArrayLike<number>;
  readonly filepaths: readonly string[];
  /** The name of each class index in `classes` (a DirectoryIterator's class folders). */
  readonly classNames?: readonly string[];
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

/**
 * The model's class index of each image. The iterator numbers its own classes: a test folder with only
 * some of the model's classes (or in another order) is mapped by name, and a class the model does not
 * know is an error, instead of scoring lawbot as cashbot because both are class 1 somewhere.
 */
function modelLabels(images: LabelledImages, classNames: readonly string[]): number[] {
  const own = images.classNames;
  const labels = Array.from(images.classes);
  if (!own) return labels;
  const unknown = own.filter((c) => !classNames.includes(c));
  if (unknown.length) {
    throw new Error(`The images hold class(es) the model does not know: ${unknown.map((c) => `"${c}"`).join(', ')} ` +
      `(the model's classes: ${classNames.join(', ')}). Leave those folders out (classes: [${own.filter((c) => classNames.includes(c)).map((c) => `"${c}"`).join(', ')}]).`);
  }
  const map = own.map((c) => classNames.indexOf(c));
  return labels.map((c) => map[c]);
}

/** Model outputs per image: one sigmoid unit for two classes, else one per class. */
function checkOutputs(model: tf.LayersModel, classNames: readonly string[]): void {
  const shape = model.outputs[0]?.shape;
  const units = shape?.[shape.length - 1];
  if (typeof units !== 'number') return;
  const expected = classNames.length === 2 ? [1, 2] : [classNames.length];
  if (!expected.includes(units)) {
    throw new Error(`The model has ${units} output unit(s) but ${classNames.length} class names were given (${classNames.join(', ')}): ` +
      'pass the class names the model was trained with, in its label order.');
  }
}

/**
 * Predicts every image of `images` with `model` and scores the predictions. `classNames` are the model's
 * classes in label order (default: the iterator's own, for a test folder with exactly the model's classes).
 */
export async function evaluateModel(model: tf.LayersModel, images: LabelledImages, classNames?: readonly string[]): Promise<ModelEvaluation> {
  const names = classNames ?? images.classNames;
  if (!names) {
    throw new Error('evaluateModel(model, images, classNames): the images carry no class names, so pass the model\'s ' +
      '(e.g. meta.classNames from loadModelBundle, or train.classNames).');
  }
  checkOutputs(model, names);
  const yTrue = modelLabels(images, names);
  const probabilities: number[][] = [];
  for await (const batch of images) {
    const out = tf.tidy(() => model.predict(batch.xs) as tf.Tensor);
    const rows = (await out.array()) as number[][];
    tf.dispose([out, batch.xs, batch.ys ?? []]);
    probabilities.push(...rows);
  }
  if (probabilities.length !== yTrue.length) {
    throw new Error(`The model produced ${probabilities.length} predictions for ${yTrue.length} images (unreadable files skipped?).`);
  }
  const report = classificationReport({ yTrue, probabilities, classNames: names, files: images.filepaths });
  return { loss: crossEntropy(probabilities, yTrue), report, probabilities };
}
