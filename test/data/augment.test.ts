import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTransform, type FillMode, type TransformParams } from '../../src/data/augment.js';
import { ImageDataGenerator } from '../../src/data/image-data-generator.js';

/** An h x w x c image from a function of (x, y, c). */
function image(h: number, w: number, c: number, fn: (x: number, y: number, k: number) => number): Uint8Array {
  const a = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) a[(y * w + x) * c + k] = fn(x, y, k);
  return a;
}

function run(src: Uint8Array, h: number, w: number, c: number, p: TransformParams, fill: FillMode = 'nearest', cval = 0): Float32Array {
  const out = new Float32Array(h * w * c);
  applyTransform(src, h, w, c, p, fill, cval, out);
  return out;
}

const at = (a: Float32Array, w: number, c: number, x: number, y: number, k = 0) => a[(y * w + x) * c + k];

test('no transform copies the image; flips reverse columns or rows exactly', () => {
  const src = image(3, 5, 2, (x, y, k) => x * 10 + y * 50 + k);
  assert.deepEqual(Array.from(run(src, 3, 5, 2, {})), Array.from(src));
  const h = run(src, 3, 5, 2, { flipHorizontal: true });
  const v = run(src, 3, 5, 2, { flipVertical: true });
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 5; x++) {
      for (let k = 0; k < 2; k++) {
        assert.equal(at(h, 5, 2, x, y, k), src[(y * 5 + (4 - x)) * 2 + k]);
        assert.equal(at(v, 5, 2, x, y, k), src[((2 - y) * 5 + x) * 2 + k]);
      }
    }
  }
});

test('rotation turns about the image centre, also for non-square images, counter-clockwise for positive angles', () => {
  const h = 5;
  const w = 9;
  const src = image(h, w, 1, (x, y) => x * 20 + y);
  const r180 = run(src, h, w, 1, { theta: 180 });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) assert.ok(Math.abs(at(r180, w, 1, x, y) - src[(h - 1 - y) * w + (w - 1 - x)]) < 1e-6);
  // Keras moves the centre pixel (2, 4) of a 5x9 image to (2, 0) on a 90 degree turn; here it stays.
  const dot = image(h, w, 1, (x, y) => (x === 4 && y === 2 ? 255 : 0));
  const r90 = run(dot, h, w, 1, { theta: 90 }, 'constant');
  assert.ok(Math.abs(at(r90, w, 1, 4, 2) - 255) < 1e-6);
  // A dot right of the centre goes to above the centre (counter-clockwise on screen).
  const right = image(5, 5, 1, (x, y) => (x === 4 && y === 2 ? 255 : 0));
  const turned = run(right, 5, 5, 1, { theta: 90 }, 'constant');
  assert.ok(Math.abs(at(turned, 5, 1, 2, 0) - 255) < 1e-6);
  assert.ok(Math.abs(at(turned, 5, 1, 4, 2)) < 1e-6);
});

test('fill modes follow scipy: constant, nearest, reflect, wrap', () => {
  const src = image(3, 4, 1, (x) => [10, 20, 30, 40][x]);
  const row = (fill: FillMode) => [0, 1, 2, 3].map((x) => at(run(src, 3, 4, 1, { tx: 2 }, fill, 7), 4, 1, x, 1));
  assert.deepEqual(row('constant'), [7, 7, 10, 20]);
  assert.deepEqual(row('nearest'), [10, 10, 10, 20]);
  assert.deepEqual(row('reflect'), [20, 10, 10, 20]);
  assert.deepEqual(row('wrap'), [30, 40, 10, 20]);
});

test('zoom above 1 zooms out (Keras), filling the border', () => {
  const src = image(8, 8, 1, () => 100);
  const out = run(src, 8, 8, 1, { zx: 2, zy: 2 }, 'constant', 7);
  assert.equal(at(out, 8, 1, 0, 0), 7);
  assert.equal(at(out, 8, 1, 7, 7), 7);
  assert.equal(at(out, 8, 1, 3, 4), 100);
  const zoomIn = run(image(8, 8, 1, (x) => x * 10), 8, 8, 1, { zx: 0.5, zy: 1 });
  assert.ok(Math.abs(at(zoomIn, 8, 1, 0, 0) - 17.5) < 1e-4, `zoom in halves the x spread: ${at(zoomIn, 8, 1, 0, 0)}`);
});

