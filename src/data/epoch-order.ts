/**
 * The sample order of each epoch, shared by the iterators: a permutation seeded by (seed, epoch) when
 * shuffling, else 0..n-1. Keyed by the epoch, so any epoch's order can be asked for again (getBatch on
 * the current epoch while the next one prefetches) and is the same under the same seed.
 */
import { mixSeed, Rng } from '../util/rng.js';

export class EpochOrder {
  private epoch = -1;
  private order: Int32Array = new Int32Array(0);

  constructor(private readonly count: number, private readonly shuffle: boolean, private readonly seed: number) {}

  /** The indices of the samples in `epoch`'s order (the last epoch's array is reused). */
  of(epoch: number): Int32Array {
    if (this.epoch !== epoch) {
      this.order = this.shuffle ? new Rng(mixSeed(this.seed, epoch, 0x5eed)).permutation(this.count) : Int32Array.from({ length: this.count }, (_, i) => i);
      this.epoch = epoch;
    }
    return this.order;
  }
}
