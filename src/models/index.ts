export {
  InvalidModelError, buildCnn, buildCnnFromConfig, cnnConfigFromHp, cnnConfigToValues, checkCnnFits, countCnnParams, describeCnn, lossFor,
  makeOptimizer, resolveTask,
} from './cnn.js';
export type { CnnBlockConfig, CnnConfig, CnnOptions, CnnTask, LabelMode } from './cnn.js';
export { DEFAULT_CNN_SPACE, OPTIMIZER_NAMES } from './cnn-space.js';
export type { BlockSpace, ChoiceSpace, CnnSpace, FixedSpace, NumberSpace, OptimizerName, RangeSpace, ValuesSpace } from './cnn-space.js';
export { toonVisionConfig, toonVisionModel, toonVisionSpace } from './toonvision.js';
export type { ToonVisionOptions } from './toonvision.js';
export { cnnHypermodel, CNN_HYPERMODEL_MODULE } from './cnn-hypermodel.js';