test('channel shift clips to the image range; brightness works like PIL on whole values', () => {
  const src = image(2, 2, 1, (x, y) => [0, 10, 80, 100][y * 2 + x]);
  assert.deepEqual(Array.from(run(src, 2, 2, 1, { channelShiftIntensity: 50 })), [50, 60, 100, 100]);
  assert.deepEqual(Array.from(run(src, 2, 2, 1, { channelShiftIntensity: -30 })), [0, 0, 50, 70]);
  const b = image(1, 3, 1, (x) => [100, 200, 101][x]);
  assert.deepEqual(Array.from(run(b, 1, 3, 1, { brightness: 1.5 })), [150, 255, 151]);
  assert.deepEqual(Array.from(run(b, 1, 3, 1, { brightness: 0.5 })), [50, 100, 50]);
});

test('rescale is fused into the pass and applied after channel shift and brightness', () => {
  const src = image(2, 2, 1, (x, y) => [0, 10, 80, 100][y * 2 + x]);
  const out = new Float32Array(4);
  applyTransform(src, 2, 2, 1, { channelShiftIntensity: 50 }, 'nearest', 0, out, 0, 0.01);
  assert.deepEqual(Array.from(out).map((v) => +v.toFixed(4)), [0.5, 0.6, 1, 1]);
  applyTransform(src, 2, 2, 1, { flipHorizontal: true }, 'nearest', 0, out, 0, 0.5);
  assert.deepEqual(Array.from(out), [5, 0, 50, 40]);
});

test('width shift moves along the width and height shift along the height (Keras swaps them)', () => {
  const w = 12;
  const h = 10;
  const col = image(h, w, 1, (x) => (x === 5 ? 255 : 0));
  const rowImg = image(h, w, 1, (_x, y) => (y === 4 ? 255 : 0));
  const gw = new ImageDataGenerator({ widthShiftRange: [3], fillMode: 'constant' });
  const gh = new ImageDataGenerator({ heightShiftRange: [3], fillMode: 'constant' });
  const seen = new Set<number>();
  for (let seed = 0; seed < 20; seed++) {
    const p = gw.getRandomTransform([h, w], seed);
    assert.equal(p.ty, undefined);
    assert.ok(p.tx === 3 || p.tx === -3, `tx ${p.tx}`);
    seen.add(p.tx!);
    const out = run(col, h, w, 1, p, 'constant');
    for (let y = 0; y < h; y++) assert.equal(at(out, w, 1, 5 + p.tx!, y), 255);
    const q = gh.getRandomTransform([h, w], seed);
    assert.equal(q.tx, undefined);
    const outH = run(rowImg, h, w, 1, q, 'constant');
    for (let x = 0; x < w; x++) assert.equal(at(outH, w, 1, x, 4 + q.ty!), 255);
  }
  assert.equal(seen.size, 2, 'both directions are drawn');
});

