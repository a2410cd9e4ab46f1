/**
 * The SIMD training kernels of wasm/training-kernels.ts, bound to a tfjs wasm backend. The module is
 * instantiated on the backend's own WebAssembly.Memory, so kernels read and write tensors in place by
 * their `memoryOffset`: no copies, and no second heap.
 */
import type tf from '../../tf.cjs';
import { TRAINING_KERNELS_RELAXED_WASM_BASE64, TRAINING_KERNELS_WASM_BASE64 } from './training-kernels.wasm.js';

export interface TrainingKernelsExports {
  conv2dBackpropFilter(
    x: number, dy: number, dw: number,
    n: number, h: number, w: number, ci: number,
    oh: number, ow: number, co: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  maxPoolGrad(
    x: number, dy: number, dx: number,
    n: number, h: number, w: number, c: number,
    oh: number, ow: number, ph: number, pw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  sumRows(src: number, out: number, rows: number, cols: number): void;
  matMul(a: number, ar: number, ak: number, b: number, c: number, m: number, n: number, k: number): void;
  addRowVector(x: number, v: number, out: number, rows: number, cols: number): void;
  reluGrad(dy: number, x: number, out: number, count: number): void;
  reluGradSumRows(dy: number, x: number, out: number, sums: number, rows: number, cols: number): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm used here (it is not exported with types we can import). */
export interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, TrainingKernelsExports>();

/**
 * Which build the kernels use: 'relaxed' (fused multiply-add; engines with relaxed SIMD, Node >= 22) or
 * 'baseline'. TFJS_TUNER_WASM_KERNELS=baseline forces the baseline (e.g. for bit-identical runs across
 * machines: a relaxed multiply-add may or may not round once, depending on the CPU).
 */
export function kernelsBuild(): 'relaxed' | 'baseline' {
  if (process.env.TFJS_TUNER_WASM_KERNELS === 'baseline') return 'baseline';
  return WebAssembly.validate(Buffer.from(TRAINING_KERNELS_RELAXED_WASM_BASE64, 'base64')) ? 'relaxed' : 'baseline';
}

/** The kernels bound to this backend's memory (one instance per memory, made on first use). */
export function trainingKernels(backend: WasmBackendLike): TrainingKernelsExports {
  const memory = backend.wasm.asm.memory;
  let k = instances.get(memory);
  if (!k) {
    compiled ??= new WebAssembly.Module(Buffer.from(kernelsBuild() === 'relaxed' ? TRAINING_KERNELS_RELAXED_WASM_BASE64 : TRAINING_KERNELS_WASM_BASE64, 'base64'));
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as TrainingKernelsExports;
    instances.set(memory, k);
  }
  return k;
}

/** The heap address of a tensor's data on the wasm backend. */
export function addressOf(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tfjs-tuner: a tensor given to a wasm kernel has no data on the wasm backend');
  return data.memoryOffset;
}
