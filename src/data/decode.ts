/**
 * Decoding one image file into resized, interleaved uint8 pixels (HWC) with sharp.
 * Runs in libuv's thread pool; callers bound how many decodes are in flight.
 */
import { loadSharp, type SharpFunction } from './sharp-module.js';
import { readFile, stat, access, constants } from 'node:fs/promises';
import { decodeBmp } from './bmp.js';
import { resizeNearestPil } from './pil-nearest.js';
import { kerasCropBox, pilResize, type PilFilter } from './pil-resample.js';
import { decodeSmallPng, SMALL_PNG_BYTES, type RawPixels } from './png-small.js';
import { DataConfigError, ImageDecodeError } from './errors.js';

export type ColorMode = 'grayscale' | 'rgb' | 'rgba';
export const COLOR_MODES: readonly ColorMode[] = ['grayscale', 'rgb', 'rgba'];

/**
 * Resampling names accepted. Keras's (PIL's) names resize exactly as PIL does (JS and SIMD wasm) on the fully
 * decoded pixels (pil-nearest.ts, pil-resample.ts). The TF-style names (linear, cubic, lanczos2/3,
 * mitchell) and every filter with `resizeMode: 'pad'` use sharp's libvips kernels in its thread pool,
 * with JPEG shrink-on-load: not PIL's pixels, but several times faster on large photos.
 */
const KERNELS = {
  nearest: 'nearest',
  bilinear: 'linear',
  linear: 'linear',
  bicubic: 'cubic',
  cubic: 'cubic',
  lanczos: 'lanczos3',
  lanczos2: 'lanczos2',
  lanczos3: 'lanczos3',
  mitchell: 'mitchell',
  mitchellcubic: 'mitchell',
} as const;
const PIL: Partial<Record<Interpolation, PilFilter | 'nearest'>> = {
  nearest: 'nearest',
  bilinear: 'bilinear',
  bicubic: 'bicubic',
  lanczos: 'lanczos',
  box: 'box',
  hamming: 'hamming',
};
/** Filters only the PIL path has (libvips lacks them): no padding with these. */
const PIL_ONLY = { box: 'box', hamming: 'hamming' } as const;
export type Interpolation = keyof typeof KERNELS | keyof typeof PIL_ONLY;
export const INTERPOLATIONS = [...Object.keys(KERNELS), ...Object.keys(PIL_ONLY)] as Interpolation[];

/** The PIL filter this decode resizes with, or null when libvips does it. */
function pilFilterOf(o: DecodeOptions): PilFilter | 'nearest' | null {
  return o.resizeMode === 'pad' ? null : PIL[o.interpolation] ?? null;
}
const kernelKey = (o: DecodeOptions): string => {
  const pil = pilFilterOf(o);
  return pil ? `pil-${pil}` : KERNELS[o.interpolation as keyof typeof KERNELS];
};

/** How the image is fitted to the target size: stretched (Keras default), centre-cropped, or padded. */
export type ResizeMode = 'stretch' | 'crop' | 'pad';

/** PIL's DecompressionBombError threshold (2 x Image.MAX_IMAGE_PIXELS). */
export const DEFAULT_MAX_IMAGE_PIXELS = 178_956_970;

export interface DecodeOptions {
  /** [height, width]. */
  targetSize: readonly [number, number];
  colorMode: ColorMode;
  interpolation: Interpolation;
  resizeMode: ResizeMode;
  maxImagePixels: number;
}

export interface DecodedImage {
  /** Interleaved HWC uint8. */
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

export function channelsOf(colorMode: ColorMode): number {
  return colorMode === 'grayscale' ? 1 : colorMode === 'rgb' ? 3 : 4;
}

export function checkDecodeOptions(o: DecodeOptions): void {
  const [h, w] = o.targetSize ?? [];
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
    throw new DataConfigError(`"targetSize" must be [height, width] in whole pixels > 0; got ${JSON.stringify(o.targetSize)}.`);
  }
  if (!COLOR_MODES.includes(o.colorMode)) {
    throw new DataConfigError(`Unknown colorMode "${o.colorMode}". Use one of: ${COLOR_MODES.join(', ')}.`);
  }
  if (!INTERPOLATIONS.includes(o.interpolation)) {
    throw new DataConfigError(`Unknown interpolation "${o.interpolation}". Use one of: ${INTERPOLATIONS.join(', ')}.`);
  }
  if (!(o.maxImagePixels > 0)) throw new DataConfigError(`"maxImagePixels" must be > 0; got ${o.maxImagePixels}.`);
  if (o.interpolation in PIL_ONLY && o.resizeMode === 'pad') {
    throw new DataConfigError(`interpolation '${o.interpolation}' cannot pad (padToAspectRatio: libvips has no such kernel); use bilinear, bicubic, lanczos or nearest to pad, or stretch/crop.`);
  }
}

/** A string that identifies the decode options, for cache keys. */
export function decodeOptionsKey(o: DecodeOptions): string {
  return `${o.targetSize[0]}x${o.targetSize[1]}/${o.colorMode}/${kernelKey(o)}/${o.resizeMode}`;
}

