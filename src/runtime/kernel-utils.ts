/** Pieces shared by the wasm kernels tfjs-tuner registers. */
import tf from '../tf.cjs';

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

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;
export type Shape4 = [number, number, number, number];

/** The attributes every convolution-gradient kernel receives. */
export interface ConvGradAttrs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: Rounding;
  dataFormat?: 'NHWC' | 'NCHW';
}

/** Throws a clear error for what tfjs-tuner's wasm gradient kernels do not support (dilation > 1, NCHW). */
export function requireSupported(kernel: string, attrs: { dilations?: number | [number, number]; dataFormat?: string }): void {
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (wasm, tfjs-tuner): dataFormat ${attrs.dataFormat} is not supported; use channelsLast (NHWC).`);
  }
  const d = attrs.dilations ?? 1;
  const [dh, dw] = typeof d === 'number' ? [d, d] : d;
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernel} (wasm, tfjs-tuner): dilation rate ${dh}x${dw} is not supported for training; ` +
      `use dilationRate 1, or train on the cpu or tensorflow backend.`);
  }
}
