/** Pieces shared by the wasm kernels tfjs-tuner registers. */
import * as tf from '@tensorflow/tfjs';

/**
 * Registers `kernelFunc` as the wasm kernel `kernelName`, replacing wasm's own. The original's setupFunc
 * is kept: it binds the wasm function a fallback to the original kernel calls.
 */
export function replaceWasmKernel(kernelName: string, kernelFunc: tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', setupFunc: original?.setupFunc, kernelFunc });
}

/** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
export function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let out = t;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [b, h, w, c] = out.shape;
    const t0 = Math.max(-top, 0);
    const l0 = Math.max(-left, 0);
    out = tf.slice(out, [0, t0, l0, 0], [b, h - t0 - Math.max(-bottom, 0), w - l0 - Math.max(-right, 0), c]);
  }
  return out;
}
