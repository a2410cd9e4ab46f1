/**
 * The epoch machinery that DirectoryIterator and ArrayIterator share: a prefetching pass over the
 * batches of one epoch, and a tf.data.Dataset whose every pass is one such epoch.
 */
import tf from '../tf.cjs';
import { runningAugmentPool } from './augment-pool.js';

/**
 * Loads batch `b` of the epoch. `awaited()` tells whether the consumer waits for it right now; `tag`
 * names the batch for the augmentation pool (augment-pool.ts).
 */
export type BatchLoader<T> = (b: number, awaited: () => boolean, tag: object) => Promise<T>;

/**
 * Batches 0..count-1 in order. While the consumer holds batch i (training on it), batches
 * i+1 .. i+ahead are loading, and no more: memory stays at a few batches. Loads of an abandoned
 * pass finish in the background and are dropped (raw batches hold no tensors, so nothing leaks).
 */
export async function* prefetchedBatches<T>(count: number, ahead: number, load: BatchLoader<T>): AsyncGenerator<T> {
  const pending: Array<Promise<T>> = [];
  const tags: object[] = [];
  let awaitedBatch = -1;
  let next = 0;
  let head = 0;
  for (;;) {
    while (next < count && pending.length < ahead + 1) {
      const b = next++;
      tags[b] = {};
      const p = load(b, () => awaitedBatch === b, tags[b]);
      p.catch(() => undefined); // awaited below; this only stops an unhandled-rejection crash meanwhile
      pending.push(p);
    }
    const p = pending.shift();
    if (!p) return;
    // The consumer now waits for this batch: this thread joins in on its warps.
    runningAugmentPool()?.help(tags[head]);
    awaitedBatch = head++;
    const raw = await p;
    awaitedBatch = -1;
    yield raw;
  }
}

/** A tf.data.Dataset whose every pass runs `epoch()` afresh and turns its raw batches into tensors. */
export function epochDataset<R, B extends tf.TensorContainer>(epoch: () => AsyncGenerator<R>, toBatch: (raw: R) => B): tf.data.Dataset<B> {
  return tf.data.generator(() => {
    const it = epoch();
    return {
      next: async () => {
        const r = await it.next();
        return r.done ? { done: true, value: undefined } : { done: false, value: toBatch(r.value) };
      },
    } as unknown as Iterator<tf.TensorContainer>;
  }) as unknown as tf.data.Dataset<B>;
}
