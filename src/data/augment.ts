/**
 * Random augmentation: drawing transform parameters and applying them to one HWC image.
 *
 * Order of operations on each image (Keras's `apply_transform`, with its axis bugs fixed):
 *   1. one affine warp = rotation . shift . shear . zoom about the image centre, inverse-mapped with
 *      bilinear interpolation and the fill mode; horizontal/vertical flips are folded into this same
 *      pass (Keras flips after the warp and the channel shift; flips commute with the channel shift,
 *      so the result is the same);
 *   2. channel shift: x + intensity, clipped to the image's own [min, max];
 *   3. brightness: like PIL's ImageEnhance.Brightness, trunc(min(255, trunc(x) * factor)); images with
 *      values outside 0..255 are stretched onto 0..255 first and mapped back after (as Keras does).
 * The warp runs in plain typed-array JS: one pass, no per-pixel tensor ops.
 */
import type { Rng } from '../util/rng.js';

export type FillMode = 'constant' | 'nearest' | 'reflect' | 'wrap';
export const FILL_MODES: readonly FillMode[] = ['constant', 'nearest', 'reflect', 'wrap'];

/** A shift range: a fraction of the side (< 1), pixels (>= 1), or a list of values to pick from. */
export type ShiftRange = number | readonly number[];

export interface AugmentConfig {
  rotationRange: number;
  widthShiftRange: ShiftRange;
  heightShiftRange: ShiftRange;
  shearRange: number;
  zoomRange: readonly [number, number];
  /** Draw one zoom factor for both axes (keeps the aspect ratio). Keras draws two. */
  uniformZoom: boolean;
  brightnessRange: readonly [number, number] | null;
  channelShiftRange: number;
  horizontalFlip: boolean;
  verticalFlip: boolean;
  fillMode: FillMode;
  cval: number;
  /** Keras's interpolation_order for rotation/shift/shear/zoom: 1 bilinear, 0 nearest (keeps label values). */
  interpolationOrder?: 0 | 1;
}

/** The parameters of one transform (all optional when given by hand; absent means "none"). */
export interface TransformParams {
  /** Rotation in degrees, counter-clockwise. */
  theta?: number;
  /** Shift along the width in pixels (positive moves the content right). */
  tx?: number;
  /** Shift along the height in pixels (positive moves the content down). */
  ty?: number;
  /** Shear angle in degrees. */
  shear?: number;
  /** Zoom factors along width and height; above 1 zooms out (as in Keras). */
  zx?: number;
  zy?: number;
  flipHorizontal?: boolean;
  flipVertical?: boolean;
  channelShiftIntensity?: number;
  brightness?: number;
  /** 0: the warp takes the nearest source pixel (scipy order 0) instead of interpolating bilinearly. */
  interpolationOrder?: 0 | 1;
}

function drawShift(range: ShiftRange, side: number, rng: Rng): number {
  if (Array.isArray(range)) {
    const list = range as readonly number[];
    if (list.length === 0) return 0;
    let v = rng.choice(list) * (rng.next() < 0.5 ? -1 : 1);
    if (Math.max(...list.map(Math.abs)) < 1) v *= side;
    return v;
  }
  const r = range as number;
  if (!r) return 0;
  // Keras: an int k picks whole pixels from 0..k-1 with a random sign; a float is uniform.
  if (Number.isInteger(r)) return rng.nextInt(r) * (rng.next() < 0.5 ? -1 : 1);
  const v = rng.uniform(-r, r);
  return r < 1 ? v * side : v;
}

/** Draws the random transform for one image of the given size (Keras's get_random_transform). */
export function randomTransform(cfg: AugmentConfig, rng: Rng, height: number, width: number): TransformParams {
  const p: TransformParams = {};
  if (cfg.rotationRange) p.theta = rng.uniform(-cfg.rotationRange, cfg.rotationRange);
  // Width shift moves along the width and height shift along the height (Keras swaps them).
  const tx = drawShift(cfg.widthShiftRange, width, rng);
  const ty = drawShift(cfg.heightShiftRange, height, rng);
  if (tx) p.tx = tx;
  if (ty) p.ty = ty;
  if (cfg.shearRange) p.shear = rng.uniform(-cfg.shearRange, cfg.shearRange);
  const [zlo, zhi] = cfg.zoomRange;
  if (!(zlo === 1 && zhi === 1)) {
    p.zx = rng.uniform(zlo, zhi);
    p.zy = cfg.uniformZoom ? p.zx : rng.uniform(zlo, zhi);
  }
  if (cfg.horizontalFlip && rng.next() < 0.5) p.flipHorizontal = true;
  if (cfg.verticalFlip && rng.next() < 0.5) p.flipVertical = true;
  if (cfg.channelShiftRange) p.channelShiftIntensity = rng.uniform(-cfg.channelShiftRange, cfg.channelShiftRange);
  if (cfg.brightnessRange) p.brightness = rng.uniform(cfg.brightnessRange[0], cfg.brightnessRange[1]);
  if (cfg.interpolationOrder === 0) p.interpolationOrder = 0;
  return p;
}

