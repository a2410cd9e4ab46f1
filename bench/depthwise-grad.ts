/**
 * npx tsx bench/depthwise-grad.ts [--cpu]   (or, once added: npm run bench:depthwise -- --cpu)
 * Times the wasm depthwise-convolution gradients (tfjs-tuner's kernels) against the alternative
 * compositions we tried, on layer shapes of small image CNNs (and against the cpu backend with --cpu).
 * Prints the median ms per call; last line: one JSON object.
 */
import * as tf from '@tensorflow/tfjs';
import {
  depthwiseConv2dBackpropFilter,
  depthwiseConv2dBackpropFilterBySlices,
  depthwiseConv2dBackpropInput,
  type DepthwiseBackpropFilterAttrs,
} from '../src/runtime/wasm-depthwise-kernels.js';
import { initBackend } from '../src/runtime/backend.js';
import { padOrCrop } from '../src/runtime/kernel-utils.js';

const withCpu = process.argv.includes('--cpu');

/** Filter gradient as the lead's conv2d trick (a full conv2d, then its channel diagonal): wastes a factor C. */
function filterByConv2dDiagonal(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: DepthwiseBackpropFilterAttrs): tf.Tensor4D {
  const [kh, kw, c, m] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, undefined, true);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  return tf.tidy(() => {
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const { top, left } = info.padInfo;
    const xp = padOrCrop(x, top, needH - x.shape[1] - top, left, needW - x.shape[2] - left);
    const full = tf.conv2d(xp.transpose([3, 1, 2, 0]) as tf.Tensor4D, dy.transpose([1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid', 'NHWC',
      [oh > 1 ? sh : 1, ow > 1 ? sw : 1]); // [c, kh, kw, c*m]
    const mask = tf.oneHot(tf.range(0, c, 1, 'int32'), c).reshape([c, 1, 1, c, 1]);
    return tf.sum(tf.mul(full.reshape([c, kh, kw, c, m]), mask), 3).transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Input gradient via the sub-pixel split: s*s small depthwise convolutions, interleaved (no zero insertion). */
function inputBySubpixel(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number], s: number, pad: 'same' | 'valid'): tf.Tensor4D {
  // Only for the benchmark: emulated with the kernel on each phase's zero-inserted slice would defeat the
  // purpose, so this times s*s depthwise convs of dy with the sub-filters plus the interleave transpose.
  const [b, h, w, c] = inputShape;
  const [kh, kw, , m] = filter.shape;
  return tf.tidy(() => {
    const phases: tf.Tensor4D[] = [];
    const ph = Math.ceil(h / s);
    const pw = Math.ceil(w / s);
    for (let py = 0; py < s; py++)
      for (let px = 0; px < s; px++) {
        const sub = tf.stridedSlice(tf.reverse(filter, [0, 1]), [py, px, 0, 0], [kh, kw, c, m], [s, s, 1, 1]) as tf.Tensor4D;
        const sk = sub.shape[0];
        const sl = sub.shape[1];
        const pd = tf.pad(dy, [[0, 0], [sk - 1, Math.max(0, ph - dy.shape[1])], [sl - 1, Math.max(0, pw - dy.shape[2])], [0, 0]]);
        const o = tf.depthwiseConv2d(pd, sub.reshape([sk, sl, c * m, 1]) as tf.Tensor4D, 1, 'valid');
        const os = tf.slice(o, [0, 0, 0, 0], [b, ph, pw, c * m]);
        phases.push((m === 1 ? os : tf.sum(os.reshape([b, ph, pw, c, m]), 4)) as tf.Tensor4D);
      }
    const stacked = tf.stack(phases).reshape([s, s, b, ph, pw, c]).transpose([2, 3, 0, 4, 1, 5]).reshape([b, ph * s, pw * s, c]);
    return tf.slice(stacked, [0, 0, 0, 0], [b, h, w, c]) as tf.Tensor4D;
  });
}

/** The first version of our filter gradient: x padded by a Pad, channels ordered c*B+b (two 4-D transposes). */
function filterPaddedChannelMajor(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: DepthwiseBackpropFilterAttrs): tf.Tensor4D {
  const [kh, kw, c, m] = attrs.filterShape;
  const b = x.shape[0];
  const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, undefined, true);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  return tf.tidy(() => {
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const { top, left } = info.padInfo;
    const xp = padOrCrop(x, top, needH - x.shape[1] - top, left, needW - x.shape[2] - left);
    const xT = xp.transpose([1, 2, 3, 0]).reshape([1, needH, needW, c * b]) as tf.Tensor4D;
    const dyT = (m === 1 ? dy.transpose([1, 2, 3, 0]) : dy.reshape([b, oh, ow, c, m]).transpose([1, 2, 3, 0, 4])).reshape([oh, ow, c * b, m]) as tf.Tensor4D;
    const dw = tf.depthwiseConv2d(xT, dyT, 1, 'valid', 'NHWC', [oh > 1 ? sh : 1, ow > 1 ? sw : 1]);
    return tf.sum(dw.reshape([kh, kw, c, b, m]), 3) as tf.Tensor4D;
  });
}

/** The first version of our input gradient: zero insertion by Pad + Slice, then a Pad, then a 'valid' convolution. */
function inputZeroInsertSlicePad(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number], s: number, pad: 'same' | 'valid'): tf.Tensor4D {
  const [b, h, w, c] = inputShape;
  const [kh, kw, , m] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, s, 1, pad, undefined, true);
  return tf.tidy(() => {
    const [, oh, ow, cm] = dy.shape;
    let dyd = dy;
    if (s > 1) {
      const wide = tf.pad(dy.reshape([b, oh, 1, ow, 1, cm]), [[0, 0], [0, 0], [0, s - 1], [0, 0], [0, s - 1], [0, 0]]);
      dyd = tf.slice(wide.reshape([b, oh * s, ow * s, cm]) as tf.Tensor4D, [0, 0, 0, 0], [b, (oh - 1) * s + 1, (ow - 1) * s + 1, cm]);
    }
    const pt = kh - 1 - info.padInfo.top;
    const pl = kw - 1 - info.padInfo.left;
    const dyp = tf.pad(dyd, [[0, 0], [pt, h + kh - 1 - pt - dyd.shape[1]], [pl, w + kw - 1 - pl - dyd.shape[2]], [0, 0]]);
    const dx = tf.depthwiseConv2d(dyp, tf.reverse(filter, [0, 1]).reshape([kh, kw, c * m, 1]) as tf.Tensor4D, 1, 'valid');
    return (m === 1 ? dx : tf.sum(dx.reshape([b, h, w, c, m]), 4)) as tf.Tensor4D;
  });
}

