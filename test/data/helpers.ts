/** Test fixtures: real image files written by sharp into a fresh temp folder. */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';

export async function tempDir(prefix = 'tfjs-tuner-data-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export type PixelFn = (x: number, y: number, c: number) => number;

/** Raw HWC uint8 pixels from a function of (x, y, channel). */
export function pixels(width: number, height: number, channels: number, fn: PixelFn): Buffer {
  const buf = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) buf[(y * width + x) * channels + c] = fn(x, y, c);
  return buf;
}

export interface ImageSpec {
  width: number;
  height: number;
  channels?: 1 | 2 | 3 | 4;
  /** Pixel value function, or one value for every pixel and channel. */
  fill: PixelFn | number;
}

/** Writes an image file; the format comes from the extension (.png, .jpg, .webp, .gif, .tif, .bmp). */
export async function writeImage(file: string, spec: ImageSpec): Promise<void> {
  const channels = spec.channels ?? 3;
  const fill = spec.fill;
  const data = pixels(spec.width, spec.height, channels, typeof fill === 'number' ? () => fill : fill);
  await mkdir(path.dirname(file), { recursive: true });
  const ext = path.extname(file).slice(1).toLowerCase();
  if (ext === 'bmp') {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, encodeBmp24(data, spec.width, spec.height, channels));
    return;
  }
  const img = sharp(data, { raw: { width: spec.width, height: spec.height, channels } });
  const fmt = ext === 'jpg' || ext === 'jpeg' ? img.jpeg({ quality: 95 }) : ext === 'tif' || ext === 'tiff' ? img.tiff({ compression: 'lzw' }) : ext === 'webp' ? img.webp({ lossless: true }) : ext === 'gif' ? img.gif() : img.png();
  await fmt.toFile(file);
}

/** A 24-bit bottom-up BMP (what most tools write). */
export function encodeBmp24(data: Buffer, width: number, height: number, channels: number): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + rowBytes * height);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * channels;
      const r = data[s];
      const g = channels >= 3 ? data[s + 1] : r;
      const b = channels >= 3 ? data[s + 2] : r;
      buf[row + x * 3] = b;
      buf[row + x * 3 + 1] = g;
      buf[row + x * 3 + 2] = r;
    }
  }
  return buf;
}

/** The grey level used for class k's images, so a test can tell from the pixels which class an image is. */
export const classLevel = (k: number): number => 30 + 60 * k;

/**
 * A class-per-subfolder folder: `counts[name]` images per class, each a flat image of the class's level
 * (classLevel(index in sorted order)), with small per-image noise-free variation in size.
 */
export async function makeClassFolder(
  root: string,
  counts: Record<string, number>,
  opts: { width?: number; height?: number; ext?: string; channels?: 1 | 3 | 4 } = {},
): Promise<string> {
  const names = Object.keys(counts).sort();
  await Promise.all(
    names.flatMap((name, k) =>
      Array.from({ length: counts[name] }, (_, i) =>
        writeImage(path.join(root, name, `img${String(i).padStart(3, '0')}.${opts.ext ?? 'png'}`), {
          width: opts.width ?? 10 + (i % 3),
          height: opts.height ?? 8 + (i % 2),
          channels: opts.channels ?? 3,
          fill: classLevel(k),
        }),
      ),
    ),
  );
  return root;
}

/** Captures console.log/warn output while fn runs. */
export async function captureConsole<T>(fn: () => T | Promise<T>): Promise<{ result: T; logs: string[]; warnings: string[] }> {
  const logs: string[] = [];
  const warnings: string[] = [];
  const log = console.log;
  const warn = console.warn;
  console.log = (...a: unknown[]) => void logs.push(a.join(' '));
  console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
  try {
    const result = await fn();
    return { result, logs, warnings };
  } finally {
    console.log = log;
    console.warn = warn;
  }
}
