/** Writes `<project>/report.html` at the end of `tfjs-tuner tune`: trials, learning curves, confusion matrix. */
import path from 'node:path';
import { renderReport } from '../report/report-html.js';
import type { Tuner } from '../tuners/tuner.js';
import type { ModelEvaluation } from '../evaluation/evaluate-model.js';

export async function writeSearchReport(tuner: Tuner, evaluation: ModelEvaluation | undefined, evaluatedOn: string | undefined, note?: string): Promise<string> {
  const records = [...tuner.oracle.trials.values()].map((t) => t.toRecord());
  const html = renderReport({
    title: `tfjs-tuner: ${path.basename(tuner.projectDir)}`,
    subtitle: `${tuner.projectDir}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` +
      (evaluatedOn ? `; confusion matrix of the best model on ${evaluatedOn}` : '') + (note ? `; ${note}` : ''),
    objective: tuner.oracle.objective,
    trials: records,
    classNames: evaluation?.report.classNames,
    confusionMatrix: evaluation?.report.confusionMatrix,
  });
  // Through the search's storage (a folder keeps it at <project>/report.html).
  await tuner.storage.artifacts.saveFile('report.html', new TextEncoder().encode(html));
  return path.join(tuner.projectDir, 'report.html');
}
