/**
 * One batch of warps shared between threads. The main thread draws every transform and allocates
 * the output; then any thread that joins (the main thread, pool workers) claims the next image with
 * an atomic counter and warps it straight into the shared output. Who warps which image changes
 * nothing in the result: same source, same parameters, same code.
 */
import { applyTransform, type FillMode, type TransformParams } from './augment.js';

export interface WarpBatch {
  /** Source pixels per slot (HWC, uint8 or float32); null for a slot left empty (a skipped file). */
  srcs: Array<Uint8Array | Float32Array | null>;
  h: number;
  w: number;
  c: number;
  /** Transform per slot. */
  params: TransformParams[];
  fillMode: FillMode;
  cval: number;
  scale: number;
  /** Slot i is written at i * h * w * c (a SharedArrayBuffer when workers help). */
  out: Float32Array;
  /** [next slot to claim, then one done flag per slot] (a SharedArrayBuffer when workers help). */
  claims: Int32Array;
}

/** A new claim board for `slots` slots, shared or not. */
export function claimBoard(slots: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(4 * (slots + 1))) : new Int32Array(slots + 1);
}

/** Claims and warps slots until none is left; returns how many this thread warped. */
export function warpClaimed(b: WarpBatch): number {
  const n = b.params.length;
  const size = b.h * b.w * b.c;
  let warped = 0;
  for (;;) {
    const i = Atomics.add(b.claims, 0, 1);
    if (i >= n) return warped;
    warpSlot(b, i, size);
    warped++;
  }
}

/** Warps the slots that are not done yet (after every other thread has stopped). */
export function warpUndone(b: WarpBatch): void {
  const size = b.h * b.w * b.c;
  Atomics.store(b.claims, 0, b.params.length);
  for (let i = 0; i < b.params.length; i++) if (!Atomics.load(b.claims, 1 + i)) warpSlot(b, i, size);
}

function warpSlot(b: WarpBatch, i: number, size: number): void {
  const src = b.srcs[i];
  if (src) applyTransform(src, b.h, b.w, b.c, b.params[i], b.fillMode, b.cval, b.out, i * size, b.scale);
  Atomics.store(b.claims, 1 + i, 1);
}
