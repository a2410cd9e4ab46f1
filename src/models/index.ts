export {
  InvalidModelError, buildCnn, buildCnnFromConfig, cnnConfigFromHp, cnnConfigToValues, checkCnnFits, countCnnParams, describeCnn, lossFor,
  makeOptimizer, resolveTask, planCnn, DEFAULT_MAX_PARAMS, DEFAULT_MAX_ACTIVATIONS,
} from './cnn.js';
export type { CnnBlockConfig, CnnConfig, CnnFit, CnnOptions, CnnPlan, CnnTask, LabelMode } from './cnn.js';
export { DEFAULT_CNN_SPACE, OPTIMIZER_NAMES, TOONVISION_RANGES } from './cnn-space.js';
export type { BlockSpace, ChoiceSpace, CnnSpace, FixedSpace, NumberSpace, OptimizerName, RangeSpace, ValuesSpace } from './cnn-space.js';
export { toonVisionConfig, toonVisionModel, toonVisionSpace } from './toonvision.js';
export type { ToonVisionOptions } from './toonvision.js';
export { cnnHypermodel, CNN_HYPERMODEL_MODULE } from './cnn-hypermodel.js';