/** The inverse map output (x, y) -> input (sx, sy) = A . (x - cx, y - cy) + b + (cx, cy). */
interface InverseMap {
  a00: number;
  a01: number;
  a10: number;
  a11: number;
  b0: number;
  b1: number;
}

function inverseMap(p: TransformParams): InverseMap | null {
  const theta = ((p.theta ?? 0) * Math.PI) / 180;
  const shear = ((p.shear ?? 0) * Math.PI) / 180;
  const zx = p.zx ?? 1;
  const zy = p.zy ?? 1;
  const tx = p.tx ?? 0;
  const ty = p.ty ?? 0;
  if (!theta && !shear && zx === 1 && zy === 1 && !tx && !ty && !p.flipHorizontal && !p.flipVertical) return null;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  // A = R(theta) . Shear . Zoom, the same product as Keras (which also has the shift inside R).
  const s01 = -Math.sin(shear) * zy;
  const s11 = Math.cos(shear) * zy;
  let a00 = cos * zx;
  let a01 = cos * s01 - sin * s11;
  let a10 = sin * zx;
  let a11 = sin * s01 + cos * s11;
  const b0 = -(cos * tx - sin * ty);
  const b1 = -(sin * tx + cos * ty);
  if (p.flipHorizontal) {
    a00 = -a00;
    a10 = -a10;
  }
  if (p.flipVertical) {
    a01 = -a01;
    a11 = -a11;
  }
  return { a00, a01, a10, a11, b0, b1 };
}

const EPS = 1e-3;

function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i >= n ? period - 1 - i : i;
}

function wrapIndex(i: number, n: number): number {
  i %= n;
  return i < 0 ? i + n : i;
}

type Src = Uint8Array | Float32Array;

/**
 * Warps `src` (HWC, h x w x c) into `out` starting at `outOffset`, times `scale`. Points that map
 * outside the image are filled by `fillMode` (scipy semantics: constant = cval beyond the edge,
 * nearest = edge pixel, reflect = d c b a | a b c d | d c b a, wrap = a b c d | a b c d).
 * The interior of each row (all four neighbours inside) is the hot loop: see interiorU8C3.
 */
function warp(src: Src, h: number, w: number, c: number, m: InverseMap, fillMode: FillMode, cval: number, out: Float32Array, outOffset: number, scale: number): void {
  const { a00, a01, a10, a11, b0, b1 } = m;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const wl = w - 1;
  const hl = h - 1;
  const rowStride = w * c;
  const fill = cval * scale;
  // Uint8 RGB (the pipeline's case) gets its own loop, so its element loads stay monomorphic even
  // when the tensor API warps float32 images in the same process.
  const u8c3 = c === 3 && src instanceof Uint8Array;
  for (let y = 0; y < h; y++) {
    const sx0 = a00 * -cx + a01 * (y - cy) + b0 + cx;
    const sy0 = a10 * -cx + a11 * (y - cy) + b1 + cy;
    // The x range whose four neighbours are all inside: the hot loop, without bounds checks.
    interiorSpan(sx0, a00, wl, w, spanX);
    interiorSpan(sy0, a10, hl, w, spanY);
    let xa = spanX[0] > spanY[0] ? spanX[0] : spanY[0];
    let xb = spanX[1] < spanY[1] ? spanX[1] : spanY[1];
    if (xb < xa) xb = xa;
    const rowOut = outOffset + y * rowStride;
    if (xa > 0) edge(src, h, w, c, sx0, sy0, a00, a10, 0, xa, fillMode, fill, scale, out, rowOut);
    if (xb > xa) {
      if (u8c3) interiorU8C3(src as Uint8Array, sx0, sy0, a00, a10, xa, xb, rowStride, scale, out, rowOut + xa * 3);
      else interiorAny(src, c, sx0, sy0, a00, a10, xa, xb, rowStride, scale, out, rowOut + xa * c);
    }
    if (xb < w) edge(src, h, w, c, sx0, sy0, a00, a10, xb, w, fillMode, fill, scale, out, rowOut);
  }
}

