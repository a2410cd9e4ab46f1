/** `tfjs-tuner predict`: class and probability for each image file (or every image in a folder). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import tf from '../tf.cjs';
import { initBackend } from '../runtime/backend.js';
import { decodeImage, DEFAULT_MAX_IMAGE_PIXELS, type Interpolation } from '../data/decode.js';
import { IMAGE_EXTENSIONS } from '../data/file-index.js';
import { loadModelBundle } from '../models/model-io.js';
import type { Output } from './output.js';
import { UsageError } from './output.js';
import { cliMessage } from './hints.js';
import { resolveModelPath } from './model-path.js';

export interface PredictOptions {
  model: string;
  inputs: string[];
  batchSize: number;
  backend?: string;
  maxImagePixels?: number;
}

export interface Prediction {
  file: string;
  predicted?: string;
  probability?: number;
  /** Probability per class, in the model's class order. */
  probabilities?: Record<string, number>;
  /** Why this file has no prediction (unreadable); the others are still predicted. */
  error?: string;
}

/** Image files named directly, plus every image under the folders named (sorted). */
async function expandInputs(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const stat = await fs.stat(input).catch(() => undefined);
    if (!stat) throw new UsageError(`No such file or folder: ${input}`);
    if (stat.isDirectory()) {
      const pattern = `**/*.{${IMAGE_EXTENSIONS.join(',')}}`;
      const found = await fg(pattern, { cwd: input, caseSensitiveMatch: false, onlyFiles: true, dot: false });
      if (found.length === 0) throw new UsageError(`No images (${IMAGE_EXTENSIONS.join(', ')}) in folder ${input}`);
      files.push(...found.sort().map((f) => path.join(input, f)));
    } else {
      files.push(input);
    }
  }
  return files;
}

export async function predict(o: PredictOptions, out: Output): Promise<Prediction[]> {
  if (o.inputs.length === 0) throw new UsageError('Name at least one image file or folder to predict.');
  await initBackend(o.backend);
  const { model, meta } = await loadModelBundle(resolveModelPath(o.model));
  const files = await expandInputs(o.inputs);
  const [h, w] = meta.imageSize;
  const decode = {
    targetSize: meta.imageSize, colorMode: meta.colorMode, interpolation: (meta.interpolation ?? 'nearest') as Interpolation,
    resizeMode: 'stretch', maxImagePixels: o.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
  } as const;
  const results: Prediction[] = [];
  try {
    for (let start = 0; start < files.length; start += o.batchSize) {
      // An unreadable file is reported and left out; the others are still predicted.
      const decoded = await Promise.all(files.slice(start, start + o.batchSize).map((f) => decodeImage(f, decode).then(
        (img) => ({ f, img }),
        (err: Error) => {
          const error = cliMessage(err.message);
          out.warn(`tfjs-tuner: no prediction for ${f}: ${error}`);
          results.push({ file: f, error });
          return undefined;
        })));
      const ok = decoded.filter((d) => d !== undefined);
      if (ok.length === 0) continue;
      const batchFiles = ok.map((d) => d.f);
      const images = ok.map((d) => d.img);
      const c = images[0].channels;
      const pixels = new Float32Array(batchFiles.length * h * w * c);
      images.forEach((img, i) => {
        for (let j = 0; j < img.data.length; j++) pixels[i * h * w * c + j] = img.data[j] * meta.rescale;
      });
      const probs = tf.tidy(() => model.predict(tf.tensor4d(pixels, [batchFiles.length, h, w, c])) as tf.Tensor);
      const rows = (await probs.array()) as number[][];
      probs.dispose();
      rows.forEach((row, i) => {
        const p = row.length === 1 ? [1 - row[0], row[0]] : row;
        const best = p.indexOf(Math.max(...p));
        results.push({
          file: batchFiles[i], predicted: meta.classNames[best], probability: p[best],
          probabilities: Object.fromEntries(meta.classNames.map((name, k) => [name, p[k]])),
        });
      });
    }
  } finally {
    model.dispose();
  }
  const order = new Map(files.map((f, i) => [f, i]));
  results.sort((a, b) => order.get(a.file)! - order.get(b.file)!);
  for (const r of results) if (r.error === undefined) out.info(`${r.file}\t${r.predicted}\t${r.probability!.toFixed(4)}`);
  const failed = results.filter((r) => r.error !== undefined).length;
  if (failed) out.warn(`tfjs-tuner: ${failed} of ${results.length} file(s) could not be predicted (see above); exit code 1.`);
  return results;
}
