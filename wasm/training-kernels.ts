/**
 * Training kernels for tfjs's wasm backend, in AssemblyScript with 128-bit SIMD.
 *
 * The module imports the tfjs wasm backend's own memory, so every pointer here is the `memoryOffset` of
 * a tfjs tensor (or a buffer from the backend's malloc): no copies in or out. It has no data segment and
 * no allocator of its own. Built by `npm run build:wasm` into src/runtime/simd/training-kernels.wasm.ts.
 * All tensors are float32, NHWC; filters are [kh, kw, in, out] as in tfjs.
 */

/**
 * a * b + c on four lanes: one fused multiply-add where the engine has relaxed SIMD (the
 * training-kernels-relaxed build, picked at run time where it validates), else a multiply and an add.
 */
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Sets `n` floats at `p` to zero. */
function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/**
 * The micro-kernel of the filter gradient and of the matrix product: acc[r][v] += x[p*xs + r*xr] *
 * dy[p*ds + 4v .. 4v+3] over `count` steps p on each of `lines` lines (xl, dl bytes apart), for R rows (1..6) and NV column vectors (1..4, so 4..16
 * columns), accumulated into dw (row stride dws bytes). Strides are in bytes. Inlined with constant R and
 * NV, so unused accumulators and branches disappear. Callers keep R * NV + NV + 1 <= 16, the SIMD
 * registers of x64: a tile that spills its accumulators runs at half speed.
 */
