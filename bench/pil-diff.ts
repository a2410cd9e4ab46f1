/**
 * How far each interpolation is from PIL's resize: max and mean absolute difference per channel value
 * between decodeImage and test/data/pil-model.ts (a literal, unoptimised transcription of Pillow's
 * Image.resize / Resample.c; nearest against pil-nearest's rule). The PIL names should show 0; the
 * libvips names (linear, cubic, lanczos3) show the gap of the fast path. Test image: a photo-like mix of
 * smooth gradients and hard edges, RGB and RGBA (with a soft alpha edge), stretched and centre-cropped
 * (Keras's keep_aspect_ratio box). Run: npx tsx bench/pil-diff.ts
 */
import sharp from 'sharp';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { decodeImage, DEFAULT_MAX_IMAGE_PIXELS, type ColorMode, type Interpolation, type ResizeMode } from '../src/data/decode.js';
import { kerasCropBox, type PilFilter } from '../src/data/pil-resample.js';
import { resizeNearestPil } from '../src/data/pil-nearest.js';
import { pilModelResize } from '../test/data/pil-model.js';

const W = 64;
const H = 48;
const src = new Uint8Array(W * H * 4);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
  for (let c = 0; c < 3; c++) {
    const smooth = 128 + 100 * Math.sin((x * (c + 1)) / 9) * Math.cos(y / 7);
    const edge = (x >> 3) % 2 === (y >> 3) % 2 ? 60 : -60;
    src[(y * W + x) * 4 + c] = Math.max(0, Math.min(255, Math.round(smooth + (x > 40 ? edge : 0))));
  }
  src[(y * W + x) * 4 + 3] = Math.max(0, Math.min(255, Math.round(255 - Math.abs(x - 32) * 12 + y)));
}
const rgb = src.filter((_, i) => i % 4 !== 3);
const dir = await mkdtemp(path.join(os.tmpdir(), 'pil-diff-'));
const file = path.join(dir, 'img.png');
await sharp(Buffer.from(src), { raw: { width: W, height: H, channels: 4 } }).png().toFile(file);

const methods: Array<[Interpolation, PilFilter | 'nearest']> = [
  ['nearest', 'nearest'], ['bilinear', 'bilinear'], ['bicubic', 'bicubic'], ['lanczos', 'lanczos'], ['box', 'box'], ['hamming', 'hamming'],
  ['linear', 'bilinear'], ['cubic', 'bicubic'], ['lanczos3', 'lanczos'],
];
const sizes: Array<[number, number]> = [[96, 128], [60, 80], [24, 32], [7, 9], [48, 20], [30, 30]];
const rows: Array<{ maxDiff: number }> = [];
for (const [ours, pil] of methods) {
  for (const [colorMode, resizeMode] of [['rgb', 'stretch'], ['rgb', 'crop'], ['rgba', 'stretch']] as Array<[ColorMode, ResizeMode]>) {
    for (const [h, w] of sizes) {
      const c = colorMode === 'rgba' ? 4 : 3;
      const img = await decodeImage(file, { targetSize: [h, w], colorMode, interpolation: ours, resizeMode, maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS });
      const px = c === 4 ? src : rgb;
      const box = resizeMode === 'crop' ? kerasCropBox(W, H, w, h) : undefined;
      const ref = pil === 'nearest' ? resizeNearestPil(px, W, H, c, w, h, box) : pilModelResize(px, W, H, c, w, h, pil, box);
      let max = 0;
      let sum = 0;
      for (let i = 0; i < ref.length; i++) {
        const d = Math.abs(img.data[i] - ref[i]);
        if (d > max) max = d;
        sum += d;
      }
      const row = { method: ours, colorMode, resizeMode, from: `${H}x${W}`, to: `${h}x${w}`, maxDiff: max, meanDiff: Number((sum / ref.length).toFixed(3)) };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}
await rm(dir, { recursive: true, force: true });
const pilNames = new Set(['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming']);
const pilRows = rows.filter((r) => pilNames.has((r as unknown as { method: string }).method));
console.log(JSON.stringify({ bench: 'pil-diff', rows: rows.length, pilNameRows: pilRows.length, pilNameMaxDiff: Math.max(...pilRows.map((r) => r.maxDiff)) }));
