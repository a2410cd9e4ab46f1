/**
 * The epoch and batching base that ImageFileIterator and ArrayIterator share: the current epoch, its
 * sample order, random access to batch i, and a prefetched pass over one epoch that advances the
 * epoch when done or abandoned. Subclasses load a raw batch and turn it into tensors.
 */
import type { EpochOrder } from './epoch-order.js';
import { prefetchedBatches } from './epoch-loop.js';

export abstract class EpochBatcher<R, B> {
  /** Current epoch (0-based): selects the shuffle order and augmentation of getBatch(). */
  epoch = 0;
  abstract readonly batchSize: number;
  protected abstract readonly order: EpochOrder;
  /** How many samples one epoch covers. */
  protected abstract get sampleCount(): number;
  /** Loads batch `batch` of `epoch` (see epoch-loop.ts for `awaited` and `tag`). */
  protected abstract loadRaw(epoch: number, batch: number, awaited?: () => boolean, tag?: object): Promise<R>;
  /** Turns a raw batch into the tensors the caller disposes. */
  protected abstract toBatch(raw: R): B;
  /** How many batches to load ahead of the one being consumed. */
  protected abstract prefetchAhead(): number;
  /** Whether a loaded raw batch is handed out (an all-skipped batch is not). */
  protected keep(_raw: R): boolean {
    return true;
  }
  /** Runs when a pass over an epoch ends (done or abandoned), before the epoch advances. */
  protected epochPassEnded(): void {}

  /** Batches per epoch: ceil(samples / batchSize). */
  get length(): number {
    return Math.ceil(this.sampleCount / this.batchSize);
  }

  /** The sample order of an epoch. */
  indexArray(epoch = this.epoch): Int32Array {
    return this.order.of(epoch);
  }

  /** Starts a new epoch: a new shuffle order and new augmentation (Keras's on_epoch_end). */
  onEpochEnd(): void {
    this.epoch++;
  }

  /** Back to the first epoch: under a seed, the same batches as from a fresh iterator. */
  reset(): void {
    this.epoch = 0;
  }

  /** Batch i of the current epoch (random access; the last batch may be short). The caller disposes it. */
  async getBatch(i: number): Promise<B> {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new RangeError(`Batch index ${i} is out of range: this iterator has ${this.length} batches (0..${this.length - 1}).`);
    }
    return this.toBatch(await this.loadRaw(this.epoch, i));
  }

  /**
   * One epoch of raw batches. While the consumer holds batch i (training on it), the next
   * prefetchAhead() batches are loading, and no more. Advances the epoch when done or abandoned.
   */
  protected async *rawEpoch(): AsyncGenerator<R> {
    const epoch = this.epoch;
    try {
      for await (const raw of prefetchedBatches(this.length, this.prefetchAhead(), (b, awaited, tag) => this.loadRaw(epoch, b, awaited, tag))) {
        if (this.keep(raw)) yield raw;
      }
    } finally {
      this.epochPassEnded();
      if (this.epoch === epoch) this.onEpochEnd();
    }
  }

  /** Iterates one epoch of batches (tensors the caller disposes), then moves to the next epoch. */
  async *[Symbol.asyncIterator](): AsyncGenerator<B> {
    for await (const raw of this.rawEpoch()) yield this.toBatch(raw);
  }
}
