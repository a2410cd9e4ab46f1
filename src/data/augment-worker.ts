/**
 * Worker side of the augmentation pool: joins one batch (augment-batch.ts), warping the images it
 * claims into the batch's shared output, and says how many it did. The parameters were drawn on the
 * main thread, so results are identical with or without workers.
 */
import { parentPort } from 'node:worker_threads';
import { warpClaimed, type WarpBatch } from './augment-batch.js';

export type AugmentTask = WarpBatch & { id: number };

export type AugmentReply = { id: number; warped: number } | { id: number; error: string };

parentPort!.on('message', (t: AugmentTask) => {
  try {
    parentPort!.postMessage({ id: t.id, warped: warpClaimed(t) } satisfies AugmentReply);
  } catch (err) {
    parentPort!.postMessage({ id: t.id, error: (err as Error)?.stack ?? String(err) } satisfies AugmentReply);
  }
});