// @ts-ignore: decorator
@inline
function tile(R: i32, NV: i32, xp0: usize, xr: usize, xs: usize, dp0: usize, ds: usize, count: i32, lines: i32, xl: usize, dl: usize, dw: usize, dws: usize): void {
  let a00 = v128.load(dw);
  let a01 = NV > 1 ? v128.load(dw, 16) : f32x4.splat(0);
  let a02 = NV > 2 ? v128.load(dw, 32) : f32x4.splat(0);
  let a03 = NV > 3 ? v128.load(dw, 48) : f32x4.splat(0);
  let a10 = R > 1 ? v128.load(dw + dws) : f32x4.splat(0);
  let a11 = R > 1 && NV > 1 ? v128.load(dw + dws, 16) : f32x4.splat(0);
  let a12 = R > 1 && NV > 2 ? v128.load(dw + dws, 32) : f32x4.splat(0);
  let a13 = R > 1 && NV > 3 ? v128.load(dw + dws, 48) : f32x4.splat(0);
  let a20 = R > 2 ? v128.load(dw + 2 * dws) : f32x4.splat(0);
  let a21 = R > 2 && NV > 1 ? v128.load(dw + 2 * dws, 16) : f32x4.splat(0);
  let a22 = R > 2 && NV > 2 ? v128.load(dw + 2 * dws, 32) : f32x4.splat(0);
  let a23 = R > 2 && NV > 3 ? v128.load(dw + 2 * dws, 48) : f32x4.splat(0);
  let a30 = R > 3 ? v128.load(dw + 3 * dws) : f32x4.splat(0);
  let a31 = R > 3 && NV > 1 ? v128.load(dw + 3 * dws, 16) : f32x4.splat(0);
  let a32 = R > 3 && NV > 2 ? v128.load(dw + 3 * dws, 32) : f32x4.splat(0);
  let a33 = R > 3 && NV > 3 ? v128.load(dw + 3 * dws, 48) : f32x4.splat(0);
  let a40 = R > 4 ? v128.load(dw + 4 * dws) : f32x4.splat(0);
  let a41 = R > 4 && NV > 1 ? v128.load(dw + 4 * dws, 16) : f32x4.splat(0);
  let a42 = R > 4 && NV > 2 ? v128.load(dw + 4 * dws, 32) : f32x4.splat(0);
  let a43 = R > 4 && NV > 3 ? v128.load(dw + 4 * dws, 48) : f32x4.splat(0);
  let a50 = R > 5 ? v128.load(dw + 5 * dws) : f32x4.splat(0);
  let a51 = R > 5 && NV > 1 ? v128.load(dw + 5 * dws, 16) : f32x4.splat(0);
  let a52 = R > 5 && NV > 2 ? v128.load(dw + 5 * dws, 32) : f32x4.splat(0);
  let a53 = R > 5 && NV > 3 ? v128.load(dw + 5 * dws, 48) : f32x4.splat(0);
  for (let line = 0; line < lines; line++) {
  let xp = xp0 + <usize>line * xl;
  let dp = dp0 + <usize>line * dl;
  for (let i = 0; i < count; i++) {
    const b0 = v128.load(dp);
    const b1 = NV > 1 ? v128.load(dp, 16) : f32x4.splat(0);
    const b2 = NV > 2 ? v128.load(dp, 32) : f32x4.splat(0);
    const b3 = NV > 3 ? v128.load(dp, 48) : f32x4.splat(0);
    const s0 = v128.load32_splat(xp);
    a00 = madd(s0, b0, a00);
    if (NV > 1) a01 = madd(s0, b1, a01);
    if (NV > 2) a02 = madd(s0, b2, a02);
    if (NV > 3) a03 = madd(s0, b3, a03);
    if (R > 1) {
      const s1 = v128.load32_splat(xp + xr);
      a10 = madd(s1, b0, a10);
      if (NV > 1) a11 = madd(s1, b1, a11);
      if (NV > 2) a12 = madd(s1, b2, a12);
      if (NV > 3) a13 = madd(s1, b3, a13);
    }
    if (R > 2) {
      const s2 = v128.load32_splat(xp + 2 * xr);
      a20 = madd(s2, b0, a20);
      if (NV > 1) a21 = madd(s2, b1, a21);
      if (NV > 2) a22 = madd(s2, b2, a22);
      if (NV > 3) a23 = madd(s2, b3, a23);
    }
    if (R > 3) {
      const s3 = v128.load32_splat(xp + 3 * xr);
      a30 = madd(s3, b0, a30);
      if (NV > 1) a31 = madd(s3, b1, a31);
      if (NV > 2) a32 = madd(s3, b2, a32);
      if (NV > 3) a33 = madd(s3, b3, a33);
    }
    if (R > 4) {
      const s4 = v128.load32_splat(xp + 4 * xr);
      a40 = madd(s4, b0, a40);
      if (NV > 1) a41 = madd(s4, b1, a41);
      if (NV > 2) a42 = madd(s4, b2, a42);
      if (NV > 3) a43 = madd(s4, b3, a43);
    }
    if (R > 5) {
      const s5 = v128.load32_splat(xp + 5 * xr);
      a50 = madd(s5, b0, a50);
      if (NV > 1) a51 = madd(s5, b1, a51);
      if (NV > 2) a52 = madd(s5, b2, a52);
      if (NV > 3) a53 = madd(s5, b3, a53);
    }
    xp += xs;
    dp += ds;
  }
  }
  v128.store(dw, a00);
  if (NV > 1) v128.store(dw, a01, 16);
  if (NV > 2) v128.store(dw, a02, 32);
  if (NV > 3) v128.store(dw, a03, 48);
  if (R > 1) v128.store(dw + dws, a10);
  if (R > 1 && NV > 1) v128.store(dw + dws, a11, 16);
  if (R > 1 && NV > 2) v128.store(dw + dws, a12, 32);
  if (R > 1 && NV > 3) v128.store(dw + dws, a13, 48);
  if (R > 2) v128.store(dw + 2 * dws, a20);
  if (R > 2 && NV > 1) v128.store(dw + 2 * dws, a21, 16);
  if (R > 2 && NV > 2) v128.store(dw + 2 * dws, a22, 32);
  if (R > 2 && NV > 3) v128.store(dw + 2 * dws, a23, 48);
  if (R > 3) v128.store(dw + 3 * dws, a30);
  if (R > 3 && NV > 1) v128.store(dw + 3 * dws, a31, 16);
  if (R > 3 && NV > 2) v128.store(dw + 3 * dws, a32, 32);
  if (R > 3 && NV > 3) v128.store(dw + 3 * dws, a33, 48);
  if (R > 4) v128.store(dw + 4 * dws, a40);
  if (R > 4 && NV > 1) v128.store(dw + 4 * dws, a41, 16);
  if (R > 4 && NV > 2) v128.store(dw + 4 * dws, a42, 32);
  if (R > 4 && NV > 3) v128.store(dw + 4 * dws, a43, 48);
  if (R > 5) v128.store(dw + 5 * dws, a50);
  if (R > 5 && NV > 1) v128.store(dw + 5 * dws, a51, 16);
  if (R > 5 && NV > 2) v128.store(dw + 5 * dws, a52, 32);
  if (R > 5 && NV > 3) v128.store(dw + 5 * dws, a53, 48);
}


