/** Helpers shared by the kernel tests: a seeded PRNG and a kernel run on a named backend. */
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

/** Max absolute difference over the largest magnitude of the reference b. */
export function maxRelError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

