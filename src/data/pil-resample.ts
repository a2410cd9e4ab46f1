/**
 * PIL's convolution resize for 8-bit images (Image.resize with BOX, BILINEAR, HAMMING, BICUBIC,
 * LANCZOS; no reducing_gap), following Pillow's libImaging/Resample.c step for step: per output pixel a
 * filter window centred at in0 + (x + 0.5) * scale, support widened by the scale when downscaling,
 * weights normalised to sum 1, then 22-bit fixed point (rounded away from 0); a horizontal pass over
 * only the rows the vertical pass reads (clipped to uint8), then the vertical pass. An optional crop box
 * (Keras's keep_aspect_ratio) moves the window like PIL's `box`. RGBA goes through premultiplied alpha
 * as Image.resize does. test/data/pil-model.ts is the literal, unoptimised transcription this is checked
 * against; here the work is in typed arrays with coefficient tables reused across images of one size,
 * and the two passes run as 128-bit SIMD wasm (wasm/pil-resample.ts, same integer arithmetic) where
 * the engine has it, else in JS.
 */
import { PIL_RESAMPLE_WASM_BASE64 } from './pil-resample.wasm.js';
export type PilFilter = 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';
export const PIL_FILTERS: readonly PilFilter[] = ['box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];

/** [x0, y0, x1, y1] in source pixels, like PIL's `box`. */
export type PilBox = readonly [number, number, number, number];

const sinc = (x: number) => {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
};
// Resample.c writes 0.54f and 0.46f: float constants widened to double.
const F32_054 = Math.fround(0.54);
const F32_046 = Math.fround(0.46);

const FILTERS: Record<PilFilter, { support: number; f: (x: number) => number }> = {
  box: { support: 0.5, f: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, f: (x) => ((x = Math.abs(x)) < 1 ? 1 - x : 0) },
  hamming: {
    support: 1,
    f: (x) => {
      x = Math.abs(x);
      if (x === 0) return 1;
      if (x >= 1) return 0;
      x *= Math.PI;
      return (Math.sin(x) / x) * (F32_054 + F32_046 * Math.cos(x));
    },
  },
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, f: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const BITS = 22;
const HALF = 1 << (BITS - 1);
// Sums are kept in int32 with `| 0`: wrapping like C's int, exact whenever the final sum fits (it does:
// PIL's clip8 table covers -640..639 << 22).

interface Coeffs {
  /** Per output pixel: first source index and tap count. */
  bounds: Int32Array;
  /** ksize fixed-point weights per output pixel. */
  k: Int32Array;
  ksize: number;
}

/** precompute_coeffs + normalize_coeffs_8bpc. */
function computeCoeffs(inSize: number, in0: number, in1: number, outSize: number, filter: PilFilter): Coeffs {
  const { support: base, f } = FILTERS[filter];
  // (double)(in1 - in0) with float box values: exact for the whole-pixel boxes used here.
  const scale = Math.fround(Math.fround(in1) - Math.fround(in0)) / outSize;
  const filterscale = Math.max(scale, 1);
  const support = base * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = Math.fround(in0) + (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = f((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * (1 << BITS) : 0.5 + v * (1 << BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, k, ksize };
}

// A folder of same-sized images needs the same tables for every file.
const coeffCache = new Map<string, Coeffs>();
function coeffs(inSize: number, in0: number, in1: number, outSize: number, filter: PilFilter): Coeffs {
  const key = `${filter}/${inSize}/${in0}/${in1}/${outSize}`;
  let c = coeffCache.get(key);
  if (!c) {
    if (coeffCache.size >= 256) coeffCache.clear();
    c = computeCoeffs(inSize, in0, in1, outSize, filter);
    coeffCache.set(key, c);
  }
  return c;
}

/** ImagingResampleHorizontal_8bpc over `rows` source rows from `y0`; the clamped store is PIL's clip8. */
function horizontal(src: Uint8Array, w: number, c: number, y0: number, rows: number, outW: number, { bounds, k, ksize }: Coeffs): Uint8Array {
  const out = new Uint8ClampedArray(outW * rows * c);
  const inRow = w * c;
  const outRow = outW * c;
  if (c === 1) {
    for (let y = 0; y < rows; y++) {
      const ib = (y + y0) * inRow;
      const ob = y * outRow;
      for (let xx = 0; xx < outW; xx++) {
        const p = ib + bounds[xx * 2];
        const n = bounds[xx * 2 + 1];
        const kb = xx * ksize;
        let s = HALF;
        for (let x = 0; x < n; x++) s = (s + src[p + x] * k[kb + x]) | 0;
        out[ob + xx] = s >> BITS;
      }
    }
  } else if (c === 3) {
    for (let y = 0; y < rows; y++) {
      const ib = (y + y0) * inRow;
      const ob = y * outRow;
      for (let xx = 0; xx < outW; xx++) {
        let p = ib + bounds[xx * 2] * 3;
        const n = bounds[xx * 2 + 1];
        const kb = xx * ksize;
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < n; x++, p += 3) {
          const kx = k[kb + x];
          s0 = (s0 + src[p] * kx) | 0;
          s1 = (s1 + src[p + 1] * kx) | 0;
          s2 = (s2 + src[p + 2] * kx) | 0;
        }
        const o = ob + xx * 3;
        out[o] = s0 >> BITS;
        out[o + 1] = s1 >> BITS;
        out[o + 2] = s2 >> BITS;
      }
    }
  } else {
    for (let y = 0; y < rows; y++) {
      const ib = (y + y0) * inRow;
      const ob = y * outRow;
      for (let xx = 0; xx < outW; xx++) {
        const p = ib + bounds[xx * 2] * c;
        const n = bounds[xx * 2 + 1];
        const kb = xx * ksize;
        for (let ch = 0; ch < c; ch++) {
          let s = HALF;
          for (let x = 0, q = p + ch; x < n; x++, q += c) s = (s + src[q] * k[kb + x]) | 0;
          out[ob + xx * c + ch] = s >> BITS;
        }
      }
    }
  }
  return new Uint8Array(out.buffer);
}

/**
 * ImagingResampleVertical_8bpc, row by row so the reads run along memory, four taps per sweep;
 * `shift` is PIL's ybox_first.
 */
function vertical(src: Uint8Array, rowLen: number, outH: number, shift: number, { bounds, k, ksize }: Coeffs): Uint8Array {
  const out = new Uint8ClampedArray(rowLen * outH);
  const acc = new Int32Array(rowLen);
  for (let yy = 0; yy < outH; yy++) {
    acc.fill(HALF);
    const ymin = bounds[yy * 2] - shift;
    const n = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    let y = 0;
    for (; y + 3 < n; y += 4) {
      const k0 = k[kb + y];
      const k1 = k[kb + y + 1];
      const k2 = k[kb + y + 2];
      const k3 = k[kb + y + 3];
      const b0 = (ymin + y) * rowLen;
      const b1 = b0 + rowLen;
      const b2 = b1 + rowLen;
      const b3 = b2 + rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] = (acc[i] + src[b0 + i] * k0 + src[b1 + i] * k1 + src[b2 + i] * k2 + src[b3 + i] * k3) | 0;
    }
    for (; y < n; y++) {
      const ky = k[kb + y];
      const b = (ymin + y) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] = (acc[i] + src[b + i] * ky) | 0;
    }
    const ob = yy * rowLen;
    for (let i = 0; i < rowLen; i++) out[ob + i] = acc[i] >> BITS;
  }
  return new Uint8Array(out.buffer);
}

interface ResampleKernels {
  horizontal(src: number, w: number, c: number, y0: number, rows: number, outW: number, bounds: number, k: number, ksize: number, out: number): void;
  vertical(src: number, rowLen: number, outH: number, shift: number, bounds: number, k: number, ksize: number, out: number): void;
}

/** Which implementation runs the passes: 'wasm' (SIMD, when the engine validates it) or 'js'. */
export type ResampleImpl = 'wasm' | 'js';

let wasm: { kernels: ResampleKernels; memory: WebAssembly.Memory } | null | undefined;
function wasmKernels(): typeof wasm {
  if (wasm !== undefined) return wasm;
  try {
    const memory = new WebAssembly.Memory({ initial: 16 });
    const module = new WebAssembly.Module(Buffer.from(PIL_RESAMPLE_WASM_BASE64, 'base64'));
    wasm = { kernels: new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ResampleKernels, memory };
  } catch {
    wasm = null; // no wasm SIMD in this engine: the JS passes give the same pixels
  }
  return wasm;
}

/** The implementation pilResample uses by default here. */
export function defaultResampleImpl(): ResampleImpl {
  return wasmKernels() ? 'wasm' : 'js';
}

// Images whose buffers would take more wasm memory than this resize in JS: wasm memory never shrinks.
const WASM_MAX_BYTES = 256 * 2 ** 20;
const align = (n: number) => (n + 31) & ~15; // 16 spare bytes after each buffer, 16-byte aligned

/** Both passes in wasm memory: [coefficients][source][horizontal result][output]. */
function resampleWasm(
  w: { kernels: ResampleKernels; memory: WebAssembly.Memory },
  src: Uint8Array, width: number, c: number, outW: number, outH: number,
  hc: Coeffs | null, vc: Coeffs | null, first: number, rows: number,
): Uint8Array | null {
  const coeffBytes = (co: Coeffs | null) => (co ? align(co.bounds.byteLength) + align(co.k.byteLength) : 0);
  const tmpLen = hc ? outW * rows * c : 0;
  const cw = hc ? outW : width;
  const outLen = vc ? cw * outH * c : 0;
  const total = coeffBytes(hc) + coeffBytes(vc) + align(src.length) + align(tmpLen) + align(outLen);
  if (total > WASM_MAX_BYTES) return null;
  const have = w.memory.buffer.byteLength;
  if (have < total) w.memory.grow(Math.ceil((total - have) / 65536));
  const heap = new Uint8Array(w.memory.buffer);
  let at = 0;
  const put = (bytes: Uint8Array) => {
    const p = at;
    heap.set(bytes, p);
    at += align(bytes.length);
    return p;
  };
  const bytesOf = (a: Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const hb = hc ? put(bytesOf(hc.bounds)) : 0;
  const hk = hc ? put(bytesOf(hc.k)) : 0;
  const vb = vc ? put(bytesOf(vc.bounds)) : 0;
  const vk = vc ? put(bytesOf(vc.k)) : 0;
  const s = put(src);
  const tmp = at;
  at += align(tmpLen);
  const out = at;
  if (hc) w.kernels.horizontal(s, width, c, first, rows, outW, hb, hk, hc.ksize, tmp);
  if (vc) w.kernels.vertical(hc ? tmp : s, cw * c, outH, hc ? first : 0, vb, vk, vc.ksize, out);
  return vc ? heap.slice(out, out + outLen) : heap.slice(tmp, tmp + tmpLen);
}

/** ImagingResampleInner on interleaved HWC uint8 pixels, each channel separately (PIL's L and RGB). */
export function pilResample(src: Uint8Array, w: number, h: number, c: number, outW: number, outH: number, filter: PilFilter, box: PilBox = [0, 0, w, h], impl: ResampleImpl = defaultResampleImpl()): Uint8Array {
  // PIL's own tests, including the quirk of comparing box[2] with the output width.
  const needH = outW !== w || box[0] !== 0 || box[2] !== outW;
  const needV = outH !== h || box[1] !== 0 || box[3] !== outH;
  if (!needH && !needV) return src.slice();
  const vc = coeffs(h, box[1], box[3], outH, filter);
  const first = vc.bounds[0];
  const last = vc.bounds[outH * 2 - 2] + vc.bounds[outH * 2 - 1];
  const hc = needH ? coeffs(w, box[0], box[2], outW, filter) : null;
  const k = impl === 'wasm' && (c === 1 || c === 3 || c === 4) ? wasmKernels() : null;
  if (k) {
    const done = resampleWasm(k, src, w, c, outW, outH, hc, needV ? vc : null, first, last - first);
    if (done) return done;
  }
  let cur = src;
  if (hc) cur = horizontal(src, w, c, first, last - first, outW, hc);
  if (needV) return vertical(cur, (hc ? outW : w) * c, outH, hc ? first : 0, vc);
  return cur;
}

/** MULDIV255 of Pillow's Convert.c: (a * b + 128) / 255, rounded the integer way PIL does. */
const mulDiv255 = (a: number, b: number) => {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
};

/**
 * Image.resize: RGBA (4 channels) is premultiplied (RGBA -> RGBa), resampled and divided back
 * (RGBa -> RGBA: 255 * v / alpha, clipped, except at alpha 0 and 255); other channel counts directly.
 */
export function pilResize(src: Uint8Array, w: number, h: number, c: number, outW: number, outH: number, filter: PilFilter, box?: PilBox, impl?: ResampleImpl): Uint8Array {
  if (c !== 4) return pilResample(src, w, h, c, outW, outH, filter, box, impl);
  const pre = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    const a = src[i + 3];
    pre[i] = mulDiv255(src[i], a);
    pre[i + 1] = mulDiv255(src[i + 1], a);
    pre[i + 2] = mulDiv255(src[i + 2], a);
    pre[i + 3] = a;
  }
  const out = pilResample(pre, w, h, 4, outW, outH, filter, box, impl);
  for (let i = 0; i < out.length; i += 4) {
    const a = out[i + 3];
    if (a === 0 || a === 255) continue;
    out[i] = Math.min(255, Math.trunc((255 * out[i]) / a));
    out[i + 1] = Math.min(255, Math.trunc((255 * out[i + 1]) / a));
    out[i + 2] = Math.min(255, Math.trunc((255 * out[i + 2]) / a));
  }
  return out;
}

/** The centred crop box of Keras's load_img(keep_aspect_ratio=True), in source pixels. */
export function kerasCropBox(w: number, h: number, targetW: number, targetH: number): PilBox {
  const cropH = Math.min(h, Math.floor((w * targetH) / targetW));
  const cropW = Math.min(w, Math.floor((h * targetW) / targetH));
  const y0 = Math.floor((h - cropH) / 2);
  const x0 = Math.floor((w - cropW) / 2);
  return [x0, y0, x0 + cropW, y0 + cropH];
}
