import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { decodeImage, DEFAULT_MAX_IMAGE_PIXELS, type DecodeOptions, type Interpolation } from '../../src/data/decode.js';
import { pilResize } from '../../src/data/pil-resample.js';
import { removeDir, tempDir, writeImage } from './helpers.js';

const opts = (o: Partial<DecodeOptions>): DecodeOptions => ({
  targetSize: [4, 4],
  colorMode: 'grayscale',
  interpolation: 'nearest',
  resizeMode: 'stretch',
  maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS,
  ...o,
});

// Source columns PIL's NEAREST picks (ImagingScaleAffine: position starts at scale/2 and grows by
// scale = in/out in doubles, truncated), written out by hand for 20 columns to 26, 30 and 4. At exact
// ties (20 -> 30, columns 4, 16, 19, 22, 25) the accumulated double lands just below the integer, so
// PIL takes the left pixel.
const PIL_COLUMNS: Record<number, number[]> = {
  26: [0, 1, 1, 2, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 11, 11, 12, 13, 14, 15, 15, 16, 17, 18, 18, 19],
  30: [0, 1, 1, 2, 2, 3, 4, 5, 5, 6, 7, 7, 8, 9, 9, 10, 10, 11, 12, 12, 13, 14, 14, 15, 16, 16, 17, 18, 19, 19],
  4: [2, 7, 12, 17],
};

test("interpolation 'nearest' picks PIL's source pixels (pixel centres) when up- and downscaling", async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const file = path.join(dir, 'cols.png');
  // Each column its own grey level (col * 12 + 3) and each row its own offset, so a wrong pick shows.
  await writeImage(file, { width: 20, height: 20, channels: 1, fill: (x) => x * 12 + 3 });
  for (const [w, cols] of Object.entries(PIL_COLUMNS)) {
    const img = await decodeImage(file, opts({ targetSize: [2, Number(w)] }));
    assert.deepEqual(Array.from(img.data.subarray(0, Number(w))), cols.map((c) => c * 12 + 3), `20 -> ${w} columns`);
  }
  // Rows follow the same rule: 20 rows to 30.
  await writeImage(path.join(dir, 'rows.png'), { width: 3, height: 20, channels: 1, fill: (_x, y) => y * 12 + 3 });
  const rows = await decodeImage(path.join(dir, 'rows.png'), opts({ targetSize: [30, 1] }));
  assert.deepEqual(Array.from(rows.data), PIL_COLUMNS[30].map((c) => c * 12 + 3));
});

test("colorMode 'rgb' of an RGBA file drops alpha first, then resizes (PIL convert('RGB') then resize)", async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const file = path.join(dir, 'edge.png');
  // Left half opaque 200, right half fully transparent colour 0: without alpha weighting the 2 -> 1
  // bilinear (box-like) average of the two columns is 100; weighting by alpha would give 200.
  await writeImage(file, { width: 2, height: 2, channels: 4, fill: (x, _y, c) => (c === 3 ? (x === 0 ? 255 : 0) : x === 0 ? 200 : 0) });
  const img = await decodeImage(file, opts({ colorMode: 'rgb', targetSize: [1, 1], interpolation: 'bilinear' }));
  assert.deepEqual(Array.from(img.data), [100, 100, 100]);
});

test('same-size images are not resampled (PIL skips resize when the size already matches)', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const file = path.join(dir, 'same.png');
  await writeImage(file, { width: 5, height: 3, channels: 1, fill: (x, y) => (x * 37 + y * 91) % 256 });
  for (const interpolation of ['bilinear', 'bicubic', 'lanczos'] as Interpolation[]) {
    const img = await decodeImage(file, opts({ targetSize: [3, 5], interpolation }));
    assert.deepEqual(Array.from(img.data), Array.from({ length: 15 }, (_, i) => ((i % 5) * 37 + Math.floor(i / 5) * 91) % 256));
  }
});

