/**
 * Recycled batch pixel buffers. A fresh 6 MB Float32Array per batch costs page faults on first touch
 * (measured ~2-4 ms a batch here, a third of a cached epoch's warp time); a buffer whose pixels have
 * been copied into a tensor can hold the next batch instead.
 */
import tf from '../tf.cjs';

const KEEP = 4;
const free = new Map<string, Float32Array[]>();

/** A Float32Array of `length` (contents undefined), SharedArrayBuffer-backed when `shared`. */
export function takeBatchBuffer(length: number, shared: boolean): Float32Array {
  const reused = free.get(`${shared}:${length}`)?.pop();
  if (reused) return reused;
  return shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
}

/** Hands `buf` back for a later batch; nothing may read or write it afterwards. */
export function recycleBatchBuffer(buf: Float32Array): void {
  const key = `${buf.buffer instanceof SharedArrayBuffer}:${buf.length}`;
  if (buf.byteOffset !== 0 || buf.byteLength !== buf.buffer.byteLength) return;
  const list = free.get(key) ?? [];
  if (list.length >= KEEP) return;
  list.push(buf);
  free.set(key, list);
}

/**
 * Whether `tf.tensor(values, shape, dtype)` leaves `values` free once it returns: the wasm backend
 * copies the pixels into its heap at once, and a dtype other than float32 converts them into a new
 * array first. (The cpu backend keeps the array itself as the tensor's storage.)
 */
export function tensorCopies(dtype: string): boolean {
  return dtype !== 'float32' || tf.getBackend() === 'wasm';
}
