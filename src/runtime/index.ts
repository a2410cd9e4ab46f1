export { initBackend, BACKEND_NAMES, BACKEND_ENV } from './backend.js';
export type { BackendName, BackendChoice } from './backend.js';
export { registerWasmTrainingKernels } from './wasm-training-kernels.js';