test("PIL's convolution model: window at pixel centres, weights summing to 1, 22-bit fixed point rounding half up", () => {
  // Bilinear 2 -> 4 of [0, 100]: centres 0.25, 0.75, 1.25, 1.75 in source pixels; the window keeps only
  // pixels whose rounded bounds fall inside, so the ends copy the edge pixels.
  assert.deepEqual(Array.from(pilResize(Uint8Array.from([0, 100]), 2, 1, 1, 4, 1, 'bilinear')), [0, 25, 75, 100]);
  // Box 4 -> 2 averages pairs; (10 + 21) / 2 = 15.5 rounds up to 16.
  assert.deepEqual(Array.from(pilResize(Uint8Array.from([10, 21, 30, 50]), 4, 1, 1, 2, 1, 'box')), [16, 40]);
  // Rows go through the same rule (vertical pass after the horizontal one).
  assert.deepEqual(Array.from(pilResize(Uint8Array.from([10, 21, 30, 50]), 1, 4, 1, 1, 2, 'box')), [16, 40]);
});

test("interpolation 'box' and 'hamming' decode through the PIL model; crop/pad with them is refused", async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const file = path.join(dir, 'row.png');
  await writeImage(file, { width: 4, height: 1, channels: 1, fill: (x) => [10, 21, 30, 50][x] });
  assert.deepEqual(Array.from((await decodeImage(file, opts({ targetSize: [1, 2], interpolation: 'box' }))).data), [16, 40]);
  const src = Uint8Array.from([10, 21, 30, 50]);
  assert.deepEqual(Array.from((await decodeImage(file, opts({ targetSize: [1, 3], interpolation: 'hamming' }))).data), Array.from(pilResize(src, 4, 1, 1, 3, 1, 'hamming')));
  await assert.rejects(decodeImage(file, opts({ targetSize: [2, 2], interpolation: 'box', resizeMode: 'crop' })), /'box' works with stretching only/);
});

// Against PIL itself where Python and Pillow are installed (not on every machine).
const hasPil = spawnSync('python3', ['-c', 'import PIL'], { stdio: 'ignore' }).status === 0;
test('nearest matches Python PIL byte for byte on a real file', { skip: hasPil ? false : 'Python PIL is not installed: install Pillow to compare with PIL itself' }, async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const file = path.join(dir, 'noise.png');
  await writeImage(file, { width: 20, height: 17, fill: (x, y, c) => (x * 53 + y * 29 + c * 71) % 256 });
  for (const [h, w] of [[26, 26], [30, 30], [4, 4], [17, 41], [5, 9]]) {
    const py = spawnSync('python3', ['-c', `import sys; from PIL import Image; sys.stdout.buffer.write(Image.open(sys.argv[1]).convert('RGB').resize((${w}, ${h}), Image.NEAREST).tobytes())`, file]);
    assert.equal(py.status, 0, py.stderr.toString());
    const ours = await decodeImage(file, opts({ colorMode: 'rgb', targetSize: [h, w] }));
    assert.deepEqual(Buffer.from(ours.data), py.stdout, `${h}x${w}`);
  }
});

test('the convolution model matches Python PIL byte for byte (box, bilinear, hamming, bicubic, lanczos)', { skip: hasPil ? false : 'Python PIL is not installed: install Pillow to compare with PIL itself' }, () => {
  const w = 23;
  const h = 17;
  const src = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + ((i / 3) | 0) * 11) % 256);
  for (const filter of ['box', 'bilinear', 'hamming', 'bicubic', 'lanczos'] as const) {
    for (const [oh, ow] of [[40, 50], [9, 7], [17, 11]]) {
      const code = `import sys; from PIL import Image; d = sys.stdin.buffer.read(); im = Image.frombytes('RGB', (${w}, ${h}), d); sys.stdout.buffer.write(im.resize((${ow}, ${oh}), Image.${filter.toUpperCase()}).tobytes())`;
      const py = spawnSync('python3', ['-c', code], { input: Buffer.from(src) });
      assert.equal(py.status, 0, py.stderr.toString());
      assert.deepEqual(Buffer.from(pilResize(src, w, h, 3, ow, oh, filter)), py.stdout, `${filter} ${oh}x${ow}`);
    }
  }
});