const spanX = new Int32Array(2);
const spanY = new Int32Array(2);

/**
 * Bilinear samples of output pixels [xa, xb) of one row, all four neighbours inside the image.
 * The source point advances by (a00, a10) per pixel (incremental: no per-pixel products with x);
 * floor is `| 0` because the points are >= 0 here.
 */
function interiorU8C3(src: Uint8Array, sx0: number, sy0: number, a00: number, a10: number, xa: number, xb: number, rowStride: number, scale: number, out: Float32Array, o: number): void {
  let sx = sx0 + a00 * xa;
  let sy = sy0 + a10 * xa;
  for (let x = xa; x < xb; x++, o += 3, sx += a00, sy += a10) {
    const x0 = sx | 0;
    const y0 = sy | 0;
    const fx = sx - x0;
    const fy = sy - y0;
    const w11 = fx * fy * scale;
    const w10 = fy * scale - w11;
    const w01 = fx * scale - w11;
    const w00 = scale - fx * scale - w10;
    const i00 = y0 * rowStride + x0 * 3;
    const i10 = i00 + rowStride;
    out[o] = src[i00] * w00 + src[i00 + 3] * w01 + src[i10] * w10 + src[i10 + 3] * w11;
    out[o + 1] = src[i00 + 1] * w00 + src[i00 + 4] * w01 + src[i10 + 1] * w10 + src[i10 + 4] * w11;
    out[o + 2] = src[i00 + 2] * w00 + src[i00 + 5] * w01 + src[i10 + 2] * w10 + src[i10 + 5] * w11;
  }
}

/** interiorU8C3 for any element type and channel count. */
function interiorAny(src: Src, c: number, sx0: number, sy0: number, a00: number, a10: number, xa: number, xb: number, rowStride: number, scale: number, out: Float32Array, o: number): void {
  let sx = sx0 + a00 * xa;
  let sy = sy0 + a10 * xa;
  for (let x = xa; x < xb; x++, o += c, sx += a00, sy += a10) {
    const x0 = sx | 0;
    const y0 = sy | 0;
    const fx = sx - x0;
    const fy = sy - y0;
    const w11 = fx * fy * scale;
    const w10 = fy * scale - w11;
    const w01 = fx * scale - w11;
    const w00 = scale - fx * scale - w10;
    const i00 = y0 * rowStride + x0 * c;
    const i10 = i00 + rowStride;
    for (let k = 0; k < c; k++) out[o + k] = src[i00 + k] * w00 + src[i00 + c + k] * w01 + src[i10 + k] * w10 + src[i10 + c + k] * w11;
  }
}

/**
 * The integer x in [0, n) for which p0 + d*x lies safely inside [0, last) (a margin keeps rounding from
 * ever reaching the last index; points in the margin go through the exact edge path instead).
 */
function interiorSpan(p0: number, d: number, last: number, n: number, span: Int32Array): void {
  const lo = 1e-6;
  const hi = last - 1e-6;
  let a = 0;
  let b = 0;
  if (d === 0) {
    if (p0 >= lo && p0 <= hi) b = n;
  } else {
    let t1 = (lo - p0) / d;
    let t2 = (hi - p0) / d;
    if (t1 > t2) [t1, t2] = [t2, t1];
    a = Math.max(0, Math.ceil(t1));
    b = Math.min(n, Math.floor(t2) + 1);
    if (b <= a) a = b = 0;
  }
  span[0] = a;
  span[1] = b;
}

/** Output pixels [xFrom, xTo) of one row whose neighbours may fall outside: fill-mode aware. */
function edge(
  src: Src,
  h: number,
  w: number,
  c: number,
  sx0: number,
  sy0: number,
  a00: number,
  a10: number,
  xFrom: number,
  xTo: number,
  fillMode: FillMode,
  fill: number,
  scale: number,
  out: Float32Array,
  rowOut: number,
): void {
  if (fillMode === 'constant' || fillMode === 'nearest') edgeClamped(src, h, w, c, sx0, sy0, a00, a10, xFrom, xTo, fillMode === 'constant', fill, scale, out, rowOut);
  else edgeMapped(src, h, w, c, sx0, sy0, a00, a10, xFrom, xTo, fillMode, scale, out, rowOut);
}

/**
 * `edge` for constant and nearest: points beyond the image (by more than EPS) are the fill value
 * (constant), other points are clamped into the image and sampled with clamped neighbours.
 */
