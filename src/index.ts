/** tfjs-tuner: Keras-style image folders and KerasTuner-style search for TensorFlow.js in Node. */
import { setTensorBoardIntegration } from './tuners/tensorboard-hook.js';
import { tensorBoardIntegration } from './tensorboard/tuner-integration.js';

export * from './runtime/index.js';
export * from './data/index.js';
export * from './tuners/index.js';
export * from './tensorboard/index.js';
export * from './models/index.js';
export * from './evaluation/index.js';
export * from './report/index.js';
export { tensorBoardIntegration } from './tensorboard/tuner-integration.js';

// `tuner.search(..., {tensorboard: dir})` works for everyone who imports the package.
setTensorBoardIntegration(tensorBoardIntegration);
