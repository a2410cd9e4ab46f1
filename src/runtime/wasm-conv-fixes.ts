/**
 * Forward-convolution fixes for the tfjs 4.22 wasm backend.
 *
 * For 'same' padding the wasm kernels hand XNNPACK its TENSORFLOW_SAME_PADDING flag instead of the padding
 * numbers. XNNPACK then computes the total padding as (out - 1) * stride + kernel - in without clamping it
 * at zero, so when that is negative (the kernel is smaller than the stride and the windows do not reach the
 * last rows/columns, e.g. in 9, kernel 2, stride 3) the result is garbage. tfjs (and the cpu backend, and
 * TensorFlow) pad by max(0, ...) = 0 there. Affected: Conv2D, FusedConv2D, DepthwiseConv2dNative and
 * FusedDepthwiseConv2D; the pooling kernels are right.
 *
 * The fix re-registers those kernels with a wrapper that, in exactly those cases, passes the equivalent
 * explicit padding (which then is the same output size) to the original kernel; every other call goes
 * straight to the original, so the fast path is unchanged.
 */
import tf from '../tf.cjs';
import type { Pad } from './kernel-utils.js';


interface ConvLikeAttrs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

/** The convolution kernels whose wasm implementation passes 'same' to XNNPACK as a flag. */
export const SAME_PADDING_FIXED_KERNELS = ['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'] as const;

/**
 * The explicit padding equal to 'same' for this convolution when XNNPACK would get 'same' wrong (its total
 * padding along height or width is negative), else undefined (the original kernel is right).
 */
export function explicitPaddingForSame(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvLikeAttrs,
  depthwise: boolean,
): tf.backend_util.ExplicitPadding | undefined {
  if (attrs.pad !== 'same' || (attrs.dataFormat && attrs.dataFormat !== 'NHWC')) return undefined;
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, attrs.dilations ?? 1, 'same', attrs.dimRoundingMode, depthwise);
  const needH = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight - info.inHeight;
  const needW = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth - info.inWidth;
  if (needH >= 0 && needW >= 0) return undefined;
  const { top, bottom, left, right } = info.padInfo;
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

let registered = false;

/**
 * Re-registers (once) wasm's Conv2D, FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2D so that
 * 'same' padding is right for every shape (see the file comment). Call it after importing
 * '@tensorflow/tfjs-backend-wasm' (which registers the originals) and before the first use of the backend.
 */
export function registerWasmConvFixes(): void {
  if (registered) return;
  for (const kernelName of SAME_PADDING_FIXED_KERNELS) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original) {
      throw new Error(`registerWasmConvFixes: the wasm kernel ${kernelName} is not registered; ` +
        `import '@tensorflow/tfjs-backend-wasm' before calling it.`);
    }
  }
  registered = true;
  for (const kernelName of SAME_PADDING_FIXED_KERNELS) {
    const original = tf.getKernel(kernelName, 'wasm')!;
    const depthwise = kernelName.includes('Depthwise');
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      // keep the original's setupFunc: it binds the wasm function that the original kernelFunc calls
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
      kernelFunc: (args) => {
        const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
        const attrs = args.attrs as unknown as ConvLikeAttrs;
        const explicit = explicitPaddingForSame(
          x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs, depthwise);
        if (!explicit) return original.kernelFunc(args);
        return original.kernelFunc({ ...args, attrs: { ...args.attrs, pad: explicit, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap });
      },
    });
  }
}
