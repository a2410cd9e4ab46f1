import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { decodeImage, DEFAULT_MAX_IMAGE_PIXELS, type DecodeOptions, type Interpolation } from '../../src/data/decode.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { defaultResampleImpl, kerasCropBox, pilResize, PIL_FILTERS } from '../../src/data/pil-resample.js';
import { pilModelResize } from './pil-model.js';
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

test('bilinear and bicubic 1-D vectors derived by hand from Resample.c', () => {
  // Bilinear 4 -> 3 of [0, 30, 60, 90]: scale = filterscale = support = 4/3; out x has centre
  // (x + 0.5) * 4/3 and reads source i from trunc(centre - support + 0.5) to trunc(centre + support + 0.5)
  // (clipped), weight f((i - centre + 0.5) / filterscale), f(t) = 1 - |t|, normalised.
  //   x=0: centre 2/3, i in {0, 1}: f(-0.125) = 0.875, f(0.625) = 0.375 -> 0.7, 0.3 -> 0*0.7 + 30*0.3 = 9
  //   x=1: centre 2,   i in {1, 2}: 0.625, 0.625 -> 0.5, 0.5 -> 45 (45 + 0.5 rounding, then >> 22: 45)
  //   x=2: centre 10/3, i in {2, 3}: 0.375, 0.875 -> 0.3, 0.7 -> 18 + 63 = 81
  assert.deepEqual(Array.from(pilResize(Uint8Array.from([0, 30, 60, 90]), 4, 1, 1, 3, 1, 'bilinear')), [9, 45, 81]);
  // Bilinear 3 -> 5 of [0, 100, 200]: scale 0.6, filterscale 1, support 1; centres 0.3, 0.9, 1.5, 2.1, 2.7.
  //   x=0: i in {0}: the one weight normalises to 1 -> 0       x=1: i in {0, 1}: 0.6, 0.4 -> 40
  //   x=2: i in {1, 2}: f(0) = 1, f(1) = 0 -> 100              x=3: i in {1, 2}: 0.4, 0.6 -> 160
  //   x=4: i in {2} -> 200. (At 40 and 160 the fixed-point sum is v + 0.5 up to 1e-5, which >> 22 floors to v.)
  assert.deepEqual(Array.from(pilResize(Uint8Array.from([0, 100, 200]), 3, 1, 1, 5, 1, 'bilinear')), [0, 40, 100, 160, 200]);
  // Bicubic (a = -0.5; f(t) = 1.5|t|^3 - 2.5|t|^2 + 1 below 1, -0.5(|t|^3 - 5|t|^2 + 8|t| - 4) below 2),
  // 3 -> 5 of [0, 100, 200], support 2:
  //   x=0: i in {0, 1}: f(0.2) = 0.912, f(1.2) = -0.064, sum 0.848 -> -6.4 / 0.848 = -7.5 -> clipped to 0
  //   x=1: i in {0, 1, 2}: f(0.4) = 0.696, f(0.6) = 0.424, f(1.6) = -0.048, sum 1.072
  //        -> (42.4 - 9.6) / 1.072 = 30.597 -> floor(30.597 + 0.5) = 31
  //   x=2: i in {0, 1, 2}: f(1) = 0, f(0) = 1, f(1) = 0 -> 100
  //   x=3: mirror of x=1: (42.4 + 139.2) / 1.072 = 169.403 -> 169
  //   x=4: i in {1, 2}: f(1.2), f(0.2) -> (-6.4 + 182.4) / 0.848 = 207.547 -> 208
  assert.deepEqual(Array.from(pilResize(Uint8Array.from([0, 100, 200]), 3, 1, 1, 5, 1, 'bicubic')), [0, 31, 100, 169, 208]);
});

test('RGBA resizes through premultiplied alpha, as Image.resize does (RGBA -> RGBa -> RGBA)', () => {
  // [200, 100, 0, 255] and [100, 50, 255, 51]; MULDIV255 premultiplies the second to [20, 10, 51, 51].
  // Bilinear 2 -> 1 averages: [110, 55, 25.5, 153] -> rounded [110, 55, 26, 153]; back to straight
  // alpha, trunc(255 * v / 153): [183, 91, 43]. Straight averaging would give [150, 75, 128, 153].
  const src = Uint8Array.from([200, 100, 0, 255, 100, 50, 255, 51]);
  assert.deepEqual(Array.from(pilResize(src, 2, 1, 4, 1, 1, 'bilinear')), [183, 91, 43, 153]);
});

