/**
 * Depthwise-convolution training kernels for the tfjs 4.22 wasm backend, which has neither
 * DepthwiseConv2dNativeBackpropInput nor DepthwiseConv2dNativeBackpropFilter (so `model.fit` of a model with
 * a depthwiseConv2d or separableConv2d layer throws). Both are built from wasm's own XNNPACK kernels:
 *
 * - input gradient: dx = depthwise convolution of dy (spread by its strides with zeros in between, padded
 *   by k-1-pad inside the convolution) with the filter rotated 180 degrees, one filter per output channel
 *   c*M+m, then summed over the channel multiplier M.
 * - filter gradient: dW[i,j,c,m] = sum_{b,y,x} xpad[b, y*s+i, x*s+j, c] * dy[b,y,x,c*M+m]. Every
 *   (batch, channel) pair is one channel of a single depthwise convolution: x transposed to
 *   [1, H, W, b*C+c] is convolved (padded, dilated by the stride) with dy transposed to the filter
 *   [oh, ow, b*C+c, m]; its output [1, kh, kw, (b*C+c)*M+m] summed over b is dW.
 */
import tf from '../tf.cjs';
import { padOrCrop, replaceWasmKernel, requireSupported, type ConvGradAttrs, type Pad, type Rounding, type Shape4 } from './kernel-utils.js';

export interface DepthwiseBackpropFilterAttrs extends ConvGradAttrs {
  filterShape: Shape4;
}

export interface DepthwiseBackpropInputAttrs extends ConvGradAttrs {
  inputShape: Shape4;
}


function convInfo(xShape: Shape4, filterShape: Shape4, attrs: { strides: number | [number, number]; pad: Pad; dimRoundingMode?: Rounding }) {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, true);
}

/**
 * dy spread by its strides (stride-1 zeros between rows and between columns), so that dy row y lands at
 * row a + y*sh of the result (rows a..a+oh*sh-1 in all, a < sh); likewise for columns with offset l.
 * One Pad of a 6-D view: no Slice (wasm's Slice copies channel by channel in JS and is slow).
 */
function spread(dy: tf.Tensor4D, sh: number, sw: number, a: number, l: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, oh, ow, c] = dy.shape;
  const wide = tf.pad(dy.reshape([b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [a, sh - 1 - a], [0, 0], [l, sw - 1 - l], [0, 0]]);
  return wide.reshape([b, oh * sh, ow * sw, c]);
}

/**
 * Where dy row y must land in the padded, spread dy of the input gradient (row pt + y*s of h + k - 1 rows),
 * as a spread offset a and explicit convolution padding [before, after] >= 0; undefined when no offset
 * fits (then the spread dy is cropped instead).
 */
function spreadPlacement(n: number, k: number, s: number, outN: number, pt: number): { a: number; before: number; after: number } | undefined {
  const total = n + k - 1;
  const a = Math.max(0, outN * s - total + pt);
  if (a > Math.min(s - 1, pt)) return undefined;
  return { a, before: pt - a, after: total - (pt - a) - outN * s };
}

/** Gradient of a depthwise convolution with respect to its input (see the file comment). */
export function depthwiseConv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: DepthwiseBackpropInputAttrs): tf.Tensor4D {
  requireSupported('DepthwiseConv2dNativeBackpropInput', attrs);
  const [b, h, w, c] = attrs.inputShape;
  const [kh, kw, , m] = filter.shape;
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  return tf.tidy(() => {
    const pt = kh - 1 - info.padInfo.top;
    const pl = kw - 1 - info.padInfo.left;
    const rotated = tf.reverse(filter, [0, 1]).reshape([kh, kw, c * m, 1]) as tf.Tensor4D;
    const ph = spreadPlacement(h, kh, sh, oh, pt);
    const pw = spreadPlacement(w, kw, sw, ow, pl);
    let dx: tf.Tensor4D;
    if (ph && pw) {
      // the convolution pads (XNNPACK pads virtually, for free)
      const dys = spread(dy, sh, sw, ph.a, pw.a);
      dx = tf.depthwiseConv2d(dys, rotated, 1, [[0, 0], [ph.before, ph.after], [pw.before, pw.after], [0, 0]]);
    } else {
      const dyd = tf.slice(spread(dy, sh, sw, 0, 0), [0, 0, 0, 0], [b, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c * m]);
      const dyp = padOrCrop(dyd, pt, h + kh - 1 - pt - dyd.shape[1], pl, w + kw - 1 - pl - dyd.shape[2]);
      dx = tf.depthwiseConv2d(dyp, rotated, 1, 'valid'); // [b, h, w, c*m]
    }
    return m === 1 ? dx : (tf.sum(dx.reshape([b, h, w, c, m]), 4) as tf.Tensor4D);
  });
}

