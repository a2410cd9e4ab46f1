/**
 * Training kernels for the tfjs 4.22 wasm backend. wasm has no Conv2DBackpropFilter (so `model.fit` of any
 * CNN throws) and a slow Conv2DBackpropInput. Both gradients are rewritten here as ONE forward
 * convolution each, so they run in wasm's XNNPACK convolution like the forward pass does:
 *
 * - filter gradient: dW[i,j,c,o] = sum_{b,y,x} xpad[b, y*s+i, x*s+j, c] * dy[b,y,x,o]. With x transposed to
 *   [c, H, W, b] and dy to [y, x, b, o], that is a 'valid' convolution of x^T with dy^T as the filter,
 *   dilated by the stride, whose output is [c, i, j, o].
 * - input gradient: dx = convolution of dy (stride-dilated by zero insertion, padded by k-1-pad) with the
 *   filter rotated 180 degrees and its in/out channels swapped.
 */
import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

export interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: Rounding;
  filterShape: [number, number, number, number];
}

export interface Conv2DBackpropInputAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: Rounding;
  inputShape: [number, number, number, number];
}

function requireNHWC(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (wasm, tfjs-tuner): dataFormat ${dataFormat} is not supported; use channelsLast (NHWC).`);
  }
}

/** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
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

/** Inserts stride-1 zeros between the rows and columns of dy: [b, (oh-1)*sh+1, (ow-1)*sw+1, c]. */
function zeroInsert(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, oh, ow, c] = dy.shape;
  const spread = tf.pad(dy.reshape([b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.slice(spread.reshape([b, oh * sh, ow * sw, c]) as tf.Tensor4D, [0, 0, 0, 0], [b, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c]);
}

/** Gradient of conv2d with respect to its filter, as one convolution (see the file comment). */
export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Conv2DBackpropFilterAttrs): tf.Tensor4D {
  requireNHWC('Conv2DBackpropFilter', attrs.dataFormat);
  const [kh, kw] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  return tf.tidy(() => {
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const { top, left } = info.padInfo;
    const xp = padOrCrop(x, top, needH - x.shape[1] - top, left, needW - x.shape[2] - left);
    const xT = xp.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [c, needH, needW, b]
    const dyT = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, b, o]
    const dw = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [oh > 1 ? sh : 1, ow > 1 ? sw : 1]); // [c, kh, kw, o]
    return dw.transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Gradient of conv2d with respect to its input, as one convolution (see the file comment). */
export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DBackpropInputAttrs): tf.Tensor4D {
  requireNHWC('Conv2DBackpropInput', attrs.dataFormat);
  const [, h, w] = attrs.inputShape;
  const [kh, kw] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw } = info;
  return tf.tidy(() => {
    const dyd = zeroInsert(dy, sh, sw);
    const pt = kh - 1 - info.padInfo.top;
    const pl = kw - 1 - info.padInfo.left;
    const dyp = padOrCrop(dyd, pt, h + kh - 1 - pt - dyd.shape[1], pl, w + kw - 1 - pl - dyd.shape[2]);
    const rotated = tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, out, in]
    return tf.conv2d(dyp, rotated, 1, 'valid');
  });
}

let registered = false;

/** Registers (once) the training kernels on the wasm backend. Safe to call before or after loading wasm. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const replace = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  replace('Conv2DBackpropFilter', ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    return conv2dBackpropFilter(x, dy, attrs as unknown as Conv2DBackpropFilterAttrs) as unknown as tf.TensorInfo;
  });
  replace('Conv2DBackpropInput', ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    return conv2dBackpropInput(dy, filter, attrs as unknown as Conv2DBackpropInputAttrs) as unknown as tf.TensorInfo;
  });
}
