import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { decodeImage, DEFAULT_MAX_IMAGE_PIXELS, type DecodeOptions } from '../../src/data/decode.js';
import { ImageDecodeError } from '../../src/data/errors.js';
import { removeDir, tempDir, writeImage } from './helpers.js';

const opts = (o: Partial<DecodeOptions>): DecodeOptions => ({
  targetSize: [4, 4],
  colorMode: 'rgb',
  interpolation: 'nearest',
  resizeMode: 'stretch',
  maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS,
  ...o,
});

const rgbAt = (img: { data: Uint8Array; width: number; channels: number }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));

test('PNG and JPEG, RGB and grey, odd sizes decode to [h, w, c] uint8 with the right colours', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const quad = (x: number, y: number, c: number) => (x < 16 ? (y < 12 ? [250, 10, 10] : [10, 250, 10]) : y < 12 ? [10, 10, 250] : [128, 128, 128])[c];
  await writeImage(path.join(dir, 'q.png'), { width: 32, height: 24, fill: quad });
  await writeImage(path.join(dir, 'q.jpg'), { width: 32, height: 24, fill: quad });
  for (const f of ['q.png', 'q.jpg']) {
    const img = await decodeImage(path.join(dir, f), opts({ targetSize: [2, 2] }));
    assert.equal(img.height, 2);
    assert.equal(img.width, 2);
    assert.equal(img.channels, 3);
    assert.equal(img.data.length, 12);
    const tol = f.endsWith('jpg') ? 12 : 0;
    const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
    assert.ok(close(rgbAt(img, 0, 0), [250, 10, 10]), `${f} top-left ${rgbAt(img, 0, 0)}`);
    assert.ok(close(rgbAt(img, 1, 0), [10, 10, 250]), `${f} top-right ${rgbAt(img, 1, 0)}`);
    assert.ok(close(rgbAt(img, 0, 1), [10, 250, 10]), `${f} bottom-left ${rgbAt(img, 0, 1)}`);
    assert.ok(close(rgbAt(img, 1, 1), [128, 128, 128]), `${f} bottom-right ${rgbAt(img, 1, 1)}`);
  }
  // An odd size, upscaled with bilinear, keeps a flat colour flat.
  await writeImage(path.join(dir, 'odd.png'), { width: 7, height: 5, fill: 77 });
  const up = await decodeImage(path.join(dir, 'odd.png'), opts({ targetSize: [9, 13], interpolation: 'bilinear' }));
  assert.equal(up.data.length, 9 * 13 * 3);
  assert.ok(up.data.every((v) => v === 77));
});

test('colour modes: grey source to rgb, rgb to grayscale with PIL weights, rgba keeps alpha, rgb drops it', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  await writeImage(path.join(dir, 'g.png'), { width: 4, height: 4, channels: 1, fill: 90 });
  await writeImage(path.join(dir, 'c.png'), { width: 4, height: 4, fill: (_x, _y, c) => [200, 100, 50][c] });
  await writeImage(path.join(dir, 'a.png'), { width: 4, height: 4, channels: 4, fill: (_x, _y, c) => [10, 20, 30, 77][c] });
  const g = await decodeImage(path.join(dir, 'g.png'), opts({}));
  assert.deepEqual(rgbAt(g, 1, 1), [90, 90, 90]);
  const gg = await decodeImage(path.join(dir, 'g.png'), opts({ colorMode: 'grayscale' }));
  assert.equal(gg.channels, 1);
  assert.ok(gg.data.every((v) => v === 90));
  const luma = await decodeImage(path.join(dir, 'c.png'), opts({ colorMode: 'grayscale' }));
  assert.ok(luma.data.every((v) => v === 124), `PIL L of (200,100,50) is 124, got ${luma.data[0]}`);
  const rgba = await decodeImage(path.join(dir, 'a.png'), opts({ colorMode: 'rgba' }));
  assert.equal(rgba.channels, 4);
  assert.deepEqual(rgbAt(rgba, 2, 2), [10, 20, 30, 77]);
  const rgb = await decodeImage(path.join(dir, 'a.png'), opts({}));
  assert.deepEqual(rgbAt(rgb, 2, 2), [10, 20, 30]);
  const opaque = await decodeImage(path.join(dir, 'c.png'), opts({ colorMode: 'rgba' }));
  assert.deepEqual(rgbAt(opaque, 0, 0), [200, 100, 50, 255]);
});

