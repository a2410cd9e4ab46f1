/**
 * A light decoder for small, plain PNGs (8-bit grey, grey+alpha, RGB or RGBA, not interlaced, no
 * palette, transparency chunk or ICC profile): inflate and unfilter in JS. For files of a few KB
 * (MNIST-like 28x28 digits) a sharp call costs far more than the pixels; this path skips it. Anything
 * else returns null and goes through sharp, which also reports corrupt files.
 */
import { inflateSync } from 'node:zlib';

export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Files up to this size try the light path first. */
export const SMALL_PNG_BYTES = 64 * 1024;

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 4: 2, 2: 3, 6: 4 };

export function decodeSmallPng(buf: Uint8Array, maxPixels: number): RawPixels | null {
  if (buf.length < 33 || SIGNATURE.some((b, i) => buf[i] !== b)) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= buf.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(buf[pos + 4], buf[pos + 5], buf[pos + 6], buf[pos + 7]);
    const data = pos + 8;
    if (data + len + 4 > buf.length) return null;
    if (type === 'IHDR') {
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      const depth = buf[data + 8];
      const colorType = buf[data + 9];
      const interlace = buf[data + 12];
      channels = CHANNELS[colorType] ?? 0;
      if (depth !== 8 || !channels || interlace !== 0 || buf[data + 10] !== 0 || buf[data + 11] !== 0) return null;
      if (width === 0 || height === 0 || width * height > maxPixels) return null;
    } else if (type === 'IDAT') {
      idat.push(buf.subarray(data, data + len));
    } else if (type === 'tRNS' || type === 'iCCP' || type === 'PLTE') {
      return null;
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos = data + len + 4;
  }
  if (!ended || !channels || idat.length === 0) return null;
  let raw: Uint8Array;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat));
  } catch {
    return null;
  }
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) return null;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const inRow = y * (stride + 1) + 1;
    const o = y * stride;
    const up = o - stride;
    for (let i = 0; i < stride; i++) {
      const x = raw[inRow + i];
      const a = i >= channels ? out[o + i - channels] : 0;
      const b = y > 0 ? out[up + i] : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const c = i >= channels && y > 0 ? out[up + i - channels] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          return null;
      }
      out[o + i] = v & 255;
    }
  }
  return { data: out, width, height, channels };
}