/** Gradient of a depthwise convolution with respect to its filter (see the file comment). */
export function depthwiseConv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: DepthwiseBackpropFilterAttrs): tf.Tensor4D {
  requireSupported('DepthwiseConv2dNativeBackpropFilter', attrs);
  const [kh, kw, c, m] = attrs.filterShape;
  const [b, h, w] = x.shape;
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  return tf.tidy(() => {
    const { top, left } = info.padInfo;
    const bottom = (oh - 1) * sh + kh - h - top;
    const right = (ow - 1) * sw + kw - w - left;
    // channel b*c + c': batch-major, so both transposes move whole pixels' channel vectors
    const xT = x.transpose([1, 2, 0, 3]).reshape([1, h, w, b * c]) as tf.Tensor4D;
    const dyT = dy.transpose([1, 2, 0, 3]).reshape([oh, ow, b * c, m]) as tf.Tensor4D;
    // the convolution pads; rows/columns that no window reaches (bottom/right < 0) give extra outputs, dropped
    let dw = tf.depthwiseConv2d(xT, dyT, 1, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]], 'NHWC',
      [oh > 1 ? sh : 1, ow > 1 ? sw : 1]); // [1, kh', kw', (b*c+c')*m+m']
    if (dw.shape[1] !== kh || dw.shape[2] !== kw) dw = tf.slice(dw, [0, 0, 0, 0], [1, kh, kw, b * c * m]);
    return tf.sum(dw.reshape([kh, kw, b, c * m]), 2).reshape([kh, kw, c, m]) as tf.Tensor4D;
  });
}

/**
 * Filter gradient, second composition (kept for the benchmark): one strided slice of the padded input per
 * kernel offset, multiplied by dy and summed over batch and pixels with a matrix product.
 */
export function depthwiseConv2dBackpropFilterBySlices(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: DepthwiseBackpropFilterAttrs): tf.Tensor4D {
  requireSupported('DepthwiseConv2dNativeBackpropFilter', attrs);
  const [kh, kw, c, m] = attrs.filterShape;
  const [b] = x.shape;
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  return tf.tidy(() => {
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const { top, left } = info.padInfo;
    const xp = padOrCrop(x, top, needH - x.shape[1] - top, left, needW - x.shape[2] - left);
    const n = b * oh * ow;
    const ones = tf.ones([1, n]);
    const dyN = dy.reshape(m === 1 ? [n, c] : [n, c, m]);
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const xs = tf.stridedSlice(xp, [0, i, j, 0], [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
        const prod = tf.mul(xs.reshape(m === 1 ? [n, c] : [n, c, 1]), dyN).reshape([n, c * m]);
        rows.push(tf.matMul(ones, prod as tf.Tensor2D));
      }
    return tf.concat(rows, 0).reshape([kh, kw, c, m]) as tf.Tensor4D;
  });
}

let registered = false;

/**
 * Registers (once) DepthwiseConv2dNativeBackpropInput and DepthwiseConv2dNativeBackpropFilter on the wasm
 * backend. Safe to call before or after loading wasm, and more than once.
 */
export function registerWasmDepthwiseKernels(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel('DepthwiseConv2dNativeBackpropInput', ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    return depthwiseConv2dBackpropInput(dy, filter, attrs as unknown as DepthwiseBackpropInputAttrs) as unknown as tf.TensorInfo;
  });
  replaceWasmKernel('DepthwiseConv2dNativeBackpropFilter', ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    return depthwiseConv2dBackpropFilter(x, dy, attrs as unknown as DepthwiseBackpropFilterAttrs) as unknown as tf.TensorInfo;
  });
}
