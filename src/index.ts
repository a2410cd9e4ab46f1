/** tfjs-tuner: Keras-style image folders and KerasTuner-style search for TensorFlow.js in Node. */
export * from './runtime/index.js';
export * from './tensorboard/index.js';
