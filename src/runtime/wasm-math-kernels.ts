/**
 * Replacements for wasm kernels that dominate a training step outside the convolutions (measured with
 * bench/profile-step.ts): the dense layers' gradient products, bias additions, and Identity.
 *
 * - BatchMatMul with a transposed operand (every dense-layer gradient): wasm runs these as a naive
 *   loop; here a transposed `a` is just strides for the SIMD product, and a transposed `b` is transposed
 *   once (its size is 1/m of the product's work). Untransposed products stay on XNNPACK.
 * - Add of a row vector (a bias over the last axis, unfused while training): one SIMD pass instead of
 *   wasm's general broadcasting loop.
 * - Identity: shares the input's data (as the cpu backend does) instead of copying it; tensors are
 *   immutable, so nothing can tell the difference but the time.
 * - The gradient of Relu: tfjs computes dy * cast(step(x)) as three kernels over the activations; on wasm
 *   it is one SIMD pass (the kernel `TfjsTunerReluGrad`). The gradient registered for Relu is global, so
 *   on every other backend it keeps tfjs's own formula.
 */
import tf from '../tf.cjs';
import { replaceWasmKernel } from './kernel-utils.js';
import { addressOf, trainingKernels, type WasmBackendLike } from './simd/training-kernels.js';

export interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * a . b over broadcast batch dimensions with transposeA / transposeB, float32; undefined when neither
 * operand is transposed or the batch dimensions need more than a size-1 broadcast.
 */
export function batchMatMulTransposed(backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, attrs: BatchMatMulAttrs): tf.TensorInfo | undefined {
  const { transposeA, transposeB } = attrs;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  if (a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const na = size(batchA);
  const nb = size(batchB);
  // Broadcasting beyond "one side has a single matrix" is left to wasm's own kernel.
  if (na !== nb && na !== 1 && nb !== 1) return undefined;
  if (na === nb && na > 1 && batchA.join() !== batchB.join()) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return undefined; // let wasm's kernel raise its own shape error
  const batchShape = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  if (m * n === 0) return out;
  // b as [k, n] row-major for each batch
  let bRowMajor = b;
  let transposed: tf.Tensor | undefined;
  if (transposeB) {
    const perm = [...batchB.map((_, i) => i), rb - 1, rb - 2];
    transposed = tf.transpose(b as tf.Tensor, perm);
    bRowMajor = transposed;
  }
  const kernels = trainingKernels(backend);
  // addresses are read after every allocation above (the heap may have grown, offsets do not move)
  const pa = addressOf(backend, a);
  const pb = addressOf(backend, bRowMajor);
  const pc = addressOf(backend, out);
  const ar = transposeA ? 4 : k * 4;
  const ak = transposeA ? m * 4 : 4;
  const batches = Math.max(na, nb);
  for (let i = 0; i < batches; i++) {
    kernels.matMul(pa + (na === 1 ? 0 : i * m * k * 4), ar, ak, pb + (nb === 1 ? 0 : i * k * n * 4), pc + i * m * n * 4, m, n, k);
  }
  transposed?.dispose();
  return out;
}

/** x + v where v is a vector along x's last axis (shape [c] or [1, ..., 1, c]), either order; float32. */
export function addRowVector(backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const isRowOf = (v: tf.TensorInfo, x: tf.TensorInfo) => {
    const c = x.shape[x.shape.length - 1];
    return (
      x.shape.length >= 2 && v.shape.length >= 1 && v.shape.length <= x.shape.length &&
      v.shape[v.shape.length - 1] === c && size(v.shape) === c && size(x.shape) > c
    );
  };
  const [x, v] = isRowOf(b, a) ? [a, b] : isRowOf(a, b) ? [b, a] : [undefined, undefined];
  if (!x || !v) return undefined;
  const cols = x.shape[x.shape.length - 1];
  const out = backend.makeOutput([...x.shape], 'float32');
  if (cols === 0) return out;
  trainingKernels(backend).addRowVector(addressOf(backend, x), addressOf(backend, v), addressOf(backend, out), size(x.shape) / cols, cols);
  return out;
}

/** dy * step(x) as one pass (NaN where x is NaN, like tfjs's step); float32 tensors of one shape. */
export const RELU_GRAD_KERNEL = 'TfjsTunerReluGrad';

function reluGradKernel(backend: WasmBackendLike, dy: tf.TensorInfo, x: tf.TensorInfo): tf.TensorInfo {
  const out = backend.makeOutput([...x.shape], 'float32');
  trainingKernels(backend).reluGrad(addressOf(backend, dy), addressOf(backend, x), addressOf(backend, out), size(x.shape));
  return out;
}

function reluGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const fused = tf.getBackend() === 'wasm' && dy.dtype === 'float32' && x.dtype === 'float32' && tf.util.arraysEqual(dy.shape, x.shape);
  if (fused) return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

let registered = false;

/** Registers (once) the replacements above on the wasm backend; other cases go to wasm's own kernels. */
export function registerWasmMathKernels(): void {
  if (registered) return;
  registered = true;
  const wasmMatMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
  if (wasmMatMul) {
    replaceWasmKernel('BatchMatMul', (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      return batchMatMulTransposed(args.backend as unknown as WasmBackendLike, a, b, args.attrs as unknown as BatchMatMulAttrs) ?? wasmMatMul(args);
    });
  }
  const wasmAdd = tf.getKernel('Add', 'wasm')?.kernelFunc;
  if (wasmAdd) {
    replaceWasmKernel('Add', (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      return addRowVector(args.backend as unknown as WasmBackendLike, a, b) ?? wasmAdd(args);
    });
  }
  tf.registerKernel({
    kernelName: RELU_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
      return reluGradKernel(backend as unknown as WasmBackendLike, dy, x);
    },
  });
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => reluGradient(dy as tf.Tensor, x) };
    },
  });
  replaceWasmKernel('Identity', ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return tf.tensor((backend as tf.KernelBackend).readSync(x.dataId) as unknown as string[], x.shape, 'string');
    (backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
