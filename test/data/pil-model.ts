/**
 * A literal, unoptimised transcription of Pillow's Image.resize for 8-bit images (Image.py's RGBA ->
 * RGBa detour, libImaging/Resample.c's precompute_coeffs, normalize_coeffs_8bpc, the horizontal pass
 * over every row, then the vertical pass), pixel by pixel in plain arrays. src/data/pil-resample.ts is
 * the fast version; tests and bench/pil-diff.ts check it against this one on many sizes.
 */
type Filter = 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

function filterOf(name: Filter): [number, (x: number) => number] {
  const sincF = (x: number) => (x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI));
  switch (name) {
    case 'box':
      return [0.5, (x) => (x > -0.5 && x <= 0.5 ? 1 : 0)];
    case 'bilinear':
      return [1, (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0)];
    case 'hamming':
      return [1, (x) => {
        x = Math.abs(x);
        if (x === 0) return 1;
        if (x >= 1) return 0;
        x = x * Math.PI;
        return (Math.sin(x) / x) * (Math.fround(0.54) + Math.fround(0.46) * Math.cos(x));
      }];
    case 'bicubic':
      return [2, (x) => {
        x = Math.abs(x);
        if (x < 1) return ((-0.5 + 2) * x - (-0.5 + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * -0.5;
        return 0;
      }];
    case 'lanczos':
      return [3, (x) => (-3 <= x && x < 3 ? sincF(x) * sincF(x / 3) : 0)];
  }
}

/** precompute_coeffs then normalize_coeffs_8bpc: [xmin, count, fixed-point weights] per output pixel. */
function coefficients(inSize: number, in0: number, in1: number, outSize: number, name: Filter): Array<[number, number, number[]]> {
  const [base, f] = filterOf(name);
  const scale = (in1 - in0) / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = base * filterscale;
  const out: Array<[number, number, number[]]> = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    const k: number[] = [];
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = f((x + xmin - center + 0.5) * (1 / filterscale));
      k.push(w);
      ww += w;
    }
    const fixed = k.map((w) => (ww !== 0 ? w / ww : w)).map((w) => Math.trunc(w < 0 ? -0.5 + w * 2 ** 22 : 0.5 + w * 2 ** 22));
    out.push([xmin, xmax, fixed]);
  }
  return out;
}

const clip8 = (ss: number) => Math.max(0, Math.min(255, Math.floor(ss / 2 ** 22)));

/** PIL's resize of HWC uint8 pixels with `box` [x0, y0, x1, y1] (default the whole image). */
export function pilModelResize(src: Uint8Array, w: number, h: number, c: number, outW: number, outH: number, name: Filter, box: readonly number[] = [0, 0, w, h]): Uint8Array {
  let px = Array.from(src);
  if (c === 4) {
    // RGBA -> RGBa: MULDIV255.
    px = px.map((v, i) => (i % 4 === 3 ? v : ((v * px[i - (i % 4) + 3] + 128) + ((v * px[i - (i % 4) + 3] + 128) >> 8)) >> 8));
  }
  let cw = w;
  let ch = h;
  const needH = outW !== w || box[0] !== 0 || box[2] !== outW;
  const needV = outH !== h || box[1] !== 0 || box[3] !== outH;
  if (needH) {
    const kx = coefficients(w, box[0], box[2], outW, name);
    const next: number[] = [];
    for (let y = 0; y < ch; y++) for (let xx = 0; xx < outW; xx++) for (let b = 0; b < c; b++) {
      const [xmin, n, k] = kx[xx];
      let ss = 2 ** 21;
      for (let x = 0; x < n; x++) ss += px[(y * cw + x + xmin) * c + b] * k[x];
      next.push(clip8(ss));
    }
    px = next;
    cw = outW;
  }
  if (needV) {
    const ky = coefficients(h, box[1], box[3], outH, name);
    const next: number[] = [];
    for (let yy = 0; yy < outH; yy++) for (let x = 0; x < cw; x++) for (let b = 0; b < c; b++) {
      const [ymin, n, k] = ky[yy];
      let ss = 2 ** 21;
      for (let y = 0; y < n; y++) ss += px[((y + ymin) * cw + x) * c + b] * k[y];
      next.push(clip8(ss));
    }
    px = next;
    ch = outH;
  }
  if (c === 4) {
    // RGBa -> RGBA: 255 * v / alpha in integers, clipped; alpha 0 and 255 kept as they are.
    px = px.map((v, i) => {
      const a = px[i - (i % 4) + 3];
      return i % 4 === 3 || a === 0 || a === 255 ? v : Math.min(255, Math.floor((255 * v) / a));
    });
  }
  return Uint8Array.from(px);
}
