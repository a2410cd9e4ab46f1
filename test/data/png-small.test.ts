import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decodeSmallPng } from '../../src/data/png-small.js';
import { pixels } from './helpers.js';

const png = (w: number, h: number, c: 1 | 2 | 3 | 4, opts: import('sharp').PngOptions = {}) =>
  sharp(pixels(w, h, c, (x, y, k) => (x * 37 + y * 101 + k * 59 + ((x * y) % 7) * 13) % 256), { raw: { width: w, height: h, channels: c } }).png(opts).toBuffer();

test('the light PNG decoder gives the same pixels as sharp for grey, grey+alpha, RGB and RGBA (all row filters)', async () => {
  for (const c of [1, 2, 3, 4] as const) {
    for (const opts of [{ adaptiveFiltering: true }, { adaptiveFiltering: false }, { compressionLevel: 0 }]) {
      const file = await png(29, 17, c, opts);
      const light = decodeSmallPng(file, 1e9);
      assert.ok(light, `decoded ${c} channels`);
      const ref = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      assert.equal(light.channels, ref.info.channels);
      assert.deepEqual(Buffer.from(light.data), ref.data, `${c} channels ${JSON.stringify(opts)}`);
    }
  }
});

test('the light PNG decoder leaves palette, 16-bit, interlaced, oversized and truncated files to sharp (null)', async () => {
  assert.equal(decodeSmallPng(await png(8, 8, 3, { palette: true }), 1e9), null);
  assert.equal(decodeSmallPng(await sharp(pixels(8, 8, 3, () => 9), { raw: { width: 8, height: 8, channels: 3 } }).png({ progressive: true }).toBuffer(), 1e9), null);
  assert.equal(decodeSmallPng(await sharp(pixels(8, 8, 1, () => 9), { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('grey16').png().toBuffer(), 1e9), null);
  const ok = await png(8, 8, 1);
  assert.equal(decodeSmallPng(ok, 63), null, 'more pixels than maxImagePixels');
  assert.equal(decodeSmallPng(ok.subarray(0, ok.length - 20), 1e9), null, 'truncated');
  assert.equal(decodeSmallPng(Buffer.from('not a png at all, not at all.....'), 1e9), null);
});