function edgeClamped(
  src: Src,
  h: number,
  w: number,
  c: number,
  sx0: number,
  sy0: number,
  a00: number,
  a10: number,
  xFrom: number,
  xTo: number,
  constant: boolean,
  fill: number,
  scale: number,
  out: Float32Array,
  rowOut: number,
): void {
  const wl = w - 1;
  const hl = h - 1;
  const rowStride = w * c;
  for (let x = xFrom, o = rowOut + xFrom * c; x < xTo; x++, o += c) {
    const sx = sx0 + a00 * x;
    const sy = sy0 + a10 * x;
    if (constant && (sx < -EPS || sy < -EPS || sx > wl + EPS || sy > hl + EPS)) {
      for (let k = 0; k < c; k++) out[o + k] = fill;
      continue;
    }
    const cxp = sx < 0 ? 0 : sx > wl ? wl : sx;
    const cyp = sy < 0 ? 0 : sy > hl ? hl : sy;
    const x0 = cxp | 0; // >= 0: truncation is floor
    const y0 = cyp | 0;
    const fx = cxp - x0;
    const fy = cyp - y0;
    const x1 = x0 < wl ? x0 + 1 : wl;
    const y1 = y0 < hl ? y0 + 1 : hl;
    const w00 = (1 - fx) * (1 - fy) * scale;
    const w01 = fx * (1 - fy) * scale;
    const w10 = (1 - fx) * fy * scale;
    const w11 = fx * fy * scale;
    const i00 = y0 * rowStride + x0 * c;
    const i01 = y0 * rowStride + x1 * c;
    const i10 = y1 * rowStride + x0 * c;
    const i11 = y1 * rowStride + x1 * c;
    if (c === 3) {
      out[o] = src[i00] * w00 + src[i01] * w01 + src[i10] * w10 + src[i11] * w11;
      out[o + 1] = src[i00 + 1] * w00 + src[i01 + 1] * w01 + src[i10 + 1] * w10 + src[i11 + 1] * w11;
      out[o + 2] = src[i00 + 2] * w00 + src[i01 + 2] * w01 + src[i10 + 2] * w10 + src[i11 + 2] * w11;
    } else {
      for (let k = 0; k < c; k++) out[o + k] = src[i00 + k] * w00 + src[i01 + k] * w01 + src[i10 + k] * w10 + src[i11 + k] * w11;
    }
  }
}

/** `edge` for reflect and wrap: neighbour indices mapped back into the image. */
function edgeMapped(
  src: Src,
  h: number,
  w: number,
  c: number,
  sx0: number,
  sy0: number,
  a00: number,
  a10: number,
  xFrom: number,
  xTo: number,
  fillMode: 'reflect' | 'wrap',
  scale: number,
  out: Float32Array,
  rowOut: number,
): void {
  const rowStride = w * c;
  for (let x = xFrom, o = rowOut + xFrom * c; x < xTo; x++, o += c) {
    const sx = sx0 + a00 * x;
    const sy = sy0 + a10 * x;
    const x0f = Math.floor(sx);
    const y0f = Math.floor(sy);
    const fx = sx - x0f;
    const fy = sy - y0f;
    const map = fillMode === 'reflect' ? reflectIndex : wrapIndex;
    const x1 = map(x0f + 1, w);
    const y1 = map(y0f + 1, h);
    const x0 = map(x0f, w);
    const y0 = map(y0f, h);
    const r0 = y0 * rowStride;
    const r1 = y1 * rowStride;
    const w00 = (1 - fx) * (1 - fy) * scale;
    const w01 = fx * (1 - fy) * scale;
    const w10 = (1 - fx) * fy * scale;
    const w11 = fx * fy * scale;
    for (let k = 0; k < c; k++) {
      out[o + k] = src[r0 + x0 * c + k] * w00 + src[r0 + x1 * c + k] * w01 + src[r1 + x0 * c + k] * w10 + src[r1 + x1 * c + k] * w11;
    }
  }
}

/**
 * `warp` with interpolation order 0 (scipy's spline of order 0): each output pixel copies the source
 * pixel at floor(s + 0.5), so label values (masks) stay intact. Same fill-mode rules as `warp`.
 */
