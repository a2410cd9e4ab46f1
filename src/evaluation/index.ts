export {
  classificationReport, formatClassificationReport, formatConfusionMatrix, formatEvaluation, labelsFromProbabilities,
} from './metrics.js';
export type {
  AverageMetrics, ClassMetrics, ClassificationReport, EvaluateInput, FormatEvaluationOptions, Misclassified,
} from './metrics.js';
export { evaluateModel, crossEntropy } from './evaluate-model.js';
export type { LabelledImages, ModelEvaluation } from './evaluate-model.js';
