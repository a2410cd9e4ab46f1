/**
 * A model of PIL's convolution resize for 8-bit images (Image.resize with BOX, BILINEAR, HAMMING,
 * BICUBIC, LANCZOS; no reducing_gap), written from Pillow's documented algorithm in libImaging/Resample.c:
 * per output pixel a filter window centred at (x + 0.5) * scale, support widened by the scale when
 * downscaling, weights normalised to sum 1, then turned into 22-bit fixed point (rounded away from 0);
 * a horizontal pass first (clipped to uint8), then a vertical pass. `box` and `hamming` (which libvips
 * lacks) decode through it; bench/pil-diff.ts measures how far libvips's kernels are from it.
 */
export type PilFilter = 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI));
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

function coefficients(inSize: number, outSize: number, filter: PilFilter): { bounds: Int32Array; k: Int32Array; ksize: number } {
  const { support: base, f } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = base * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const k = new Int32Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const w: number[] = [];
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const v = f((x + xmin - center + 0.5) * ss);
      w.push(v);
      ww += v;
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

const clip8 = (ss: number) => {
  const v = ss >> BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/** PIL's resize of interleaved HWC uint8 pixels (each channel separately, as PIL does for L and RGB). */
export function pilResize(src: Uint8Array, w: number, h: number, c: number, outW: number, outH: number, filter: PilFilter): Uint8Array {
  let cur = src;
  let cw = w;
  if (outW !== w) {
    const { bounds, k, ksize } = coefficients(w, outW, filter);
    const out = new Uint8Array(outW * h * c);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[xx * 2];
        const xmax = bounds[xx * 2 + 1];
        for (let ch = 0; ch < c; ch++) {
          let ss = 1 << (BITS - 1);
          for (let x = 0; x < xmax; x++) ss += cur[(y * w + x + xmin) * c + ch] * k[xx * ksize + x];
          out[(y * outW + xx) * c + ch] = clip8(ss);
        }
      }
    }
    cur = out;
    cw = outW;
  }
  if (outH !== h) {
    const { bounds, k, ksize } = coefficients(h, outH, filter);
    const out = new Uint8Array(cw * outH * c);
    for (let yy = 0; yy < outH; yy++) {
      const ymin = bounds[yy * 2];
      const ymax = bounds[yy * 2 + 1];
      for (let x = 0; x < cw; x++) {
        for (let ch = 0; ch < c; ch++) {
          let ss = 1 << (BITS - 1);
          for (let y = 0; y < ymax; y++) ss += cur[((y + ymin) * cw + x) * c + ch] * k[yy * ksize + y];
          out[(yy * cw + x) * c + ch] = clip8(ss);
        }
      }
    }
    cur = out;
  }
  return cur;
}