function warpNearest(src: Src, h: number, w: number, c: number, m: InverseMap, fillMode: FillMode, cval: number, out: Float32Array, outOffset: number, scale: number): void {
  const { a00, a01, a10, a11, b0, b1 } = m;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const wl = w - 1;
  const hl = h - 1;
  const fill = cval * scale;
  let o = outOffset;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++, o += c) {
      const sx = a00 * (x - cx) + a01 * (y - cy) + b0 + cx;
      const sy = a10 * (x - cx) + a11 * (y - cy) + b1 + cy;
      let ix = Math.floor(sx + 0.5);
      let iy = Math.floor(sy + 0.5);
      if (fillMode === 'constant') {
        if (sx < -EPS || sy < -EPS || sx > wl + EPS || sy > hl + EPS) {
          for (let k = 0; k < c; k++) out[o + k] = fill;
          continue;
        }
      }
      if (fillMode === 'reflect') {
        ix = reflectIndex(ix, w);
        iy = reflectIndex(iy, h);
      } else if (fillMode === 'wrap') {
        ix = wrapIndex(ix, w);
        iy = wrapIndex(iy, h);
      } else {
        ix = ix < 0 ? 0 : ix > wl ? wl : ix;
        iy = iy < 0 ? 0 : iy > hl ? hl : iy;
      }
      const s = (iy * w + ix) * c;
      for (let k = 0; k < c; k++) out[o + k] = src[s + k] * scale;
    }
  }
}

/**
 * Applies `p` to one image: `src` (HWC) -> `out[outOffset ...]` as float32, multiplied by `scale`
 * (so a rescale costs no extra pass). `src` is not modified. `fillMode`/`cval` are the generator's.
 */
export function applyTransform(
  src: Src,
  h: number,
  w: number,
  c: number,
  p: TransformParams,
  fillMode: FillMode,
  cval: number,
  out: Float32Array,
  outOffset = 0,
  scale = 1,
): void {
  const n = h * w * c;
  const m = inverseMap(p);
  const pointwise = p.channelShiftIntensity !== undefined || p.brightness !== undefined;
  if (pointwise && scale !== 1) {
    // Channel shift and brightness work on 0-255 values: transform unscaled, scale last.
    applyTransform(src, h, w, c, p, fillMode, cval, out, outOffset, 1);
    for (let i = outOffset; i < outOffset + n; i++) out[i] *= scale;
    return;
  }
  if (!m) {
    if (scale === 1) for (let i = 0; i < n; i++) out[outOffset + i] = src[i];
    else for (let i = 0; i < n; i++) out[outOffset + i] = src[i] * scale;
  } else if (m.a01 === 0 && m.a10 === 0 && Math.abs(m.a00) === 1 && Math.abs(m.a11) === 1 && m.b0 === 0 && m.b1 === 0) {
    // Flips only: an index permutation.
    const fh = m.a00 < 0;
    const fv = m.a11 < 0;
    let o = outOffset;
    for (let y = 0; y < h; y++) {
      const sy = fv ? h - 1 - y : y;
      for (let x = 0; x < w; x++) {
        let s = (sy * w + (fh ? w - 1 - x : x)) * c;
        for (let k = 0; k < c; k++) out[o++] = src[s++] * scale;
      }
    }
  } else if (p.interpolationOrder === 0) {
    warpNearest(src, h, w, c, m, fillMode, cval, out, outOffset, scale);
  } else {
    warp(src, h, w, c, m, fillMode, cval, out, outOffset, scale);
  }
  if (p.channelShiftIntensity !== undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = outOffset; i < outOffset + n; i++) {
      const v = out[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const d = p.channelShiftIntensity;
    for (let i = outOffset; i < outOffset + n; i++) {
      const v = out[i] + d;
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }
  if (p.brightness !== undefined) applyBrightness(out, outOffset, n, p.brightness);
}

/**
 * Keras's apply_brightness_shift(scale=False): values inside 0..255 go through PIL as they are; an
 * image with values outside is first stretched onto 0..255 (x - min, / range, * 255, to uint8), the
 * brightness applied, then mapped back onto its own [min, max].
 */
function applyBrightness(out: Float32Array, from: number, n: number, f: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < from + n; i++) {
    const v = out[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const outside = lo < 0 || hi > 255;
  const range = hi - lo;
  for (let i = from; i < from + n; i++) {
    let x = out[i];
    if (outside) x = range !== 0 ? ((x - lo) / range) * 255 : 0;
    const v = Math.trunc(x < 0 ? 0 : x > 255 ? 255 : x) * f;
    const b = Math.trunc(v > 255 ? 255 : v);
    out[i] = outside ? (b / 255) * range + lo : b;
  }
}
