export { initBackend, BACKEND_NAMES, BACKEND_ENV } from './backend.js';
export type { BackendName, BackendChoice } from './backend.js';
export { registerWasmTrainingKernels } from './wasm-training-kernels.js';
export { registerWasmDepthwiseKernels } from './wasm-depthwise-kernels.js';
export { registerWasmConvFixes } from './wasm-conv-fixes.js';
