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
import { padOrCrop, replaceWasmKernel, requireSupported, type ConvGradAttrs, type Pad, type Rounding, type Shape4 } from './kernel-utils.js';

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

/** Gradient of conv2d with respect to its filter, as one convolution (see the file comment). */
export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Conv2DBackpropFilterAttrs): tf.Tensor4D {
  requireSupported('Conv2DBackpropFilter', attrs);
  const [kh, kw] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  return tf.tidy(() => {
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const { top, left } = info.padInfo;
    const [xc, pad] = cropThenPad(x, top, needH - x.shape[1] - top, left, needW - x.shape[2] - left);
    const xT = xc.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [c, h, w, b]; padded to [c, needH, needW, b] by the conv
    const dyT = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, b, o]
    const dw = tf.conv2d(xT, dyT, 1, pad, 'NHWC', [oh > 1 ? sh : 1, ow > 1 ? sw : 1]); // [c, kh, kw, o]
    return dw.transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
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

/** Window priorities ph*pw - q for window position q (row-major), shaped to broadcast over 6-D windows. */
const priorityCache = new Map<string, tf.Tensor>();
function windowPriority(ph: number, pw: number): tf.Tensor {
  const key = `${ph}x${pw}`;
  let p = priorityCache.get(key);
  if (!p) {
    const data = Float32Array.from({ length: ph * pw }, (_, q) => ph * pw - q);
    p = tf.keep(tf.tensor(data, [1, 1, ph, 1, pw, 1]));
    priorityCache.set(key, p);
  }
  return p;
}

/**
 * MaxPoolGrad for non-overlapping windows (window == stride, no leading padding): the gradient goes to the
 * FIRST maximum of each window in row-major order, exactly like the cpu kernel (ties are common in flat
 * image regions). Returns undefined when the pooling is not of that kind, so the caller can fall back.
 */
export function maxPoolGradNonOverlapping(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, attrs: MaxPoolGradAttrs): tf.Tensor4D | undefined {
  const info = tf.backend_util.computePool2DInfo(x.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { filterHeight: ph, filterWidth: pw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  if (ph !== sh || pw !== sw || info.padInfo.top !== 0 || info.padInfo.left !== 0) return undefined;
  const [b, h, w, c] = x.shape;
  if (oh * ph > h || ow * pw > w) return undefined; // windows reach into bottom/right padding
  return tf.tidy(() => {
    const xc = oh * ph === h && ow * pw === w ? x : tf.slice(x, [0, 0, 0, 0], [b, oh * ph, ow * pw, c]);
    const win = [b, oh, ph, ow, pw, c];
    const one = [b, oh, 1, ow, 1, c];
    // Scores: a maximum at window position q gets (K+1)*(K-q), any other position at most K (K = ph*pw),
    // so each window's best score sits at its first maximum. step(v, K+1) is 1 for v > 0, K+1 for v <= 0,
    // and y - x >= 0 is 0 exactly at the maxima. (wasm's broadcasting Equal and its Sign are slow.)
    const k = ph * pw;
    const score = tf.mul(tf.step(tf.sub(y.reshape(one), xc.reshape(win)), k + 1), windowPriority(ph, pw));
    const best = tf.maxPool(score.reshape([b, oh * ph, ow * pw, c]) as tf.Tensor4D, [ph, pw], [ph, pw], 'valid');
    // Scores are whole numbers, distinct within a window: the best one is the only one above best - 0.5.
    const first = tf.step(tf.sub(score, tf.sub(best, 0.5).reshape(one)));
    const dx = tf.mul(first, dy.reshape(one)).reshape([b, oh * ph, ow * pw, c]) as tf.Tensor4D;
    return padOrCrop(dx, 0, h - oh * ph, 0, w - ow * pw);
  });
}

/**
 * MaxPoolGrad for any window, stride and padding: one strided slice per window offset, the first maximum
 * in row-major order selected as on the cpu backend, and the gradients scattered back by zero insertion.
 * (The wasm backend's own kernel breaks ties differently from the cpu backend.)
 */
export function maxPoolGradGeneral(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, attrs: MaxPoolGradAttrs): tf.Tensor4D {
  const info = tf.backend_util.computePool2DInfo(x.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { filterHeight: ph, filterWidth: pw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    // padded rows and columns never win: pad with -Infinity, and far enough for every window
    const hp = Math.max(h + top, (oh - 1) * sh + ph);
    const wp = Math.max(w + left, (ow - 1) * sw + pw);
    const xp = tf.pad(x, [[0, 0], [top, hp - h - top], [left, wp - w - left], [0, 0]], -Infinity);
    let taken: tf.Tensor | undefined;
    let dxp: tf.Tensor4D | undefined;
    for (let i = 0; i < ph; i++)
      for (let j = 0; j < pw; j++) {
        const xs = tf.stridedSlice(xp, [0, i, j, 0], [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
        const isMax = tf.sub(1, tf.step(tf.sub(y, xs)));
        const sel = taken ? tf.mul(isMax, tf.sub(1, taken)) : isMax;
        taken = taken ? tf.add(taken, sel) : sel;
        const spread = zeroInsert(tf.mul(sel, dy) as tf.Tensor4D, sh, sw);
        const placed = tf.pad(spread, [[0, 0], [i, hp - i - spread.shape[1]], [j, wp - j - spread.shape[2]], [0, 0]]);
        dxp = dxp ? tf.add(dxp, placed) : placed;
      }
    return tf.slice(dxp!, [0, top, left, 0], [b, h, w, c]);
  });
}

let registered = false;

/** Registers (once) the training kernels on the wasm backend. Safe to call before or after loading wasm. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel('Conv2DBackpropFilter', ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    return conv2dBackpropFilter(x, dy, attrs as unknown as Conv2DBackpropFilterAttrs) as unknown as tf.TensorInfo;
  });
  replaceWasmKernel('MaxPoolGrad', ({ inputs, attrs }) => {
    const { dy, input, output } = inputs as unknown as { dy: tf.Tensor4D; input: tf.Tensor4D; output: tf.Tensor4D };
    const a = attrs as unknown as MaxPoolGradAttrs;
    return (maxPoolGradNonOverlapping(dy, input, output, a) ?? maxPoolGradGeneral(dy, input, output, a)) as unknown as tf.TensorInfo;
  });
  replaceWasmKernel('Conv2DBackpropInput', ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    return conv2dBackpropInput(dy, filter, attrs as unknown as Conv2DBackpropInputAttrs) as unknown as tf.TensorInfo;
  });
}
