/**
 * The two passes of PIL's convolution resize (src/data/pil-resample.ts) with 128-bit SIMD, for 8-bit
 * interleaved pixels. Same integer arithmetic as Pillow's Resample.c: 22-bit fixed-point weights,
 * int32 sums that start at 1 << 21 and wrap like C's int, then >> 22 and clipped to 0..255 (the
 * saturating narrows do the clipping). Pointers are byte offsets into the imported memory; the caller
 * leaves 16 spare bytes after every buffer, since whole vectors are loaded and stored at row ends.
 * Built by `node scripts/build-data-wasm.mjs` into src/data/pil-resample.wasm.ts.
 */

const HALF: i32 = 1 << 21;

// @ts-ignore: decorator
@inline
function pack(acc: v128): v128 {
  const v = i32x4.shr_s(acc, 22);
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(v, v), i16x8.narrow_i32x4_s(v, v));
}

/**
 * ImagingResampleHorizontal_8bpc over `rows` rows from `y0`: `bounds` holds (first source pixel, tap
 * count) per output pixel, `k` ksize int32 weights per output pixel.
 */
export function horizontal(src: usize, w: i32, c: i32, y0: i32, rows: i32, outW: i32, bounds: usize, k: usize, ksize: i32, out: usize): void {
  const inRow = <usize>(w * c);
  const outRow = <usize>(outW * c);
  for (let y = 0; y < rows; y++) {
    const ib = src + <usize>(y + y0) * inRow;
    const ob = out + <usize>y * outRow;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = load<i32>(bounds + (<usize>xx << 3));
      const n = load<i32>(bounds + (<usize>xx << 3), 4);
      const kb = k + ((<usize>(xx * ksize)) << 2);
      if (c === 1) {
        let s: i32 = HALF;
        const p = ib + <usize>xmin;
        for (let x = 0; x < n; x++) s += <i32>load<u8>(p + <usize>x) * load<i32>(kb + (<usize>x << 2));
        s >>= 22;
        store<u8>(ob + <usize>xx, <u8>(s < 0 ? 0 : s > 255 ? 255 : s));
      } else {
        // One pixel (3 or 4 bytes, read as 4) per tap on four lanes.
        let acc = i32x4.splat(HALF);
        let p = ib + <usize>(xmin * c);
        for (let x = 0; x < n; x++, p += <usize>c) {
          const px = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
          acc = i32x4.add(acc, i32x4.mul(px, i32x4.splat(load<i32>(kb + (<usize>x << 2)))));
        }
        // Writes 4 bytes; for 3 channels the 4th is overwritten by the next pixel (or is spare).
        v128.store32_lane(ob + <usize>(xx * c), pack(acc), 0);
      }
    }
  }
}

/** ImagingResampleVertical_8bpc, 16 values at a time along each row; `shift` is PIL's ybox_first. */
export function vertical(src: usize, rowLen: i32, outH: i32, shift: i32, bounds: usize, k: usize, ksize: i32, out: usize): void {
  const len = <usize>rowLen;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = load<i32>(bounds + (<usize>yy << 3)) - shift;
    const n = load<i32>(bounds + (<usize>yy << 3), 4);
    const kb = k + ((<usize>(yy * ksize)) << 2);
    const ob = out + <usize>yy * len;
    for (let i: usize = 0; i < len; i += 16) {
      let a0 = i32x4.splat(HALF);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let p = src + <usize>ymin * len + i;
      for (let y = 0; y < n; y++, p += len) {
        const ky = i32x4.splat(load<i32>(kb + (<usize>y << 2)));
        const v = v128.load(p);
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        a0 = i32x4.add(a0, i32x4.mul(i32x4.extend_low_i16x8_u(lo), ky));
        a1 = i32x4.add(a1, i32x4.mul(i32x4.extend_high_i16x8_u(lo), ky));
        a2 = i32x4.add(a2, i32x4.mul(i32x4.extend_low_i16x8_u(hi), ky));
        a3 = i32x4.add(a3, i32x4.mul(i32x4.extend_high_i16x8_u(hi), ky));
      }
      const lo16 = i16x8.narrow_i32x4_s(i32x4.shr_s(a0, 22), i32x4.shr_s(a1, 22));
      const hi16 = i16x8.narrow_i32x4_s(i32x4.shr_s(a2, 22), i32x4.shr_s(a3, 22));
      v128.store(ob + i, i8x16.narrow_i16x8_u(lo16, hi16));
    }
  }
}