/** Median ms per call (the machine may be shared: the median shrugs off other processes' bursts). */
async function time(fn: () => tf.Tensor, minMs = 600): Promise<number> {
  tf.dispose(fn()); // warm-up (XNNPACK operator creation)
  const times: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || times.length < 5) {
    const t1 = performance.now();
    const t = fn();
    await t.data();
    t.dispose();
    times.push(performance.now() - t1);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const shapes = [
  { b: 32, h: 32, w: 32, c: 32, k: 3, s: 1, m: 1 },
  { b: 32, h: 32, w: 32, c: 32, k: 3, s: 2, m: 1 },
  { b: 32, h: 16, w: 16, c: 64, k: 3, s: 1, m: 1 },
  { b: 32, h: 16, w: 16, c: 64, k: 5, s: 1, m: 2 },
  { b: 32, h: 64, w: 64, c: 16, k: 3, s: 2, m: 1 },
  { b: 8, h: 8, w: 8, c: 128, k: 7, s: 1, m: 1 },
];

const rows: Record<string, unknown>[] = [];
await initBackend('wasm');
for (const sh of shapes) {
  const info = tf.backend_util.computeConv2DInfo([sh.b, sh.h, sh.w, sh.c], [sh.k, sh.k, sh.c, sh.m], sh.s, 1, 'same', undefined, true);
  const x = tf.randomNormal([sh.b, sh.h, sh.w, sh.c]) as tf.Tensor4D;
  const f = tf.randomNormal([sh.k, sh.k, sh.c, sh.m]) as tf.Tensor4D;
  const dy = tf.randomNormal([sh.b, info.outHeight, info.outWidth, sh.c * sh.m]) as tf.Tensor4D;
  const fa: DepthwiseBackpropFilterAttrs = { strides: sh.s, pad: 'same', filterShape: [sh.k, sh.k, sh.c, sh.m] };
  const row: Record<string, unknown> = { ...sh };
  row.forwardMs = await time(() => tf.depthwiseConv2d(x, f, sh.s, 'same'));
  row.filterDepthwiseMs = await time(() => depthwiseConv2dBackpropFilter(x, dy, fa));
  row.filterFirstVersionMs = await time(() => filterPaddedChannelMajor(x, dy, fa));
  row.filterSlicesMs = await time(() => depthwiseConv2dBackpropFilterBySlices(x, dy, fa));
  row.filterConv2dDiagonalMs = await time(() => filterByConv2dDiagonal(x, dy, fa));
  row.inputSpreadMs = await time(() => depthwiseConv2dBackpropInput(dy, f, { strides: sh.s, pad: 'same', inputShape: [sh.b, sh.h, sh.w, sh.c] }));
  row.inputFirstVersionMs = await time(() => inputZeroInsertSlicePad(dy, f, [sh.b, sh.h, sh.w, sh.c], sh.s, 'same'));
  if (sh.s > 1) row.inputSubpixelMs = await time(() => inputBySubpixel(dy, f, [sh.b, sh.h, sh.w, sh.c], sh.s, 'same'));
  if (withCpu) {
    const [xd, fd, dyd] = [await x.data(), await f.data(), await dy.data()];
    await tf.setBackend('cpu');
    const [xc, fc, dyc] = [tf.tensor4d(xd, x.shape), tf.tensor4d(fd, f.shape), tf.tensor4d(dyd, dy.shape)];
    row.cpuFilterMs = await time(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xc, dy: dyc }, { strides: sh.s, pad: 'same', dilations: 1, filterShape: f.shape } as any) as tf.Tensor, 200);
    row.cpuInputMs = await time(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyc, filter: fc }, { strides: sh.s, pad: 'same', dilations: 1, inputShape: x.shape } as any) as tf.Tensor, 200);
    tf.dispose([xc, fc, dyc]);
    await tf.setBackend('wasm');
  }
  for (const [k, v] of Object.entries(row)) if (k.endsWith('Ms')) row[k] = Math.round((v as number) * 100) / 100;
  console.log(JSON.stringify(row));
  rows.push(row);
  tf.dispose([x, f, dy]);
}
console.log(JSON.stringify({ wasmDepthwiseGradients: rows }));
