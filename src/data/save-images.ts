/**
 * saveToDir: writes the images of a batch as picture files, to look at what the augmentation does.
 * Shared by DirectoryIterator and ArrayIterator.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { loadSharp } from './sharp-module.js';
import { DataConfigError } from './errors.js';

export type SaveFormat = 'png' | 'jpeg' | 'jpg' | 'webp';
export const SAVE_FORMATS: readonly SaveFormat[] = ['png', 'jpeg', 'jpg', 'webp'];

export interface SaveOptions {
  dir: string;
  prefix: string;
  format: SaveFormat;
  /**
   * 'clamp': the values are 0-255 pixels, rounded and clamped. 'minmax': each image is stretched to
   * 0-255 from its own min and max (Keras's array_to_img(scale=True)), for data in any range.
   */
  scaling: 'clamp' | 'minmax';
}

export function checkSaveFormat(format: unknown): SaveFormat {
  if (!SAVE_FORMATS.includes(format as SaveFormat)) throw new DataConfigError(`"saveFormat" must be png, jpeg or webp; got ${JSON.stringify(format)}.`);
  return format as SaveFormat;
}

/**
 * Writes images j = 0..names.length-1 of `x` (HWC float, image j at j * h * w * c) as
 * `<prefix>_<names[j]>_<random>.<ext>` under `opts.dir`.
 */
export async function saveImages(x: Float32Array, h: number, w: number, c: number, names: readonly string[], opts: SaveOptions): Promise<void> {
  const size = h * w * c;
  await mkdir(opts.dir, { recursive: true });
  const sharp = await loadSharp();
  const fmt = opts.format === 'jpg' ? 'jpeg' : opts.format;
  const ext = fmt === 'jpeg' ? 'jpg' : fmt;
  await Promise.all(
    names.map((name, j) => {
      const px = Buffer.alloc(size);
      const o = j * size;
      let lo = 0;
      let mul = 1;
      if (opts.scaling === 'minmax') {
        lo = Infinity;
        let hi = -Infinity;
        for (let k = 0; k < size; k++) {
          const v = x[o + k];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        // As Keras: subtract the min, then divide by the (new) max unless it is 0.
        mul = hi - lo > 0 ? 255 / (hi - lo) : 0;
      }
      for (let k = 0; k < size; k++) px[k] = Math.max(0, Math.min(255, Math.round((x[o + k] - lo) * mul)));
      const rand = Math.floor(Math.random() * 1e7);
      const file = path.join(opts.dir, `${opts.prefix}_${name}_${rand}.${ext}`);
      return sharp(px, { raw: { width: w, height: h, channels: c as 1 | 2 | 3 | 4 } }).toFormat(fmt).toFile(file);
    }),
  );
}
