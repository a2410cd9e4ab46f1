export {
  classificationReport, formatClassificationReport, formatConfusionMatrix, formatEvaluation, labelsFromProbabilities,
} from './metrics.js';
export type {
  AverageMetrics, ClassMetrics, ClassificationReport, EvaluateInput, FormatEvaluationOptions, Misclassified,
} from './metrics.js';
