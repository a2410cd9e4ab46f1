/** Helpers shared by the kernel tests: a seeded PRNG and a kernel run on a named backend. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** mulberry32, returning values in [-0.5, 0.5). */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}
export const randArray = (n: number, r: () => number) => Float32Array.from({ length: n }, r);

export async function runOn(backend: string, name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: object) {
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, [data, shape]] of Object.entries(inputs)) ts[k] = tf.tensor(data, shape);
  const before = tf.memory().numTensors;
  const out = tf.engine().runKernel(name, ts as any, attrs as any) as tf.Tensor;
  const leaked = tf.memory().numTensors - before - 1;
  const data = (await out.data()) as Float32Array;
  const shape = out.shape;
  tf.dispose([out, ...Object.values(ts)]);
  return { data, shape, leaked };
}

/**
 * The largest element-wise error: |a[i] - b[i]| / max(|b[i]|, 1), i.e. relative to the reference entry
 * where it is at least 1 in magnitude and absolute below that. Every entry is held to the bound, small ones
 * included (a metric scaled by the largest entry would let small entries be off by much more).
 */
export function maxElementError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, 'same number of elements');
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}


/**
 * Trains the model `make()` builds for 3 steps on cpu and on wasm from identical weights and checks that
 * the losses agree within 1e-3, the loss goes down, and the weight updates agree within 1e-3 (element-wise,
 * see maxElementError; the losses alone hide small gradient errors). `make` must build a model for a [8, 12, 10, 3] input with
 * 3 softmax outputs. Returns the losses per backend.
 */
export async function assertTrainsLikeCpu(make: () => tf.LayersModel, setBackend: (name: string) => Promise<unknown>): Promise<Record<string, number[]>> {
  const r = rng(7);
  const xs = randArray(8 * 12 * 10 * 3, r).map((v) => v + 0.5);
  const labels = [0, 1, 2, 0, 1, 2, 1, 0];
  const losses: Record<string, number[]> = {};
  const trained: Record<string, Float32Array[]> = {};
  let initial: Float32Array[] | undefined;
  for (const backend of ['cpu', 'wasm']) {
    await setBackend(backend);
    const model = make();
    if (!initial) initial = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>));
    else model.setWeights(model.getWeights().map((w, i) => tf.tensor(initial![i], w.shape)));
    const x = tf.tensor4d(xs, [8, 12, 10, 3]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
    losses[backend] = [];
    for (let step = 0; step < 3; step++) losses[backend].push((await model.trainOnBatch(x, y)) as number);
    trained[backend] = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>));
    tf.dispose([x, y]);
    model.dispose();
  }
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(losses.cpu[i] - losses.wasm[i]) <= 1e-3, `step ${i}: cpu ${losses.cpu[i]} wasm ${losses.wasm[i]}`);
  assert.ok(losses.wasm[2] < losses.wasm[0], `loss goes down: ${losses.wasm}`);
  trained.cpu.forEach((w, i) => {
    let moved = 0;
    for (let j = 0; j < w.length; j++) moved = Math.max(moved, Math.abs(w[j] - initial![i][j]));
    const err = maxElementError(trained.wasm[i].map((v, j) => v - initial![i][j]), w.map((v, j) => v - initial![i][j]));
    assert.ok(moved > 0, `weight ${i} was trained`);
    assert.ok(err <= 1e-3, `weight ${i}: the updates differ by ${err} (element-wise)`);
  });
  return losses;
}

export type ConvGradCase = { b: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: 'same' | 'valid' };

// A deterministic sweep over strides 1 and 2, same/valid, kernels 1/3/5/7, batch 1..64, channels 1..64, non-square.
export function convGradCases(): ConvGradCase[] {
  const out: ConvGradCase[] = [];
  const shapes = [
    { b: 1, h: 9, w: 7, ci: 1, co: 1 },
    { b: 2, h: 8, w: 13, ci: 3, co: 8 },
    { b: 5, h: 12, w: 10, ci: 16, co: 4 },
    { b: 64, h: 7, w: 9, ci: 2, co: 3 },
    { b: 3, h: 10, w: 6, ci: 64, co: 64 },
    // the SIMD filter gradient's remainders: 16 + 4 output channels, 3 + 2 and 1 input channels
    { b: 4, h: 11, w: 9, ci: 5, co: 20 },
    { b: 2, h: 6, w: 15, ci: 1, co: 12 },
  ];
  for (const sh of shapes)
    for (const k of [1, 3, 5, 7])
      for (const s of [1, 2])
        for (const pad of ['same', 'valid'] as const) {
          if (pad === 'valid' && (k > sh.h || k > sh.w)) continue;
          out.push({ ...sh, k, s, pad });
        }
  return out;
}
