/**
 * A small seeded random number generator whose whole state is one 32-bit integer, so an oracle can
 * save it in oracle.json and a resumed search draws exactly the numbers an uninterrupted one would.
 * Algorithm: mulberry32 (period 2^32, good enough for sampling hyperparameters).
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = Rng.mixSeed(seed);
  }

  /** Turns any number (or several) into a well-spread 32-bit seed. */
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

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }
}
