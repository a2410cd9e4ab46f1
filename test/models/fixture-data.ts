/** Decodes a fixtures/ image folder into tensors with sharp (the data pipeline lives in another area). */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

export const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

export interface Decoded { xs: tf.Tensor4D; ys: tf.Tensor1D; labels: number[]; files: string[] }

/** Every PNG of `<root>/<subset>/<class>/`, resized to size x size, rescaled to [0, 1]; labels are class indices. */
export async function decodeFolder(root: string, subset: string, classNames: readonly string[], size: number): Promise<Decoded> {
  const files: string[] = [];
  const labels: number[] = [];
  for (const [c, name] of classNames.entries()) {
    const dir = join(root, subset, name);
    for (const f of (await readdir(dir)).filter((f) => f.endsWith('.png')).sort()) {
      files.push(join(dir, f));
      labels.push(c);
    }
  }
  const pixels = await Promise.all(files.map((f) => sharp(f).resize(size, size).removeAlpha().raw().toBuffer()));
  const per = size * size * 3;
  const x = new Float32Array(files.length * per);
  pixels.forEach((p, i) => {
    if (p.length !== per) throw new Error(`${files[i]} decoded to ${p.length} bytes, expected ${per}`);
    for (let j = 0; j < per; j++) x[i * per + j] = p[j] / 255;
  });
  return { xs: tf.tensor4d(x, [files.length, size, size, 3]), ys: tf.tensor1d(labels, 'float32'), labels, files };
}