test("keepAspectRatio is Keras's load_img crop box passed to PIL's resize (the window may read past the box)", async (t) => {
  // 9x3 to 2x2: crop_height = min(3, 9*2 // 2) = 3, crop_width = min(9, 3*2 // 2) = 3, box [3, 0, 6, 3].
  assert.deepEqual(kerasCropBox(9, 3, 2, 2), [3, 0, 6, 3]);
  assert.deepEqual(kerasCropBox(5, 8, 4, 2), [0, 3, 5, 5]);
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const file = path.join(dir, 'wide.png');
  await writeImage(file, { width: 9, height: 3, channels: 1, fill: (x) => x * 10 });
  // Bilinear, box 3..6 to 2 columns: scale 1.5 = support; centres 3.75 and 5.25.
  //   x=0: i in {2, 3, 4} (2 lies outside the box): f(-5/6), f(-1/6), f(1/2) = 1/6, 5/6, 1/2, sum 1.5
  //        -> (20 + 150 + 60) / 9 = 32.2 -> 32        x=1: i in {4, 5, 6}: (120 + 250 + 60) / 9 = 47.8 -> 48
  // The rows (constant columns) keep their value through the 3 -> 2 vertical pass.
  const bilinear = await decodeImage(file, opts({ targetSize: [2, 2], interpolation: 'bilinear', resizeMode: 'crop' }));
  assert.deepEqual(Array.from(bilinear.data), [32, 48, 32, 48]);
  // Nearest (PIL's affine with the box offset): positions 3 + 0.75 and 3 + 2.25 -> columns 3 and 5.
  const nearest = await decodeImage(file, opts({ targetSize: [2, 2], interpolation: 'nearest', resizeMode: 'crop' }));
  assert.deepEqual(Array.from(nearest.data), [30, 50, 30, 50]);
});

test('the fast resize, in wasm SIMD and in JS, equals the literal transcription of Resample.c for every filter, channel count and box', () => {
  assert.equal(defaultResampleImpl(), 'wasm', 'Node 20+ validates wasm SIMD, so the SIMD passes are the ones in use');
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
  for (const filter of PIL_FILTERS) {
    for (let n = 0; n < 60; n++) {
      const c = [1, 3, 4][n % 3];
      const w = 1 + Math.floor(rnd() * 25);
      const h = 1 + Math.floor(rnd() * 25);
      const ow = 1 + Math.floor(rnd() * 40);
      const oh = 1 + Math.floor(rnd() * 40);
      // Hard 0/255 edges as well as noise, so clipping and negative lobes are exercised.
      const src = Uint8Array.from({ length: w * h * c }, () => (rnd() < 0.3 ? (rnd() < 0.5 ? 0 : 255) : Math.floor(rnd() * 256)));
      const box = n % 2 ? kerasCropBox(w, h, ow, oh) : undefined;
      const want = Array.from(pilModelResize(src, w, h, c, ow, oh, filter, box));
      for (const impl of ['wasm', 'js'] as const) {
        assert.deepEqual(Array.from(pilResize(src, w, h, c, ow, oh, filter, box, impl)), want, `${impl} ${filter} ${w}x${h}x${c} -> ${ow}x${oh} box ${box}`);
      }
    }
  }
});

test('the committed resize SIMD binary is a fresh build of wasm/pil-resample.ts', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['scripts/build-data-wasm.mjs', '--check']);
  assert.match(stdout, /matches/);
});

test('every PIL interpolation decodes through the PIL resize; the libvips names and padding stay on sharp', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const file = path.join(dir, 'noise.png');
  const w = 13;
  const h = 11;
  await writeImage(file, { width: w, height: h, fill: (x, y, c) => (x * 53 + y * 29 + c * 71) % 256 });
  const src = Uint8Array.from({ length: w * h * 3 }, (_, i) => ((i / 3 % w | 0) * 53 + ((i / 3 / w) | 0) * 29 + (i % 3) * 71) % 256);
  for (const filter of PIL_FILTERS) {
    for (const [oh, ow] of [[20, 27], [5, 4]]) {
      const img = await decodeImage(file, opts({ colorMode: 'rgb', targetSize: [oh, ow], interpolation: filter }));
      assert.deepEqual(Array.from(img.data), Array.from(pilModelResize(src, w, h, 3, ow, oh, filter)), `${filter} ${oh}x${ow}`);
    }
  }
  // 'linear' is libvips's kernel (JPEG shrink-on-load, not PIL's pixels): at a 2x enlargement of noise it differs.
  const linear = await decodeImage(file, opts({ colorMode: 'rgb', targetSize: [22, 26], interpolation: 'linear' }));
  assert.notDeepEqual(Array.from(linear.data), Array.from(pilModelResize(src, w, h, 3, 26, 22, 'bilinear')));
  await assert.rejects(decodeImage(file, opts({ targetSize: [2, 2], interpolation: 'box', resizeMode: 'pad' })), /'box' cannot pad/);
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
    // RGBA (premultiplied inside Image.resize) with Keras's keep_aspect_ratio crop box.
    const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 53 + ((i / 4) | 0) * 7) % 256);
    const box = kerasCropBox(w, h, 8, 12);
    const code = `import sys; from PIL import Image; d = sys.stdin.buffer.read(); im = Image.frombytes('RGBA', (${w}, ${h}), d); sys.stdout.buffer.write(im.resize((8, 12), Image.${filter.toUpperCase()}, box=(${box.join(', ')})).tobytes())`;
    const py = spawnSync('python3', ['-c', code], { input: Buffer.from(rgba) });
    assert.equal(py.status, 0, py.stderr.toString());
    assert.deepEqual(Buffer.from(pilResize(rgba, w, h, 4, 8, 12, filter, box)), py.stdout, `${filter} RGBA box ${box}`);
  }
});
