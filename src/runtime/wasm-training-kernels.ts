/**
 * Training kernels for the tfjs 4.22 wasm backend. wasm has no Conv2DBackpropFilter (so `model.fit` of any
 * CNN throws), a slow Conv2DBackpropInput, a MaxPoolGrad that breaks ties unlike the cpu backend, and a
 * Sum that transposes before reducing over leading axes (every bias gradient). Here:
 *
 * - filter gradient: dW[i,j,c,o] = sum_{b,y,x} xpad[b, y*s+i, x*s+j, c] * dy[b,y,x,o], our own SIMD kernel
 *   (wasm/training-kernels.ts) working in place on the backend's heap when the output channels are a
 *   multiple of 4; otherwise patches^T . dy as one matrix product (filter-gradient-by-matmul.ts).
 * - input gradient: dx = convolution of dy (stride-dilated by zero insertion, padded by k-1-pad) with the
 *   filter rotated 180 degrees and its in/out channels swapped (XNNPACK, like the forward pass).
 * - MaxPoolGrad: the SIMD kernel, gradient to each window's first maximum, exactly like cpu.
 * - Sum over leading axes: the SIMD column sum; any other reduction goes to wasm's own kernel.
 */
import tf from '../tf.cjs';
import { padOrCrop, replaceWasmKernel, requireSupported, type ConvGradAttrs, type Pad, type Rounding, type Shape4 } from './kernel-utils.js';
import { addressOf, trainingKernels, type WasmBackendLike } from './simd/training-kernels.js';
import { conv2dBackpropFilterByMatMul } from './filter-gradient-by-matmul.js';

export interface Conv2DBackpropFilterAttrs extends ConvGradAttrs {
  filterShape: Shape4;
}

export interface Conv2DBackpropInputAttrs extends ConvGradAttrs {
  inputShape: Shape4;
}


/** Inserts stride-1 zeros between the rows and columns of dy: [b, (oh-1)*sh+1, (ow-1)*sw+1, c]. */
function zeroInsert(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, oh, ow, c] = dy.shape;
  const spread = tf.pad(dy.reshape([b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.slice(spread.reshape([b, oh * sh, ow * sw, c]) as tf.Tensor4D, [0, 0, 0, 0], [b, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c]);
}

/**
 * Crops the spatial axes where a margin is negative and returns the positive margins as the explicit
 * padding of the convolution that follows: XNNPACK pads inside the convolution, without a copy.
 */
function cropThenPad(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): [tf.Tensor4D, tf.backend_util.ExplicitPadding] {
  const cropped = padOrCrop(t, Math.min(top, 0), Math.min(bottom, 0), Math.min(left, 0), Math.min(right, 0));
  return [cropped, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]];
}

/** Gradient of conv2d with respect to its input, as one convolution (see the file comment). */
export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DBackpropInputAttrs): tf.Tensor4D {
  requireSupported('Conv2DBackpropInput', attrs);
  const [, h, w] = attrs.inputShape;
  const [kh, kw] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw } = info;
  return tf.tidy(() => {
    const dyd = zeroInsert(dy, sh, sw);
    const pt = kh - 1 - info.padInfo.top;
    const pl = kw - 1 - info.padInfo.left;
    const [dyc, pad] = cropThenPad(dyd, pt, h + kh - 1 - pt - dyd.shape[1], pl, w + kw - 1 - pl - dyd.shape[2]);
    const rotated = tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, out, in]
    return tf.conv2d(dyc, rotated, 1, pad);
  });
}

export interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: Rounding;
}

/** Gradient of conv2d with respect to its filter: the SIMD kernel where it applies, else one convolution. */
export function conv2dBackpropFilter(backend: WasmBackendLike, x: tf.TensorInfo, dy: tf.TensorInfo, attrs: Conv2DBackpropFilterAttrs): tf.TensorInfo {
  requireSupported('Conv2DBackpropFilter', attrs);
  const co = attrs.filterShape[3];
  if (co % 4 !== 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') {
    return conv2dBackpropFilterByMatMul(x as tf.Tensor4D, dy as tf.Tensor4D, attrs);
  }
  const [n, h, w, ci] = x.shape as Shape4;
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  trainingKernels(backend).conv2dBackpropFilter(
    addressOf(backend, x), addressOf(backend, dy), addressOf(backend, out),
    n, h, w, ci, info.outHeight, info.outWidth, co,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return out;
}

/**
 * Gradient of max pooling: each window's gradient goes to its FIRST maximum in row-major order, exactly
 * like the cpu kernel (ties are common in flat image regions); any window, stride and padding.
 */
export function maxPoolGrad(backend: WasmBackendLike, dy: tf.TensorInfo, x: tf.TensorInfo, attrs: MaxPoolGradAttrs): tf.TensorInfo {
  const [n, h, w, c] = x.shape as Shape4;
  const info = tf.backend_util.computePool2DInfo(x.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const out = backend.makeOutput([n, h, w, c], 'float32');
  trainingKernels(backend).maxPoolGrad(
    addressOf(backend, x), addressOf(backend, dy), addressOf(backend, out),
    n, h, w, c, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return out;
}

export interface SumAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * Sum over the leading axes of a float32 tensor (the bias gradients: dy summed over batch, height and
 * width) as one pass of column sums; undefined for any other reduction.
 */
export function sumLeadingAxes(backend: WasmBackendLike, x: tf.TensorInfo, attrs: SumAttrs): tf.TensorInfo | undefined {
  if (x.dtype !== 'float32' || x.shape.length === 0) return undefined;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.length === x.shape.length || sorted.some((a, i) => a !== i)) return undefined;
  const rows = x.shape.slice(0, sorted.length).reduce((a, b) => a * b, 1);
  const kept = x.shape.slice(sorted.length);
  const cols = kept.reduce((a, b) => a * b, 1);
  if (rows === 0 || cols === 0) return undefined;
  const out = backend.makeOutput(attrs.keepDims ? [...sorted.map(() => 1), ...kept] : kept, 'float32');
  trainingKernels(backend).sumRows(addressOf(backend, x), addressOf(backend, out), rows, cols);
  return out;
}

let registered = false;

/** Registers (once) the training kernels on the wasm backend. Safe to call before or after loading wasm. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel('Conv2DBackpropFilter', ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return conv2dBackpropFilter(backend as unknown as WasmBackendLike, x, dy, attrs as unknown as Conv2DBackpropFilterAttrs);
  });
  replaceWasmKernel('MaxPoolGrad', ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    return maxPoolGrad(backend as unknown as WasmBackendLike, dy, input, attrs as unknown as MaxPoolGradAttrs);
  });
  const wasmSum = tf.getKernel('Sum', 'wasm')?.kernelFunc;
  if (wasmSum) {
    replaceWasmKernel('Sum', (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      return sumLeadingAxes(args.backend as unknown as WasmBackendLike, x, args.attrs as unknown as SumAttrs) ?? wasmSum(args);
    });
  }
  replaceWasmKernel('Conv2DBackpropInput', ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    return conv2dBackpropInput(dy, filter, attrs as unknown as Conv2DBackpropInputAttrs) as unknown as tf.TensorInfo;
  });
}