/** Set by decodeImage's first call (loadSharp): everything below runs after it. */
let sharp: SharpFunction;

function classify(filepath: string, err: unknown, maxPixels: number): ImageDecodeError {
  const msg = (err as Error)?.message ?? String(err);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (/Input file is missing/i.test(msg) || code === 'ENOENT') {
    return new ImageDecodeError(
      filepath,
      'missing',
      `Image file "${filepath}" is gone: it was deleted or moved after the folder was indexed. ` +
        `Put it back, or create the iterator again so the folder is re-indexed.`,
    );
  }
  if (/exceeds pixel limit/i.test(msg)) {
    return new ImageDecodeError(
      filepath,
      'too-large',
      `Image "${filepath}" has more than ${maxPixels.toLocaleString('en-US')} pixels (a decompression bomb, or just a huge image) ` +
        `and was refused. Shrink or remove it, or raise "maxImagePixels" if you trust the file.`,
    );
  }
  return new ImageDecodeError(
    filepath,
    'unreadable',
    `Cannot decode image "${filepath}": ${msg.split('\n')[0]}. The file is corrupt, truncated, or not an image despite its extension. ` +
      `Replace or remove it, or pass onError: 'skip' to leave unreadable files out.`,
  );
}

/** PIL's "L" conversion, 0.299R + 0.587G + 0.114B on gamma-encoded values (libvips would linearise first). */
function rgbToLuma(src: Uint8Array, pixels: number, stride: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, s = 0; i < pixels; i++, s += stride) {
    out[i] = (src[s] * 19595 + src[s + 1] * 38470 + src[s + 2] * 7471 + 0x8000) >> 16;
  }
  return out;
}

async function openWithSharp(filepath: string, maxPixels: number): Promise<ReturnType<typeof sharp>> {
  if (filepath.toLowerCase().endsWith('.bmp')) {
    const bmp = decodeBmp(await readFile(filepath), maxPixels);
    return sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } });
  }
  return sharp(filepath, { limitInputPixels: maxPixels, failOn: 'warning' });
}

/**
 * One sharp pipeline (decode with JPEG/WebP shrink-on-load, resize) for non-PNG files resized by a
 * libvips kernel when there is no alpha to drop: the same pixels up to rounding as converting first,
 * at a fraction of the cost for large photos. Null when the two-step path is needed (PIL's resize
 * works on the fully decoded pixels, as PIL does).
 */
