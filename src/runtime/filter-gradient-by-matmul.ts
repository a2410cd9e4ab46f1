/**
 * The conv filter gradient as one matrix product, patches^T . dy, built from tfjs ops (any backend).
 *
 * - webgpu: its own Conv2DBackpropFilter runs one GPU thread per filter weight, each summing over every
 *   pixel of the batch: a 3x3x16x32 filter is 4,608 threads looping 32,768 times, which took 40 ms of a
 *   75 ms training step of the reference CNN on an H100. As a product with the batch's pixels as the
 *   inner dimension, tfjs-webgpu splits that dimension across workgroups (its split-K program).
 * - wasm: the fallback of the SIMD filter gradient (output channels not a multiple of 4).
 */
import tf from '../tf.cjs';
import { padOrCrop, type ConvGradAttrs, type Shape4 } from './kernel-utils.js';

export interface FilterGradAttrs extends ConvGradAttrs {
  filterShape: Shape4;
}

/**
 * dW[i, j, c, o] = sum over b, y, x of xpad[b, y*sh + i, x*sw + j, c] * dy[b, y, x, o], computed as
 * im2col(x)^T . dy with tfjs ops (any backend; NHWC, dilation 1).
 */
export function conv2dBackpropFilterByMatMul(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: FilterGradAttrs): tf.Tensor4D {
  const [kh, kw, ci, co] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const [b] = x.shape;
  return tf.tidy(() => {
    const { top, left } = info.padInfo;
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const xp = padOrCrop(x, top, needH - x.shape[1] - top, left, needW - x.shape[2] - left);
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        taps.push(tf.stridedSlice(xp, [0, i, j, 0], [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, ci], [1, sh, sw, 1]) as tf.Tensor4D);
      }
    // [b*oh*ow, kh*kw*ci]: tap-major, channel-minor, the filter's own [kh, kw, ci] order
    const patches = (taps.length === 1 ? taps[0] : tf.concat(taps, 3)).reshape([b * oh * ow, kh * kw * ci]);
    const dw = tf.matMul(patches, dy.reshape([b * oh * ow, co]), true, false);
    return dw.reshape([kh, kw, ci, co]) as tf.Tensor4D;
  });
}