/** Column vectors per tile for R rows: as many as fit the registers with R * NV + NV + 1 <= 16. */
// @ts-ignore: decorator
@inline
function vectorsFor(R: i32): i32 {
  return R >= 4 ? 2 : R == 3 ? 3 : 4;
}

/** R rows times all `co` columns (a multiple of 4): full tiles, then one narrower tile for the rest. */
// @ts-ignore: decorator
@inline
function tileRow(R: i32, xp: usize, xr: usize, xs: usize, dp: usize, ds: usize, count: i32, lines: i32, xl: usize, dl: usize, dw: usize, dws: usize, co: i32): void {
  const NV = vectorsFor(R);
  let c = 0;
  for (; c + 4 * NV <= co; c += 4 * NV) tile(R, NV, xp, xr, xs, dp + (<usize>c << 2), ds, count, lines, xl, dl, dw + (<usize>c << 2), dws);
  const rest = (co - c) >> 2;
  const dpc = dp + (<usize>c << 2);
  const dwc = dw + (<usize>c << 2);
  if (NV > 3 && rest == 3) tile(R, 3, xp, xr, xs, dpc, ds, count, lines, xl, dl, dwc, dws);
  else if (NV > 2 && rest == 2) tile(R, 2, xp, xr, xs, dpc, ds, count, lines, xl, dl, dwc, dws);
  else if (rest == 1) tile(R, 1, xp, xr, xs, dpc, ds, count, lines, xl, dl, dwc, dws);
}

/** Output rows of dy per pass of the filter gradient. */
const LINES: i32 = 4;

/** Rows per block of the filter gradient and the matrix product. */
const ROWS: i32 = 6;

/** `rows` rows (any count) in blocks of ROWS, then one block of the rest. */
// @ts-ignore: decorator
@inline
function tileRows(rows: i32, xp: usize, xr: usize, xs: usize, dp: usize, ds: usize, count: i32, lines: i32, xl: usize, dl: usize, dw: usize, dws: usize, co: i32): void {
  let r = 0;
  for (; r + ROWS <= rows; r += ROWS) tileRow(ROWS, xp + <usize>r * xr, xr, xs, dp, ds, count, lines, xl, dl, dw + <usize>r * dws, dws, co);
  const rest = rows - r;
  const xpr = xp + <usize>r * xr;
  const dwr = dw + <usize>r * dws;
  if (rest == 5) tileRow(5, xpr, xr, xs, dp, ds, count, lines, xl, dl, dwr, dws, co);
  else if (rest == 4) tileRow(4, xpr, xr, xs, dp, ds, count, lines, xl, dl, dwr, dws, co);
  else if (rest == 3) tileRow(3, xpr, xr, xs, dp, ds, count, lines, xl, dl, dwr, dws, co);
  else if (rest == 2) tileRow(2, xpr, xr, xs, dp, ds, count, lines, xl, dl, dwr, dws, co);
  else if (rest == 1) tileRow(1, xpr, xr, xs, dp, ds, count, lines, xl, dl, dwr, dws, co);
}