test('keepAspectRatio crops the centre; pad letterboxes with black; stretch squeezes', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  // 12 wide x 4 high: left third 0, middle third 100, right third 200.
  await writeImage(path.join(dir, 'wide.png'), { width: 12, height: 4, fill: (x) => (x < 4 ? 0 : x < 8 ? 100 : 200) });
  const crop = await decodeImage(path.join(dir, 'wide.png'), opts({ resizeMode: 'crop' }));
  assert.ok(crop.data.every((v) => v === 100), `crop keeps only the middle: ${Array.from(crop.data)}`);
  const stretch = await decodeImage(path.join(dir, 'wide.png'), opts({}));
  assert.equal(rgbAt(stretch, 0, 0)[0], 0);
  assert.equal(rgbAt(stretch, 3, 0)[0], 200);
  const pad = await decodeImage(path.join(dir, 'wide.png'), opts({ targetSize: [12, 12], resizeMode: 'pad' }));
  assert.deepEqual(rgbAt(pad, 6, 0), [0, 0, 0], 'top rows are padding');
  assert.deepEqual(rgbAt(pad, 6, 11), [0, 0, 0], 'bottom rows are padding');
  assert.deepEqual(rgbAt(pad, 6, 6), [100, 100, 100]);
  assert.deepEqual(rgbAt(pad, 11, 6), [200, 200, 200]);
});

test('BMP, GIF, WebP and TIFF decode too', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const fill = (x: number, y: number, c: number) => (x + 3 * y + 40 * c) % 256;
  for (const ext of ['bmp', 'webp', 'tif']) {
    await writeImage(path.join(dir, `i.${ext}`), { width: 5, height: 3, fill });
    const img = await decodeImage(path.join(dir, `i.${ext}`), opts({ targetSize: [3, 5] }));
    for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) assert.deepEqual(rgbAt(img, x, y), [0, 1, 2].map((c) => fill(x, y, c)), `${ext} at ${x},${y}`);
  }
  await writeImage(path.join(dir, 'i.gif'), { width: 5, height: 3, fill: 200 });
  const gif = await decodeImage(path.join(dir, 'i.gif'), opts({ targetSize: [3, 5] }));
  assert.ok(gif.data.every((v) => Math.abs(v - 200) <= 8));
});

const pngChunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
};
const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

test('16-bit PNGs are scaled down to 8 bits', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(4, 0);
  ihdr.writeUInt32BE(4, 4);
  ihdr[8] = 16; // bits per sample
  ihdr[9] = 2; // RGB
  const row = Buffer.alloc(1 + 4 * 6);
  for (let i = 0; i < 12; i++) row.writeUInt16BE(40000, 1 + i * 2);
  const file = path.join(dir, 'deep.png');
  await writeFile(file, Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.concat([row, row, row, row]))), pngChunk('IEND', Buffer.alloc(0))]));
  const img = await decodeImage(file, opts({ targetSize: [2, 2] }));
  assert.ok(img.data.every((v) => v === Math.round(40000 / 257)), `${Array.from(img.data)}`);
});

/** A valid PNG header claiming `w` x `h` pixels, with a tiny IDAT: a decompression bomb's signature. */
function bombPng(w: number, h: number): Buffer {
  const chunk = pngChunk;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

test('corrupt, truncated and non-image files, bombs and missing files give ImageDecodeErrors naming the file', async (t) => {
  const dir = await tempDir();
  t.after(() => removeDir(dir));
  await writeImage(path.join(dir, 'good.jpg'), { width: 64, height: 64, fill: (x, y) => (x * y) % 256 });
  const good = await readFile(path.join(dir, 'good.jpg'));
  const cases: Record<string, Buffer> = {
    'truncated.jpg': good.subarray(0, Math.floor(good.length / 2)),
    'garbage.png': Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 256)),
    'text.jpg': Buffer.from('this is not a jpeg\n'),
    'empty.png': Buffer.alloc(0),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    await assert.rejects(decodeImage(file, opts({})), (e: Error) => {
      assert.ok(e instanceof ImageDecodeError, `${name}: ${e}`);
      assert.equal(e.kind, 'unreadable');
      assert.equal(e.path, file);
      assert.ok(e.message.includes(file) && /onError: 'skip'/.test(e.message), e.message);
      return true;
    });
  }
  const bomb = path.join(dir, 'bomb.png');
  await writeFile(bomb, bombPng(100_000, 100_000));
  await assert.rejects(decodeImage(bomb, opts({})), (e: Error) => e instanceof ImageDecodeError && e.kind === 'too-large' && e.message.includes(bomb) && /maxImagePixels/.test(e.message));
  await assert.rejects(decodeImage(path.join(dir, 'good.jpg'), opts({ maxImagePixels: 1000 })), (e: Error) => e instanceof ImageDecodeError && e.kind === 'too-large');
  const gone = path.join(dir, 'gone.png');
  await assert.rejects(decodeImage(gone, opts({})), (e: Error) => e instanceof ImageDecodeError && e.kind === 'missing' && e.message.includes(gone));
});