async function decodeDirect(filepath: string, o: DecodeOptions, want: number): Promise<DecodedImage | null> {
  const lower = filepath.toLowerCase();
  if (lower.endsWith('.png') || lower.endsWith('.bmp') || pilFilterOf(o) || o.interpolation in PIL_ONLY) return null;
  const img = await openWithSharp(filepath, o.maxImagePixels);
  const meta = await img.metadata();
  if (meta.hasAlpha && o.colorMode !== 'rgba') return null;
  const [height, width] = o.targetSize;
  if (meta.width === width && meta.height === height) return null;
  const { data, info } = await (o.colorMode === 'rgba' ? img.ensureAlpha() : img)
    .resize(width, height, {
      fit: o.resizeMode === 'crop' ? 'cover' : o.resizeMode === 'pad' ? 'contain' : 'fill',
      position: 'centre',
      kernel: KERNELS[o.interpolation as keyof typeof KERNELS],
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = toChannels(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width * info.height, info.channels, want);
  return { data: out, height: info.height, width: info.width, channels: want };
}

/** The file's pixels at its own size: small plain PNGs by the light JS path, everything else by sharp. */
async function decodeNative(filepath: string, maxPixels: number, colorMode: ColorMode): Promise<RawPixels> {
  let img: ReturnType<typeof sharp>;
  if (filepath.toLowerCase().endsWith('.png')) {
    // One read: the light path for small files, else sharp decodes the same bytes.
    const bytes = await readFile(filepath);
    const light = bytes.length <= SMALL_PNG_BYTES ? decodeSmallPng(bytes, maxPixels) : null;
    if (light) return light;
    img = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning' });
  } else {
    img = await openWithSharp(filepath, maxPixels);
  }
  img = colorMode === 'rgba' ? img.ensureAlpha() : img.removeAlpha();
  const { data, info } = await img.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

/** Spreads or reduces the decoded bands to the colour mode's channel count (PIL's convert). */
function toChannels(src: Uint8Array, pixels: number, got: number, want: number): Uint8Array {
  if (want === got) return src;
  if (want === 1 && got >= 3) return rgbToLuma(src, pixels, got);
  if (want === 1 && got === 2) return src.filter((_, i) => i % 2 === 0);
  if (want === 3 && got === 4) return src.filter((_, i) => i % 4 !== 3);
  if (want === 4 && got === 3) {
    const out = new Uint8Array(pixels * 4);
    for (let i = 0; i < pixels; i++) {
      out[i * 4] = src[i * 3];
      out[i * 4 + 1] = src[i * 3 + 1];
      out[i * 4 + 2] = src[i * 3 + 2];
      out[i * 4 + 3] = 255;
    }
    return out;
  }
  // A grey (+alpha) source kept as one band: spread it over the colour channels.
  const expanded = new Uint8Array(pixels * want);
  for (let i = 0; i < pixels; i++) {
    const g = src[i * got];
    for (let c = 0; c < want; c++) expanded[i * want + c] = c === 3 ? (got === 2 ? src[i * got + 1] : 255) : g;
  }
  return expanded;
}

/**
 * Pixels at their own size (colour mode already converted) fitted to targetSize by PIL's rules: as
 * they are when the size matches, else PIL's nearest or convolution resize (with Keras's crop box for
 * `crop`). Null when a libvips kernel or padding is asked for (sharp does those).
 */
function fitWithPil(native: Uint8Array, w: number, h: number, c: number, o: DecodeOptions): DecodedImage | null {
  const [height, width] = o.targetSize;
  if (w === width && h === height) return { data: native, height, width, channels: c };
  const pil = pilFilterOf(o);
  if (!pil) return null;
  const box = o.resizeMode === 'crop' ? kerasCropBox(w, h, width, height) : undefined;
  const data = pil === 'nearest' ? resizeNearestPil(native, w, h, c, width, height, box) : pilResize(native, w, h, c, width, height, pil, box);
  return { data, height, width, channels: c };
}

/** Whether a file of this name and size may take the synchronous light path (decodeSmallPngSync). */
export function isSmallPng(filepath: string, size: number): boolean {
  return size <= SMALL_PNG_BYTES && filepath.toLowerCase().endsWith('.png');
}

/**
 * The synchronous light path for the bytes of a small plain PNG: decoded, converted and resized in JS,
 * with no promise and no sharp call (their fixed cost dominates a 28x28 digit). Null when the file
 * needs the full path (not a plain 8-bit PNG, truncated, or a libvips kernel asked for), which also
 * reports corrupt files. `o` must have passed checkDecodeOptions.
 */
export function decodeSmallPngSync(bytes: Uint8Array, o: DecodeOptions): DecodedImage | null {
  const want = channelsOf(o.colorMode);
  // Pixels of another channel count are converted into a new array at once: decode into scratch.
  const info = decodeSmallPng(bytes, o.maxImagePixels, want);
  if (!info) return null;
  const [height, width] = o.targetSize;
  if (!(info.width === width && info.height === height) && !pilFilterOf(o)) return null;
  return fitWithPil(toChannels(info.data, info.width * info.height, info.channels, want), info.width, info.height, want, o);
}

/**
 * Decodes, converts the colour mode and resizes one file. Errors are ImageDecodeErrors naming the file.
 * Like Keras's load_img the colour mode is converted at the file's own size first and the result is
 * resized after (so an rgb load of an RGBA file resizes colours without alpha weighting, and grayscale
 * resizes the L values); same-size images are not resampled at all, and `nearest` uses PIL's rule.
 */
export async function decodeImage(filepath: string, o: DecodeOptions): Promise<DecodedImage> {
  sharp ??= await loadSharp();
  checkDecodeOptions(o);
  const [height, width] = o.targetSize;
  const want = channelsOf(o.colorMode);
  try {
    const direct = await decodeDirect(filepath, o, want);
    if (direct) return direct;
    const info = await decodeNative(filepath, o.maxImagePixels, o.colorMode);
    const native = toChannels(info.data, info.width * info.height, info.channels, want);
    const fitted = fitWithPil(native, info.width, info.height, want, o);
    if (fitted) return fitted;
    const resized = await sharp(native, { raw: { width: info.width, height: info.height, channels: want as 1 | 3 | 4 } })
      .resize(width, height, {
        fit: o.resizeMode === 'crop' ? 'cover' : o.resizeMode === 'pad' ? 'contain' : 'fill',
        position: 'centre',
        kernel: KERNELS[o.interpolation as keyof typeof KERNELS],
        background: { r: 0, g: 0, b: 0, alpha: 0 },
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const out = new Uint8Array(resized.data.buffer, resized.data.byteOffset, resized.data.length);
    return { data: toChannels(out, resized.info.width * resized.info.height, resized.info.channels, want), height: resized.info.height, width: resized.info.width, channels: want };
  } catch (err) {
    throw (await explainUnreadable(filepath)) ?? classify(filepath, err, o.maxImagePixels);
  }
}

/** sharp reports a file it may not read, and an empty one, as "unsupported image format": say what it is. */
async function explainUnreadable(filepath: string): Promise<ImageDecodeError | undefined> {
  const denied = await access(filepath, constants.R_OK).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'EACCES' || e.code === 'EPERM');
  if (denied) {
    return new ImageDecodeError(filepath, 'unreadable',
      `Cannot read image "${filepath}": permission denied (the file is not corrupt). ` +
        `Give this user read permission (chmod a+r "${filepath}"), or pass onError: 'skip' to leave unreadable files out.`);
  }
  const size = await stat(filepath).then((s) => s.size, () => undefined);
  if (size === 0) {
    return new ImageDecodeError(filepath, 'unreadable',
      `Image file "${filepath}" is empty (0 bytes): an interrupted copy or download? ` +
        `Copy it again or remove it, or pass onError: 'skip' to leave unreadable files out.`);
  }
  return undefined;
}
