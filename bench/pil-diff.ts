/**
 * How far our resize (libvips kernels via decodeImage) is from PIL's for each interpolation and scale:
 * max and mean absolute difference per channel value, against src/data/pil-resample.ts (a model of
 * Pillow's Resample.c; nearest against pil-nearest's rule). Test image: a photo-like mix of smooth
 * gradients and hard edges. Run: npx tsx bench/pil-diff.ts
 */
import sharp from 'sharp';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { decodeImage, DEFAULT_MAX_IMAGE_PIXELS, type Interpolation } from '../src/data/decode.js';
import { pilResize, type PilFilter } from '../src/data/pil-resample.js';
import { resizeNearestPil } from '../src/data/pil-nearest.js';

const W = 64;
const H = 48;
const src = new Uint8Array(W * H * 3);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
  const smooth = 128 + 100 * Math.sin((x * (c + 1)) / 9) * Math.cos(y / 7);
  const edge = (x >> 3) % 2 === (y >> 3) % 2 ? 60 : -60;
  src[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(smooth + (x > 40 ? edge : 0))));
}
const dir = await mkdtemp(path.join(os.tmpdir(), 'pil-diff-'));
const file = path.join(dir, 'img.png');
await sharp(Buffer.from(src), { raw: { width: W, height: H, channels: 3 } }).png().toFile(file);

const methods: Array<[Interpolation, PilFilter | 'nearest']> = [['nearest', 'nearest'], ['bilinear', 'bilinear'], ['bicubic', 'bicubic'], ['lanczos', 'lanczos'], ['box', 'box'], ['hamming', 'hamming']];
const sizes: Array<[number, number]> = [[96, 128], [60, 80], [24, 32], [7, 9], [48, 20]];
const rows: unknown[] = [];
for (const [ours, pil] of methods) {
  for (const [h, w] of sizes) {
    const img = await decodeImage(file, { targetSize: [h, w], colorMode: 'rgb', interpolation: ours, resizeMode: 'stretch', maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS });
    const ref = pil === 'nearest' ? resizeNearestPil(src, W, H, 3, w, h) : pilResize(src, W, H, 3, w, h, pil);
    let max = 0;
    let sum = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(img.data[i] - ref[i]);
      if (d > max) max = d;
      sum += d;
    }
    const row = { method: ours, from: `${H}x${W}`, to: `${h}x${w}`, maxDiff: max, meanDiff: Number((sum / ref.length).toFixed(3)) };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
await rm(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'pil-diff', rows: rows.length }));
