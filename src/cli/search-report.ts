/** Writes `<project>/report.html` at the end of `tfjs-tuner tune`: trials, learning curves, the best model's evaluations. */
import path from 'node:path';
import { renderReport, withEvaluation, type ReportEvaluation } from '../report/report-html.js';
import type { Tuner } from '../tuners/tuner.js';
import { FileStorage } from '../tuners/storage/file-storage.js';
import type { SearchStorage } from '../tuners/storage/search-storage.js';
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
 * `evaluate` of a search's best model adds the test figures to the search's report (next to the
 * validation ones), through its storage: a folder's report.html or a database's row. Returns where the
 * report is (for the message), or undefined when the search has no report, or one written before reports
 * kept their evaluations.
 */
export async function addToSearchReport(storage: SearchStorage, evaluation: ReportEvaluation): Promise<string | undefined> {
  const bytes = await storage.artifacts.loadFile('report.html');
  if (!bytes) return undefined;
  const html = withEvaluation(new TextDecoder().decode(bytes), evaluation);
  if (html === undefined) return undefined;
  await storage.artifacts.saveFile('report.html', new TextEncoder().encode(html));
  return storage instanceof FileStorage ? path.join(storage.location, 'report.html') : `${storage.location} (tfjs-tuner export --report FILE writes it out)`;
}