/**
 * Gradient of a 2-D convolution with respect to its filter:
 *   dw[i, j, c, o] = sum over b, y, x of xin[b, y*sh + i - pt, x*sw + j - pl, c] * dy[b, y, x, o]
 * (points outside the input are the zero padding). `co` must be a multiple of 4.
 * For each output row and filter tap, the valid pixels form one strided run of the input row: the
 * micro-kernel streams it against the dy row, which stays in the L1 cache across all taps.
 */
export function conv2dBackpropFilter(
  x: usize, dy: usize, dw: usize,
  n: i32, h: i32, w: i32, ci: i32,
  oh: i32, ow: i32, co: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  zero(dw, kh * kw * ci * co);
  const xs = <usize>(sw * ci) << 2;
  const ds = <usize>co << 2;
  const dws = <usize>co << 2;
  const xl = <usize>(sh * w * ci) << 2; // next output row: sh input rows down
  const dl = <usize>(ow * co) << 2;
  for (let b = 0; b < n; b++) {
    // a few output rows at a time: their dy (LINES * ow * co floats) stays in the L1 cache for every tap
    for (let ya = 0; ya < oh; ya += LINES) {
      const yEnd = min(ya + LINES, oh);
      for (let i = 0; i < kh; i++) {
        // output rows y in [y0, y1) whose input row y*sh + i - pt lies inside [0, h)
        let y0 = ya;
        while (y0 < yEnd && y0 * sh + i - pt < 0) y0++;
        let y1 = yEnd;
        while (y1 > y0 && (y1 - 1) * sh + i - pt >= h) y1--;
        if (y1 <= y0) continue;
        const xRow = x + (<usize>((b * h + y0 * sh + i - pt) * w * ci) << 2);
        const dyRow = dy + (<usize>((b * oh + y0) * ow * co) << 2);
        for (let j = 0; j < kw; j++) {
          // x0..x1: the output columns whose input column x*sw + j - pl lies inside [0, w)
          let x0 = 0;
          const lead = pl - j;
          if (lead > 0) x0 = (lead + sw - 1) / sw;
          let x1 = (w - 1 + pl - j) / sw + 1;
          if (w - 1 + pl - j < 0) x1 = 0;
          if (x1 > ow) x1 = ow;
          const count = x1 - x0;
          if (count <= 0) continue;
          const xp = xRow + (<usize>((x0 * sw + j - pl) * ci) << 2);
          const dp = dyRow + (<usize>(x0 * co) << 2);
          const dwTap = dw + (<usize>((i * kw + j) * ci * co) << 2);
          tileRows(ci, xp, 4, xs, dp, ds, count, y1 - y0, xl, dl, dwTap, dws, co);
        }
      }
    }
  }
}

/**
 * Gradient of max pooling: each window's gradient goes to its FIRST maximum in row-major order (like
 * tfjs's cpu backend), padding never wins, overlapping windows add up. Channels are done 4 at a time;
 * `c` need not be a multiple of 4 (the last few channels take the scalar path).
 */