test('random parameters respect the ranges, Keras shift semantics, and are reproducible under a seed', () => {
  const g = new ImageDataGenerator({
    rotationRange: 30,
    widthShiftRange: 0.25,
    heightShiftRange: 2,
    shearRange: 10,
    zoomRange: 0.2,
    horizontalFlip: true,
    channelShiftRange: 20,
    brightnessRange: [0.5, 1.5],
  });
  let flips = 0;
  let negative = 0;
  const ty = new Set<number>();
  for (let s = 0; s < 300; s++) {
    const p = g.getRandomTransform([8, 16], s);
    assert.ok(Math.abs(p.theta!) <= 30);
    if (p.theta! < 0) negative++;
    assert.ok(p.tx === undefined || Math.abs(p.tx) <= 4, `0.25 of width 16: ${p.tx}`);
    ty.add(p.ty ?? 0);
    assert.ok(Math.abs(p.shear!) <= 10);
    assert.ok(p.zx! >= 0.8 && p.zx! <= 1.2 && p.zy! >= 0.8 && p.zy! <= 1.2);
    assert.ok(Math.abs(p.channelShiftIntensity!) <= 20);
    assert.ok(p.brightness! >= 0.5 && p.brightness! <= 1.5);
    if (p.flipHorizontal) flips++;
    assert.equal(p.flipVertical, undefined);
  }
  assert.deepEqual([...ty].sort(), [-1, 0, 1], 'an integer 2 draws whole pixels from {-1, 0, 1}, as in Keras');
  assert.ok(flips > 100 && flips < 200, `about half flipped: ${flips}`);
  assert.ok(negative > 100 && negative < 200);
  assert.deepEqual(g.getRandomTransform([8, 16], 42), g.getRandomTransform([8, 16], 42));
  assert.notDeepEqual(g.getRandomTransform([8, 16], 42), g.getRandomTransform([8, 16], 43));
  const u = new ImageDataGenerator({ zoomRange: [0.5, 2], uniformZoom: true }).getRandomTransform([8, 8], 1);
  assert.equal(u.zx, u.zy);
});

test('brightness on data outside 0..255 stretches onto 0..255, applies, and maps back (Keras apply_brightness_shift)', () => {
  const runF = (src: number[], p: TransformParams) => {
    const out = new Float32Array(src.length);
    applyTransform(Float32Array.from(src), 1, src.length, 1, p, 'nearest', 0, out);
    return Array.from(out);
  };
  // A constant image outside the range stays as it is (Keras: 1024 with brightness 1 stays 1024).
  assert.deepEqual(runF([1024, 1024], { brightness: 1 }), [1024, 1024]);
  assert.deepEqual(runF([-1024, -1024], { brightness: 1.3 }), [-1024, -1024]);
  // [-100, 300, 100]: stretched to 0, 255, trunc(127.5) = 127; factor 0.5 gives 0, 127, 63; mapped
  // back with v / 255 * 400 - 100.
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) < 1e-4);
  const one = runF([-100, 300, 100], { brightness: 1 });
  assert.ok(close(one, [-100, 300, (127 / 255) * 400 - 100]), `${one}`);
  const half = runF([-100, 300, 100], { brightness: 0.5 });
  assert.ok(close(half, [-100, (127 / 255) * 400 - 100, (63 / 255) * 400 - 100]), `${half}`);
});

test('interpolationOrder 0 keeps label values through rotation, shear and zoom; 1 interpolates; others are refused', () => {
  // A mask of two labels (0 and 7) in a diagonal pattern.
  const mask = image(9, 11, 1, (x, y) => ((x + 2 * y) % 5 < 2 ? 7 : 0));
  const params: TransformParams = { theta: 30, shear: 10, zx: 0.8, zy: 1.1, interpolationOrder: 0 };
  const nearest = run(mask, 9, 11, 1, params, 'constant', 0);
  assert.ok(Array.from(nearest).every((v) => v === 0 || v === 7), `order 0 made new values: ${[...new Set(nearest)]}`);
  // Order 0 takes the source pixel at floor(s + 0.5): a 90-degree turn of a 3x3 is a pure permutation.
  const sq = image(3, 3, 1, (x, y) => y * 3 + x);
  assert.deepEqual(Array.from(run(sq, 3, 3, 1, { theta: 90, interpolationOrder: 0 })), [2, 5, 8, 1, 4, 7, 0, 3, 6]);
  const bilinear = run(mask, 9, 11, 1, { ...params, interpolationOrder: 1 }, 'constant', 0);
  assert.ok(Array.from(bilinear).some((v) => v !== 0 && v !== 7), 'order 1 interpolates');
  // The generator option reaches the drawn transforms.
  const gen = new ImageDataGenerator({ rotationRange: 40, interpolationOrder: 0 });
  assert.equal(gen.getRandomTransform([9, 11, 1], 3).interpolationOrder, 0);
  assert.throws(() => new ImageDataGenerator({ interpolationOrder: 3 }), /"interpolationOrder" 3 is not supported: use 1 .* or 0/);
});
