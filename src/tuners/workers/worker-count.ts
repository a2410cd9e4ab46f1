/** How many trial workers a machine runs well: one per core, fewer when memory would not hold them. */
import { availableParallelism, cpus, freemem } from 'node:os';

/** A worker's usual footprint: its tfjs + wasm heap, a model, its batches (override for big images). */
export const DEFAULT_WORKER_BYTES = 768 * 1024 ** 2;

/**
 * The default `workers` for `tfjs-tuner tune`: the number of cores, capped so that `perWorkerBytes`
 * per worker fits in the memory available now (at least 1).
 */
export function defaultWorkerCount(opts: { perWorkerBytes?: number; cores?: number; freeBytes?: number } = {}): number {
  const cores = opts.cores ?? (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length);
  const per = opts.perWorkerBytes ?? DEFAULT_WORKER_BYTES;
  const byMemory = Math.floor((opts.freeBytes ?? freemem()) / per);
  return Math.max(1, Math.min(cores, byMemory));
}