export function maxPoolGrad(
  x: usize, dy: usize, dx: usize,
  n: i32, h: i32, w: i32, c: i32,
  oh: i32, ow: i32, ph: i32, pw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  if (ph == 2 && pw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0 && h == 2 * oh && w == 2 * ow && (c & 3) == 0) {
    maxPoolGrad2x2(x, dy, dx, n * oh, ow, c);
    return;
  }
  zero(dx, n * h * w * c);
  const c4 = c & ~3;
  const rowBytes = <usize>(w * c) << 2;
  const pixBytes = <usize>c << 2;
  for (let b = 0; b < n; b++) {
    const xImg = x + (<usize>(b * h * w * c) << 2);
    const dxImg = dx + (<usize>(b * h * w * c) << 2);
    for (let y = 0; y < oh; y++) {
      let y0 = y * sh - pt;
      let y1 = y0 + ph;
      if (y0 < 0) y0 = 0;
      if (y1 > h) y1 = h;
      for (let xo = 0; xo < ow; xo++) {
        let x0 = xo * sw - pl;
        let x1 = x0 + pw;
        if (x0 < 0) x0 = 0;
        if (x1 > w) x1 = w;
        const dyPix = dy + (<usize>(((b * oh + y) * ow + xo) * c) << 2);
        for (let k = 0; k < c4; k += 4) {
          const kb = <usize>k << 2;
          let best = f32x4.splat(-Infinity);
          let bestAt = i32x4.splat(-1);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = v128.load(xImg + <usize>iy * rowBytes + <usize>ix * pixBytes + kb);
              const gt = f32x4.gt(v, best);
              best = v128.bitselect(v, best, gt);
              bestAt = v128.bitselect(i32x4.splat(iy * w + ix), bestAt, gt);
            }
          }
          const g = v128.load(dyPix + kb);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const hit = i32x4.eq(bestAt, i32x4.splat(iy * w + ix));
              const p = dxImg + <usize>iy * rowBytes + <usize>ix * pixBytes + kb;
              v128.store(p, f32x4.add(v128.load(p), v128.and(g, hit)));
            }
          }
        }
        for (let k = c4; k < c; k++) {
          const kb = <usize>k << 2;
          let best = -Infinity;
          let at: usize = 0;
          let found = false;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const p = <usize>iy * rowBytes + <usize>ix * pixBytes + kb;
              const v = load<f32>(xImg + p);
              if (v > best) {
                best = v;
                at = p;
                found = true;
              }
            }
          }
          if (found) store<f32>(dxImg + at, load<f32>(dxImg + at) + load<f32>(dyPix + kb));
        }
      }
    }
  }
}

/** The common case of maxPoolGrad: 2x2 windows, stride 2, tiling the input exactly, c % 4 == 0. */
function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, rows: i32, ow: i32, c: i32): void {
  const pix = <usize>c << 2;
  const row = <usize>(2 * ow * c) << 2;
  const i0 = i32x4.splat(0);
  const i1 = i32x4.splat(1);
  const i2 = i32x4.splat(2);
  const i3 = i32x4.splat(3);
  let g = dy;
  for (let r = 0; r < rows; r++) {
    const top = x + <usize>r * 2 * row;
    const dtop = dx + <usize>r * 2 * row;
    for (let xo = 0; xo < ow; xo++) {
      const p00 = <usize>xo * 2 * pix;
      for (let k: usize = 0; k < pix; k += 16) {
        const a = p00 + k;
        const v0 = v128.load(top + a);
        const v1 = v128.load(top + a + pix);
        const v2 = v128.load(top + a + row);
        const v3 = v128.load(top + a + row + pix);
        // the first maximum in row-major order; NaN never wins (strict >, like the cpu kernel)
        let m = f32x4.gt(v0, f32x4.splat(-Infinity));
        let best = v128.bitselect(v0, f32x4.splat(-Infinity), m);
        let at = v128.bitselect(i0, i32x4.splat(-1), m);
        m = f32x4.gt(v1, best);
        best = v128.bitselect(v1, best, m);
        at = v128.bitselect(i1, at, m);
        m = f32x4.gt(v2, best);
        best = v128.bitselect(v2, best, m);
        at = v128.bitselect(i2, at, m);
        m = f32x4.gt(v3, best);
        at = v128.bitselect(i3, at, m);
        const gv = v128.load(g);
        v128.store(dtop + a, v128.and(gv, i32x4.eq(at, i0)));
        v128.store(dtop + a + pix, v128.and(gv, i32x4.eq(at, i1)));
        v128.store(dtop + a + row, v128.and(gv, i32x4.eq(at, i2)));
        v128.store(dtop + a + row + pix, v128.and(gv, i32x4.eq(at, i3)));
        g += 16;
      }
    }
  }
}

