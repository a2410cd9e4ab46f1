/**
 * The one seeded random number generator of tfjs-tuner (mulberry32). Its whole state is one 32-bit
 * integer, so an oracle can save it in oracle.json and a resumed search draws exactly the numbers an
 * uninterrupted one would; the data pipeline derives one stream per (seed, epoch, image) with mixSeed,
 * so prefetching and random access give the same batches in any order.
 */
import { randomInt } from 'node:crypto';

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = Rng.mixSeed(seed);
  }

  /** Turns any number (or several) into a well-spread 32-bit seed (order matters). */
  static mixSeed(...parts: number[]): number {
    let h = 0x9e3779b9;
    for (const part of parts) {
      const v = Math.floor(Number.isFinite(part) ? part : 0);
      // Fold in the low and high halves so large seeds still differ.
      h = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
      h = Math.imul(h ^ Math.floor(v / 0x100000000), 0xc2b2ae35);
      h ^= h >>> 16;
    }
    return h >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  choice<T>(values: readonly T[]): T {
    return values[this.nextInt(values.length)];
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }
}

/** Rng.mixSeed as a function. */
export const mixSeed = (...parts: number[]): number => Rng.mixSeed(...parts);

/** A fresh random seed for runs where the user gave none. */
export function randomSeed(): number {
  return randomInt(0, 0xffffffff);
}
