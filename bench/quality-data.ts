/**
 * A harder image set than the fixtures, made from a seed: 10 classes of procedural shapes and textures
 * (disc, square, triangle, cross, ring, horizontal stripes, vertical stripes, checkerboard, diagonal bar,
 * dot grid) at a random position, size and colour, on a coloured background with clutter (random small
 * rectangles) and Gaussian pixel noise. Values in [0, 1], shape [n, size, size, 3], sparse labels.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/util/rng.js';

export const QUALITY_CLASSES = ['disc', 'square', 'triangle', 'cross', 'ring', 'hstripes', 'vstripes', 'checker', 'diagonal', 'dots'];

/** Whether pixel (x, y) in shape coordinates (u, v in [-1, 1]) belongs to class c's figure. */
function inside(c: number, u: number, v: number, period: number): boolean {
  const r = Math.hypot(u, v);
  switch (c) {
    case 0: return r <= 1;
    case 1: return Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8;
    case 2: return v <= 0.9 && v >= -0.9 && Math.abs(u) <= (0.9 - v) / 1.8 * 0.9 + 0.05;
    case 3: return (Math.abs(u) <= 0.25 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.25 && Math.abs(u) <= 1);
    case 4: return r <= 1 && r >= 0.6;
    case 5: return Math.abs(u) <= 1 && Math.abs(v) <= 1 && Math.floor((v + 1) * period) % 2 === 0;
    case 6: return Math.abs(u) <= 1 && Math.abs(v) <= 1 && Math.floor((u + 1) * period) % 2 === 0;
    case 7: return Math.abs(u) <= 1 && Math.abs(v) <= 1 && (Math.floor((u + 1) * period) + Math.floor((v + 1) * period)) % 2 === 0;
    case 8: return Math.abs(u - v) <= 0.35 && Math.abs(u) <= 1 && Math.abs(v) <= 1;
    default: {
      const g = (t: number) => Math.abs(((t + 1) * period) % 1 - 0.5) < 0.22;
      return Math.abs(u) <= 1 && Math.abs(v) <= 1 && g(u) && g(v);
    }
  }
}

export function qualityImages(n: number, size: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * size * size * 3);
  const labels = new Float32Array(n);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
  for (let i = 0; i < n; i++) {
    const c = i % QUALITY_CLASSES.length;
    labels[i] = c;
    const bg = [rng.next(), rng.next(), rng.next()];
    let fg = [rng.next(), rng.next(), rng.next()];
    // Keep the figure visible against its background.
    if (Math.abs(fg[0] + fg[1] + fg[2] - bg[0] - bg[1] - bg[2]) < 0.6) fg = bg.map((b) => (b > 0.5 ? b - 0.5 : b + 0.5));
    const scale = size * (0.22 + 0.2 * rng.next());
    const cx = size * (0.3 + 0.4 * rng.next()), cy = size * (0.3 + 0.4 * rng.next());
    const angle = (rng.next() - 0.5) * 0.6;
    const period = 2 + Math.floor(rng.next() * 3);
    const clutter = Array.from({ length: 3 + Math.floor(rng.next() * 4) }, () => ({
      x: rng.next() * size, y: rng.next() * size, w: 1 + rng.next() * size * 0.12, h: 1 + rng.next() * size * 0.12,
      col: [rng.next(), rng.next(), rng.next()],
    }));
    const noise = 0.05 + 0.1 * rng.next();
    const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let px = bg;
        for (const r of clutter) if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) px = r.col;
        const dx = (x + 0.5 - cx) / scale, dy = (y + 0.5 - cy) / scale;
        const u = ca * dx + sa * dy, v = -sa * dx + ca * dy;
        if (inside(c, u, v, period)) px = fg;
        const o = ((i * size + y) * size + x) * 3;
        for (let k = 0; k < 3; k++) data[o + k] = Math.min(1, Math.max(0, px[k] + noise * gauss()));
      }
    }
  }
  // Shuffle with the same seed so batches mix the classes.
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const px = size * size * 3;
  const shuffled = new Float32Array(data.length);
  const shuffledLabels = new Float32Array(n);
  order.forEach((from, to) => {
    shuffled.set(data.subarray(from * px, (from + 1) * px), to * px);
    shuffledLabels[to] = labels[from];
  });
  return { xs: tf.tensor4d(shuffled, [n, size, size, 3]), ys: tf.tensor1d(shuffledLabels) };
}
