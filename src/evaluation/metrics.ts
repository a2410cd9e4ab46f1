/**
 * Classification metrics from labels and predictions, as scikit-learn's classification_report and
 * confusion_matrix compute them (a class never predicted has precision 0, never present has recall 0).
 * Pure TypeScript: no tfjs, so the CLI, the HTML report and tests use it on plain arrays.
 */

export interface ClassMetrics {
  className: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

export interface AverageMetrics { precision: number; recall: number; f1: number; support: number }

export interface Misclassified {
  /** Position in the input arrays. */
  index: number;
  trueLabel: number;
  predictedLabel: number;
  trueClass: string;
  predictedClass: string;
  /** Probability the model gave its (wrong) prediction, when probabilities were given. */
  confidence?: number;
  /** Probability the model gave the true class, when probabilities were given. */
  trueClassProbability?: number;
  /** The example's file, when files were given. */
  file?: string;
}

export interface ClassificationReport {
  classNames: string[];
  total: number;
  correct: number;
  accuracy: number;
  perClass: ClassMetrics[];
  macroAvg: AverageMetrics;
  weightedAvg: AverageMetrics;
  /** confusionMatrix[t][p] = examples of true class t predicted as p (rows true, columns predicted). */
  confusionMatrix: number[][];
  /** Wrong predictions in input order. */
  misclassified: Misclassified[];
}

export interface EvaluateInput {
  /** True class indices. */
  yTrue: ArrayLike<number>;
  /** Predicted class indices; derived from `probabilities` when left out. */
  yPred?: ArrayLike<number>;
  /**
   * One row per example: a probability per class, or a single sigmoid output (the probability of
   * class 1) for a binary model.
   */
  probabilities?: ArrayLike<ArrayLike<number>>;
  classNames: readonly string[];
  /** File per example, copied into the misclassified list. */
  files?: readonly string[];
  /** Decision threshold for single-column (sigmoid) probabilities. Default 0.5. */
  threshold?: number;
}

/** Per-class probabilities of one row, widening a single sigmoid output p to [1 - p, p]. */
function classProbabilities(row: ArrayLike<number>, numClasses: number, index: number): number[] {
  if (row.length === numClasses) return Array.from(row);
  if (row.length === 1 && numClasses === 2) return [1 - row[0], row[0]];
  throw new Error(`probabilities[${index}] has ${row.length} values but there are ${numClasses} classes ` +
    `(give one probability per class, or one sigmoid output for 2 classes).`);
}

/** Predicted class per row: argmax, or `p >= threshold` for single sigmoid outputs. */
export function labelsFromProbabilities(probabilities: ArrayLike<ArrayLike<number>>, threshold = 0.5): number[] {
  const out: number[] = [];
  for (let i = 0; i < probabilities.length; i++) {
    const row = probabilities[i];
    if (row.length === 0) throw new Error(`probabilities[${i}] is empty.`);
    if (row.length === 1) {
      out.push(row[0] >= threshold ? 1 : 0);
      continue;
    }
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
    out.push(best);
  }
  return out;
}

function checkLabels(name: string, labels: ArrayLike<number>, numClasses: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new Error(`${name}[${i}] is ${v}: labels must be class indices 0..${numClasses - 1} (${numClasses} class names were given).`);
    }
  }
}

const safeDiv = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Accuracy, per-class precision/recall/F1/support, averages, confusion matrix and misclassified examples. */
export function classificationReport(input: EvaluateInput): ClassificationReport {
  const classNames = [...input.classNames];
  const k = classNames.length;
  if (k < 2) throw new Error(`classNames needs at least 2 classes, got ${JSON.stringify(classNames)}.`);
  if (new Set(classNames).size !== k) throw new Error(`classNames has duplicates: ${JSON.stringify(classNames)}.`);
  const n = input.yTrue.length;
  if (input.yPred === undefined && input.probabilities === undefined) throw new Error('Give yPred or probabilities (or both).');
  if (input.probabilities !== undefined && input.probabilities.length !== n) {
    throw new Error(`probabilities has ${input.probabilities.length} rows but yTrue has ${n} labels.`);
  }
  const yPred = input.yPred ?? labelsFromProbabilities(input.probabilities!, input.threshold);
  if (yPred.length !== n) throw new Error(`yPred has ${yPred.length} labels but yTrue has ${n}.`);
  if (input.files !== undefined && input.files.length !== n) throw new Error(`files has ${input.files.length} entries but yTrue has ${n} labels.`);
  checkLabels('yTrue', input.yTrue, k);
  checkLabels('yPred', yPred, k);

  const probs = input.probabilities ? Array.from({ length: n }, (_, i) => classProbabilities(input.probabilities![i], k, i)) : undefined;

  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const misclassified: Misclassified[] = [];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = input.yTrue[i], p = yPred[i];
    cm[t][p]++;
    if (t === p) {
      correct++;
      continue;
    }
    const m: Misclassified = { index: i, trueLabel: t, predictedLabel: p, trueClass: classNames[t], predictedClass: classNames[p] };
    if (probs) {
      m.confidence = probs[i][p];
      m.trueClassProbability = probs[i][t];
    }
    if (input.files) m.file = input.files[i];
    misclassified.push(m);
  }

  const perClass: ClassMetrics[] = classNames.map((className, c) => {
    const tp = cm[c][c];
    const support = cm[c].reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((a, row) => a + row[c], 0);
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    return { className, precision, recall, f1: safeDiv(2 * precision * recall, precision + recall), support };
  });
  const avg = (weight: (m: ClassMetrics) => number): AverageMetrics => {
    const total = perClass.reduce((a, m) => a + weight(m), 0);
    const mean = (key: 'precision' | 'recall' | 'f1') => safeDiv(perClass.reduce((a, m) => a + weight(m) * m[key], 0), total);
    return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: n };
  };
  return {
    classNames, total: n, correct, accuracy: safeDiv(correct, n), perClass,
    macroAvg: avg(() => 1), weightedAvg: avg((m) => m.support),
    confusionMatrix: cm, misclassified,
  };
}

