/** Writes `<project>/report.html` at the end of `tfjs-tuner tune`: trials, learning curves, the best model's evaluations. */
import path from 'node:path';
import { renderReport, type ReportEvaluation } from '../report/report-html.js';
import type { Tuner } from '../tuners/tuner.js';
import type { ModelEvaluation } from '../evaluation/evaluate-model.js';

/** The best model on one set, as the report shows it. */
export function reportEvaluation(set: ReportEvaluation['set'], source: string, e: ModelEvaluation): ReportEvaluation {
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
