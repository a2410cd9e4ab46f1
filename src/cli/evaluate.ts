/** `tfjs-tuner evaluate`: score a saved model on a test folder (loss, accuracy, per-class metrics, confusion matrix). */
import path from 'node:path';
import { initBackend } from '../runtime/backend.js';
import { ImageDataGenerator } from '../data/image-data-generator.js';
import { assertSameClasses } from '../data/directory-iterator.js';
import { loadModelBundle } from '../models/model-io.js';
import { evaluateModel } from '../evaluation/evaluate-model.js';
import { formatEvaluation } from '../evaluation/metrics.js';
import { foundMessage, type Output } from './output.js';

export interface EvaluateOptions {
  model: string;
  test: string;
  batchSize: number;
  backend?: string;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
  classNames: string[];
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusionMatrix: number[][];
  misclassified: { file: string; label: string; predicted: string; probability: number }[];
}

export async function evaluate(o: EvaluateOptions, out: Output): Promise<EvaluateResult> {
  await initBackend(o.backend);
  const { model, meta } = await loadModelBundle(o.model);
  try {
    const test = new ImageDataGenerator({ rescale: meta.rescale }).flowFromDirectory(o.test, {
      targetSize: meta.imageSize, colorMode: meta.colorMode, classMode: 'sparse', batchSize: o.batchSize,
      shuffle: false, verbose: false, interpolation: (meta.interpolation ?? 'nearest') as 'nearest',
    });
    out.info(foundMessage(test));
    assertSameClasses({ classNames: meta.classNames, directory: o.model }, test, o.test);
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
    return result;
  } finally {
    model.dispose();
  }
}