/** step(x) of four lanes: 1 above 0, 0 at or below, NaN for NaN (as tfjs). */
@inline
function step4(v: v128): v128 {
  const zero4 = f32x4.splat(0);
  const s = v128.bitselect(f32x4.splat(1), zero4, f32x4.gt(v, zero4));
  return v128.bitselect(v, s, f32x4.ne(v, v));
}

/** step(x) of one value, as step4. */
@inline
function step1(v: f32): f32 {
  return v != v ? v : v > 0 ? 1 : 0;
}

/** Gradient of relu: dy * step(x). */
export function reluGrad(dy: usize, x: usize, out: usize, count: i32): void {
  const n4 = count & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(dy + o), step4(v128.load(x + o))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(dy + o) * step1(load<f32>(x + o)));
  }
}

/**
 * reluGrad over `rows` rows of `cols` channels, and its column sums: out = dy * step(x) as reluGrad, and
 * sums[j] = sum over r of out[r, j] (a bias gradient) in the same pass, in sumRows's order.
 */
export function reluGradSumRows(dy: usize, x: usize, out: usize, sums: usize, rows: i32, cols: i32): void {
  zero(sums, cols);
  const c4 = cols & ~3;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * rowBytes;
    let k = 0;
    for (; k < c4; k += 4) {
      const o = base + (<usize>k << 2);
      const d = f32x4.mul(v128.load(dy + o), step4(v128.load(x + o)));
      v128.store(out + o, d);
      const p = sums + (<usize>k << 2);
      v128.store(p, f32x4.add(v128.load(p), d));
    }
    for (; k < cols; k++) {
      const o = base + (<usize>k << 2);
      const d = load<f32>(dy + o) * step1(load<f32>(x + o));
      store<f32>(out + o, d);
      const p = sums + (<usize>k << 2);
      store<f32>(p, load<f32>(p) + d);
    }
  }
}

/** Column sums: out[j] = sum over r of src[r * cols + j] (a reduction over the leading axes). */
export function sumRows(src: usize, out: usize, rows: i32, cols: i32): void {
  zero(out, cols);
  const c4 = cols & ~3;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const row = src + <usize>r * rowBytes;
    let k = 0;
    for (; k < c4; k += 4) {
      const p = out + (<usize>k << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(row + (<usize>k << 2))));
    }
    for (; k < cols; k++) {
      const p = out + (<usize>k << 2);
      store<f32>(p, load<f32>(p) + load<f32>(row + (<usize>k << 2)));
    }
  }
}

/**
 * Matrix product c = a' . b with c [m, n] and b [k, n] row-major; a'[i, p] is read at a + i*ar + p*ak
 * (byte strides), so a transposed `a` costs nothing. Columns beyond the last multiple of 4 take a
 * scalar path.
 */
export function matMul(a: usize, ar: usize, ak: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  zero(c, m * n);
  const rowB = <usize>n << 2;
  tileRows(m, a, ar, ak, b, rowB, k, 1, 0, 0, c, rowB, n);
  const n4 = n & ~3;
  for (let r = 0; r < m; r++) {
    for (let j = n4; j < n; j++) {
      let acc: f32 = 0;
      for (let p = 0; p < k; p++) acc += load<f32>(a + <usize>r * ar + <usize>p * ak) * load<f32>(b + <usize>p * rowB + (<usize>j << 2));
      store<f32>(c + <usize>r * rowB + (<usize>j << 2), acc);
    }
  }
}

/** out[r, j] = x[r, j] + v[j] for `rows` rows of `cols` values (a bias added along the last axis). */
export function addRowVector(x: usize, v: usize, out: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const src = x + <usize>r * rowBytes;
    const dst = out + <usize>r * rowBytes;
    let j = 0;
    for (; j < c4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(src + o), v128.load(v + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(src + o) + load<f32>(v + o));
    }
  }
}
