/**
 * Worker side of the augmentation pool: warps a packed chunk of uint8 images with the parameters drawn
 * on the main thread (so results are identical with or without workers) and sends back float32.
 */
import { parentPort } from 'node:worker_threads';
import { applyTransform, type FillMode, type TransformParams } from './augment.js';

export interface AugmentTask {
  id: number;
  /** count images of h*w*c bytes each, back to back. */
  packed: Uint8Array;
  count: number;
  h: number;
  w: number;
  c: number;
  params: TransformParams[];
  fillMode: FillMode;
  cval: number;
  scale: number;
}

export type AugmentReply = { id: number; out: Float32Array } | { id: number; error: string };

parentPort!.on('message', (t: AugmentTask) => {
  try {
    const size = t.h * t.w * t.c;
    const out = new Float32Array(t.count * size);
    for (let j = 0; j < t.count; j++) {
      applyTransform(t.packed.subarray(j * size, (j + 1) * size), t.h, t.w, t.c, t.params[j], t.fillMode, t.cval, out, j * size, t.scale);
    }
    parentPort!.postMessage({ id: t.id, out } satisfies AugmentReply, [out.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id: t.id, error: (err as Error)?.stack ?? String(err) } satisfies AugmentReply);
  }
});
