/** `tfjs-tuner evaluate`: score a saved model on a test folder (loss, accuracy, per-class metrics, confusion matrix). */
import path from 'node:path';
import { initBackend } from '../runtime/backend.js';
import { ImageDataGenerator } from '../data/image-data-generator.js';
import type tf from '../tf.cjs';
import { loadModelBundle, type ModelMetadata } from '../models/model-io.js';
import { FileStorage } from '../tuners/storage/file-storage.js';
import { isPostgresUrl, openStorage } from '../tuners/storage/open-storage.js';
import type { SearchStorage } from '../tuners/storage/search-storage.js';
import { loadBestModel } from './best-model.js';
import { storageFlags } from './search-settings.js';
import { evaluateModel } from '../evaluation/evaluate-model.js';
import { formatEvaluation } from '../evaluation/metrics.js';
import { foundMessage, UsageError, type Output } from './output.js';
import { projectFolder, resolveModelPath } from './model-path.js';
import { indexDirectory } from '../data/file-index.js';
import { addToSearchReport, reportEvaluation } from './search-report.js';

export interface EvaluateOptions {
  /** A model folder (or its model.json), or a tune project folder (its best model, read through its storage). */
  model?: string;
  /** A postgresql:// URL: the best model of the search named projectName in that database. */
  storage?: string;
  projectName?: string;
  test: string;
  batchSize: number;
  backend?: string;
  onError?: 'raise' | 'skip';
  /** Class folders of --test to score (default every subfolder); each must be one of the model's classes. */
  classes?: string[];
  maxImagePixels?: number;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
  classNames: string[];
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusionMatrix: number[][];
  misclassified: { file: string; label: string; predicted: string; probability: number }[];
}

/**
 * The search whose best model is evaluated, when there is one: --storage URL --project-name NAME, or a
 * tune project folder given as --model (the project, or its best-model/ folder), read through its
 * FileStorage. Undefined for a plain model folder.
 */
function searchStorageOf(o: EvaluateOptions): SearchStorage | undefined {
  if (o.storage !== undefined) {
    if (o.model !== undefined) throw new UsageError('Give either --model DIR or --storage URL --project-name NAME, not both.');
    if (!isPostgresUrl(o.storage)) throw new UsageError(`--storage ${o.storage}: give a postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL, or evaluate a folder with --model DIR.`);
    if (o.projectName === undefined) throw new UsageError('--storage needs --project-name NAME: the search whose best model to evaluate.');
    return openStorage(o.storage, '.', o.projectName);
  }
  if (o.model === undefined) throw new UsageError('Give --model DIR (a model folder or a tune project folder) or --storage URL --project-name NAME.');
  const project = projectFolder(o.model);
  return project ? new FileStorage(path.dirname(project), path.basename(project)) : undefined;
}

/** The model to evaluate: the search's best model through its storage, or a model folder. */
async function loadModel(o: EvaluateOptions, storage: SearchStorage | undefined): Promise<{ model: tf.LayersModel; meta: ModelMetadata }> {
  if (storage) {
    const fix = o.storage !== undefined
      ? `run tfjs-tuner tune ${storageFlags(o.storage, o.projectName!)} to the end first (or check --project-name).`
      : 'run tfjs-tuner tune to the end first.';
    return loadBestModel(storage, fix);
  }
  const { model, meta } = await loadModelBundle(resolveModelPath(o.model!));
  return { model, meta };
}

export async function evaluate(o: EvaluateOptions, out: Output): Promise<EvaluateResult> {
  await initBackend(o.backend);
  const storage = searchStorageOf(o);
  let loaded: { model: tf.LayersModel; meta: ModelMetadata };
  try {
    loaded = await loadModel(o, storage);
  } catch (err) {
    await storage?.close();
    throw err;
  }
  const { model, meta } = loaded;
  try {
    // A test folder may hold some of the model's classes; a class the model does not know is refused.
    const classes = o.classes ?? indexDirectory(o.test).classNames;
    const unknown = classes.filter((c) => !meta.classNames.includes(c));
    if (unknown.length) {
      const known = classes.filter((c) => meta.classNames.includes(c));
      throw new UsageError(`--test ${o.test} has class folder(s) the model does not know: ${unknown.join(', ')} (the model's classes: ${meta.classNames.join(', ')}). ` +
        (known.length ? `Score the others with --classes ${known.join(',')}, or remove those folders.` : 'Is this the test folder of another model?'));
    }
    const test = new ImageDataGenerator({ rescale: meta.rescale }).flowFromDirectory(o.test, {
      targetSize: meta.imageSize, colorMode: meta.colorMode, classMode: 'sparse', batchSize: o.batchSize,
      shuffle: false, verbose: false, interpolation: (meta.interpolation ?? 'nearest') as 'nearest',
      classes, onError: o.onError, maxImagePixels: o.maxImagePixels,
    });
    out.info(foundMessage(test));
    if (classes.length < meta.classNames.length) out.info(`Scoring ${classes.length} of the model's ${meta.classNames.length} classes (${classes.join(', ')}).`);
    const { loss, report } = await evaluateModel(model, test, meta.classNames);
    for (const m of report.misclassified) if (m.file) m.file = path.relative(process.cwd(), m.file);
    const result: EvaluateResult = {
      loss,
      accuracy: report.accuracy,
      classNames: report.classNames,
      perClass: Object.fromEntries(report.perClass.map((c) => [c.className, { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support }])),
      confusionMatrix: report.confusionMatrix,
      misclassified: report.misclassified.map((m) => ({
        file: m.file ?? '', label: m.trueClass, predicted: m.predictedClass, probability: m.confidence ?? NaN,
      })),
    };
    out.info(`Test folder: ${o.test} (${report.total} images)`);
    out.info(`loss: ${loss.toFixed(4)}  accuracy: ${report.accuracy.toFixed(4)}`);
    out.info(formatEvaluation(report));
    // The search's report (in its folder or its database) gets the test figures.
    const reportFile = storage ? await addToSearchReport(storage, reportEvaluation('test', o.test, { loss, report })) : undefined;
    if (reportFile) out.info(`Added to the project's report: ${reportFile}`);
    return result;
  } finally {
    model.dispose();
    await storage?.close();
  }
}
