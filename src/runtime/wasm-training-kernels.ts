/**
 * Training kernels the tfjs 4.22 wasm backend lacks (or runs slowly), composed from wasm's own
 * XNNPACK-backed kernels (depthwise conv, conv, matmul) so that `model.fit` of a CNN works on wasm.
 */
import * as tf from '@tensorflow/tfjs';

type Conv2DBackpropFilterAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

/** One-hot depthwise filters that copy each kernel offset of every channel into its own channel. */
const patchFilterCache = new Map<string, tf.Tensor4D>();
function patchFilter(kh: number, kw: number, channels: number): tf.Tensor4D {
  const key = `${kh}x${kw}x${channels}`;
  let f = patchFilterCache.get(key);
  if (!f) {
    const m = kh * kw;
    const data = new Float32Array(kh * kw * channels * m);
    // layout [kh, kw, channels, m]: filter (i, j, c, i*kw+j) = 1
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++)
        for (let c = 0; c < channels; c++) data[((i * kw + j) * channels + c) * m + (i * kw + j)] = 1;
    f = tf.keep(tf.tensor4d(data, [kh, kw, channels, m]));
    patchFilterCache.set(key, f);
  }
  return f;
}

/**
 * dW = im2col(x)^T . dy. im2col is one depthwise convolution with one-hot filters (XNNPACK does the
 * striding and padding), the product one matmul.
 */
export function conv2dBackpropFilterNHWC(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: Conv2DBackpropFilterAttrs,
): tf.Tensor4D {
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm, tfjs-tuner): dataFormat ${attrs.dataFormat} is not supported; use NHWC (channelsLast).`);
  }
  const [kh, kw, inC, outC] = attrs.filterShape;
  return tf.tidy(() => {
    const cols = tf.depthwiseConv2d(x, patchFilter(kh, kw, inC), attrs.strides, attrs.pad as any, 'NHWC', 1, attrs.dimRoundingMode);
    const [b, oh, ow] = cols.shape;
    if (oh !== dy.shape[1] || ow !== dy.shape[2] || b !== dy.shape[0]) {
      throw new Error(`Conv2DBackpropFilter: dy shape ${dy.shape} does not match the convolution of x ${x.shape}`);
    }
    const n = b * oh * ow;
    const dw = tf.matMul(cols.reshape([n, inC * kh * kw]), dy.reshape([n, outC]), true, false);
    // rows are ordered (c, i, j); tfjs filters are [i, j, c, out]
    return dw.reshape([inC, kh, kw, outC]).transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

let registered = false;

/** Registers (once) the training kernels on the wasm backend. Call before tf.setBackend('wasm'). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs }) => {
        const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
        return conv2dBackpropFilterNHWC(x, dy, attrs as unknown as Conv2DBackpropFilterAttrs) as any;
      },
    });
  }
}
