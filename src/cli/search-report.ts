/** Writes `<project>/report.html` at the end of `tfjs-tuner tune`: trials, learning curves, the best model's evaluations. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderReport, withEvaluation, type ReportEvaluation } from '../report/report-html.js';
import type { Tuner } from '../tuners/tuner.js';
import type { ModelEvaluation } from '../evaluation/evaluate-model.js';

/** The best model on one set, as the report shows it. */
export function reportEvaluation(set: ReportEvaluation['set'], source: string, e: Pick<ModelEvaluation, 'loss' | 'report'>): ReportEvaluation {
  return {
    set, source, accuracy: e.report.accuracy, loss: e.loss, total: e.report.total,
    classNames: e.report.classNames, confusionMatrix: e.report.confusionMatrix,
  };
}

export async function writeSearchReport(tuner: Tuner, evaluations: readonly ReportEvaluation[], note?: string): Promise<string> {
  const records = [...tuner.oracle.trials.values()].map((t) => t.toRecord());
  const html = renderReport({
    title: `tfjs-tuner: ${path.basename(tuner.projectDir)}`,
    subtitle: `${tuner.projectDir}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` + (note ? `; ${note}` : ''),
    objective: tuner.oracle.objective,
    trials: records,
    evaluations,
  });
  // Through the search's storage (a folder keeps it at <project>/report.html).
  await tuner.storage.artifacts.saveFile('report.html', new TextEncoder().encode(html));
  return path.join(tuner.projectDir, 'report.html');
}

/**
 * `evaluate` on a tune project's best model adds the test figures to that project's report.html (next to
 * the validation ones); returns the report's path, or undefined when the model is not a project's best model.
 */
export function addToProjectReport(modelPath: string, evaluation: ReportEvaluation): string | undefined {
  const modelDir = modelPath.endsWith('.json') ? path.dirname(modelPath) : modelPath;
  if (path.basename(path.resolve(modelDir)) !== 'best-model') return undefined;
  const file = path.join(path.dirname(path.resolve(modelDir)), 'report.html');
  if (!existsSync(file)) return undefined;
  const html = withEvaluation(readFileSync(file, 'utf8'), evaluation);
  if (html === undefined) return undefined; // a report written before reports kept their evaluations
  writeFileSync(file, html);
  return file;
}
