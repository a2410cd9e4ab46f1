/**
 * Every `--augment` key the README lists reaches ImageDataGenerator's options and changes the pixels of
 * an image (the cheap level: no search), and nothing else does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { parseAugment } from '../../src/cli/parse.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';

// The README's example list: flip,rotate=15,zoom=0.1,shift=0.1,shear=10,brightness=0.2,vflip,channel-shift=20
const EXPECTED: Record<string, object> = {
  flip: { horizontalFlip: true },
  vflip: { verticalFlip: true },
  'rotate=15': { rotationRange: 15 },
  'zoom=0.1': { zoomRange: 0.1 },
  'shift=0.1': { widthShiftRange: 0.1, heightShiftRange: 0.1 },
  'shear=10': { shearRange: 10 },
  'brightness=0.2': { brightnessRange: [0.8, 1.2] },
  'channel-shift=20': { channelShiftRange: 20 },
};

test('each --augment key sets its ImageDataGenerator option, and the README list sets them all', () => {
  for (const [key, options] of Object.entries(EXPECTED)) assert.deepEqual(parseAugment(key), options, key);
  assert.deepEqual(parseAugment(Object.keys(EXPECTED).join(',')), Object.assign({}, ...Object.values(EXPECTED)));
});

test('each --augment key changes the pixels of an image; no augmentation leaves them as they are', () => {
  // An asymmetric 12x10 RGB gradient in 0..255, so every flip, shift and rotation moves some pixel.
  const h = 12;
  const w = 10;
  const pixels = Float32Array.from({ length: h * w * 3 }, (_, i) => (i * 37 + Math.floor(i / 3) * 11) % 256);
  const image = tf.tensor3d(pixels, [h, w, 3]);
  try {
    const same = new ImageDataGenerator({}).randomTransform(image, 1);
    assert.deepEqual(Array.from(same.dataSync()), Array.from(pixels));
    same.dispose();
    for (const key of Object.keys(EXPECTED)) {
      const generator = new ImageDataGenerator(parseAugment(key));
      // flips happen with probability 1/2, the ranges are drawn: some of a few seeds must change the image
      let changed = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const out = generator.randomTransform(image, seed);
        const data = out.dataSync();
        if (data.some((v, i) => Math.abs(v - pixels[i]) > 1e-3)) changed++;
        out.dispose();
      }
      assert.ok(changed >= 1, `--augment ${key} changed no pixel in 6 draws`);
    }
  } finally {
    image.dispose();
  }
});