const pad = (s: string, w: number) => s.padStart(w);

/** scikit-learn's classification_report text. */
export function formatClassificationReport(r: ClassificationReport, digits = 2): string {
  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const nameWidth = Math.max(...r.classNames.map((c) => c.length), 'weighted avg'.length);
  const colWidth = Math.max(...headers.map((h) => h.length), digits + 2);
  const num = (v: number) => pad(v.toFixed(digits), colWidth);
  const row = (name: string, m: { precision: number; recall: number; f1: number; support: number }) =>
    `${pad(name, nameWidth)}  ${num(m.precision)} ${num(m.recall)} ${num(m.f1)} ${pad(String(m.support), colWidth)}`;
  const lines = [`${' '.repeat(nameWidth)}  ${headers.map((h) => pad(h, colWidth)).join(' ')}`, ''];
  for (const m of r.perClass) lines.push(row(m.className, m));
  lines.push('');
  lines.push(`${pad('accuracy', nameWidth)}  ${' '.repeat(colWidth)} ${' '.repeat(colWidth)} ${num(r.accuracy)} ${pad(String(r.total), colWidth)}`);
  lines.push(row('macro avg', r.macroAvg));
  lines.push(row('weighted avg', r.weightedAvg));
  return lines.join('\n');
}

/** The confusion matrix as a text table with class names (rows true, columns predicted). */
export function formatConfusionMatrix(r: ClassificationReport): string {
  const nameWidth = Math.max(...r.classNames.map((c) => c.length), 'true \\ pred'.length);
  const widths = r.classNames.map((c, j) => Math.max(c.length, ...r.confusionMatrix.map((row) => String(row[j]).length)));
  const lines = [`${'true \\ pred'.padEnd(nameWidth)}  ${r.classNames.map((c, j) => pad(c, widths[j])).join('  ')}`];
  r.confusionMatrix.forEach((row, i) => {
    lines.push(`${r.classNames[i].padEnd(nameWidth)}  ${row.map((v, j) => pad(String(v), widths[j])).join('  ')}`);
  });
  return lines.join('\n');
}

export interface FormatEvaluationOptions {
  digits?: number;
  /** Misclassified examples to list (most confident mistakes first when probabilities are known). Default 10. */
  maxMisclassified?: number;
  title?: string;
}

/** The whole evaluation as text for the CLI: headline, classification report, confusion matrix, worst mistakes. */
export function formatEvaluation(r: ClassificationReport, opts: FormatEvaluationOptions = {}): string {
  const digits = opts.digits ?? 2;
  const max = opts.maxMisclassified ?? 10;
  const out: string[] = [];
  if (opts.title) out.push(opts.title, '');
  out.push(`Accuracy: ${(100 * r.accuracy).toFixed(digits)}% (${r.correct}/${r.total} correct)`, '');
  out.push('Classification report', formatClassificationReport(r, digits), '');
  out.push('Confusion matrix (rows: true class, columns: predicted class)', formatConfusionMatrix(r));
  if (r.misclassified.length > 0 && max > 0) {
    const sorted = [...r.misclassified].sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0));
    out.push('', `Misclassified: ${r.misclassified.length}${r.misclassified.length > max ? ` (first ${max} shown)` : ''}`);
    for (const m of sorted.slice(0, max)) {
      const conf = m.confidence !== undefined ? ` (p=${m.confidence.toFixed(digits)})` : '';
      out.push(`  ${m.file ?? `#${m.index}`}: ${m.trueClass} predicted as ${m.predictedClass}${conf}`);
    }
  }
  return out.join('\n');
}
