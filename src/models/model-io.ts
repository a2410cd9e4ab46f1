/**
 * A trained model on disk as tfjs-tuner saves it: the standard tfjs format (model.json + weights.bin,
 * loadable by tf.loadLayersModel with or without tfjs-node) plus tfjs-tuner.json, which says how to feed
 * it: image size, colour mode, rescale and the class names in label order.
 */
import tf from '../tf.cjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileSystemLoad, fileSystemSave } from '../tuners/fs-io-handler.js';
import { writeJsonAtomic } from '../tuners/atomic-write.js';
import type { HyperValue } from '../tuners/hyperparameters.js';

export const MODEL_METADATA_FILE = 'tfjs-tuner.json';
export const MODEL_METADATA_FORMAT = 'tfjs-tuner-model@1';

export interface ModelMetadata {
  format: typeof MODEL_METADATA_FORMAT;
  /** Class folder names in label order. */
  classNames: string[];
  /** [height, width] the images are resized to. */
  imageSize: [number, number];
  colorMode: 'grayscale' | 'rgb' | 'rgba';
  /** Pixels are multiplied by this before the model sees them (e.g. 1/255). */
  rescale: number;
  /** 'binary': one sigmoid output (probability of classNames[1]); 'multiclass': one softmax output per class. */
  task: 'binary' | 'multiclass';
  /** Resampling used when resizing, as in training. */
  interpolation?: string;
  hyperparameters?: Record<string, HyperValue>;
  objective?: { name: string; direction: 'min' | 'max' };
  score?: number | null;
  trialId?: string;
}

/** Saves a model and its metadata into `dir` (created; replaced if it exists). */
export async function saveModelBundle(model: tf.LayersModel, dir: string, meta: Omit<ModelMetadata, 'format'>): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  await model.save(fileSystemSave(dir));
  await writeJsonAtomic(path.join(dir, MODEL_METADATA_FILE), { format: MODEL_METADATA_FORMAT, ...meta });
}

/** Loads a model saved by saveModelBundle (or `tfjs-tuner tune`); `location` is its folder or its model.json. */
export async function loadModelBundle(location: string): Promise<{ model: tf.LayersModel; meta: ModelMetadata; dir: string }> {
  let dir = path.resolve(location);
  if (dir.endsWith('.json')) dir = path.dirname(dir);
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new Error(`Model not found: ${location}. Pass the folder that holds model.json (e.g. <directory>/<project>/best-model, written by \`tfjs-tuner tune\`).`);
  }
  let meta: ModelMetadata;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, MODEL_METADATA_FILE), 'utf8')) as ModelMetadata;
  } catch {
    throw new Error(`${path.join(dir, MODEL_METADATA_FILE)} is missing or unreadable: it says how to feed the model (image size, classes). ` +
      'Save models with `tfjs-tuner tune` or saveModelBundle().');
  }
  if (meta.format !== MODEL_METADATA_FORMAT) {
    throw new Error(`${path.join(dir, MODEL_METADATA_FILE)} has format ${JSON.stringify(meta.format)}, expected ${MODEL_METADATA_FORMAT}.`);
  }
  const model = await tf.loadLayersModel(fileSystemLoad(dir));
  return { model, meta, dir };
}
