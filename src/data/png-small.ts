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
// Chunk types as big-endian 32-bit numbers (compared without making strings).
const tag = (t: string) => ((t.charCodeAt(0) << 24) | (t.charCodeAt(1) << 16) | (t.charCodeAt(2) << 8) | t.charCodeAt(3)) >>> 0;
const IHDR = tag('IHDR');
const IDAT = tag('IDAT');
const IEND = tag('IEND');
const REFUSED = new Set([tag('tRNS'), tag('iCCP'), tag('PLTE')]);

// Reused output for callers that only read the pixels before the next call (see `keepChannels`).
let scratch = new Uint8Array(0);

/**
 * `keepChannels`: when given and the file has another channel count, the pixels land in a buffer
 * reused by the next call (the caller converts them into a new array at once); else in a new array.
 * Fewer allocations per small file mean fewer garbage collections, a measurable share of its cost.
 */
export function decodeSmallPng(buf: Uint8Array, maxPixels: number, keepChannels?: number): RawPixels | null {
  if (buf.length < 33) return null;
  for (let i = 0; i < 8; i++) if (buf[i] !== SIGNATURE[i]) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= buf.length) {
    const len = view.getUint32(pos);
    const type = view.getUint32(pos + 4);
    const data = pos + 8;
    if (data + len + 4 > buf.length) return null;
    if (type === IHDR) {
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      const depth = buf[data + 8];
      const colorType = buf[data + 9];
      const interlace = buf[data + 12];
      channels = CHANNELS[colorType] ?? 0;
      if (depth !== 8 || !channels || interlace !== 0 || buf[data + 10] !== 0 || buf[data + 11] !== 0) return null;
      if (width === 0 || height === 0 || width * height > maxPixels) return null;
    } else if (type === IDAT) {
      idat.push(buf.subarray(data, data + len));
    } else if (REFUSED.has(type)) {
      return null;
    } else if (type === IEND) {
      ended = true;
      break;
    }
    pos = data + len + 4;
  }
  if (!ended || !channels || idat.length === 0) return null;
  let raw: Uint8Array;
  try {
    // One output chunk of the expected size, not zlib's default 16 KiB per call (capped: the header's
    // size is not trusted before the data bears it out).
    const expected = (width * channels + 1) * height;
    raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat), { chunkSize: Math.min(Math.max(64, expected + 64), 1 << 18) });
  } catch {
    return null;
  }
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) return null;
  let out: Uint8Array;
  if (keepChannels !== undefined && keepChannels !== channels) {
    if (scratch.length < stride * height) scratch = new Uint8Array(Math.max(stride * height, 16384));
    out = scratch.subarray(0, stride * height);
  } else {
    out = new Uint8Array(stride * height);
  }
  for (let y = 0; y < height; y++) {
    if (!unfilterRow(raw[y * (stride + 1)], raw, y * (stride + 1) + 1, out, y * stride, y > 0 ? (y - 1) * stride : -1, stride, channels)) return null;
  }
  return { data: out, width, height, channels };
}

/**
 * Undoes one row's PNG filter into `out` at `o`; `up` is the previous output row (-1 for the first).
 * One loop per filter type, so the inner loops have no branches. False for an unknown filter.
 */
function unfilterRow(filter: number, raw: Uint8Array, r: number, out: Uint8Array, o: number, up: number, stride: number, bpp: number): boolean {
  switch (filter) {
    case 0:
      out.set(raw.subarray(r, r + stride), o);
      return true;
    case 1:
      for (let i = 0; i < bpp; i++) out[o + i] = raw[r + i];
      for (let i = bpp; i < stride; i++) out[o + i] = raw[r + i] + out[o + i - bpp];
      return true;
    case 2:
      if (up < 0) out.set(raw.subarray(r, r + stride), o);
      else for (let i = 0; i < stride; i++) out[o + i] = raw[r + i] + out[up + i];
      return true;
    case 3:
      if (up < 0) {
        for (let i = 0; i < bpp; i++) out[o + i] = raw[r + i];
        for (let i = bpp; i < stride; i++) out[o + i] = raw[r + i] + (out[o + i - bpp] >> 1);
      } else {
        for (let i = 0; i < bpp; i++) out[o + i] = raw[r + i] + (out[up + i] >> 1);
        for (let i = bpp; i < stride; i++) out[o + i] = raw[r + i] + ((out[o + i - bpp] + out[up + i]) >> 1);
      }
      return true;
    case 4:
      if (up < 0) {
        // Paeth with no row above picks the left neighbour.
        for (let i = 0; i < bpp; i++) out[o + i] = raw[r + i];
        for (let i = bpp; i < stride; i++) out[o + i] = raw[r + i] + out[o + i - bpp];
      } else {
        for (let i = 0; i < bpp; i++) out[o + i] = raw[r + i] + out[up + i];
        for (let i = bpp; i < stride; i++) {
          const a = out[o + i - bpp];
          const b = out[up + i];
          const c = out[up + i - bpp];
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out[o + i] = raw[r + i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
      }
      return true;
    default:
      return false;
  }
}
