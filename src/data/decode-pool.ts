/**
 * The process-wide bound on decodes in flight. sharp runs each decode on libuv's thread pool
 * (UV_THREADPOOL_SIZE threads, default 4). Twice that many are kept in flight so that libuv always has
 * a decode queued: a pool thread that finishes starts the next one natively, even while the main
 * thread is busy (augmenting, training) and cannot hand out new work.
 */
import pLimit from 'p-limit';

const threadPoolSize = Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);
const defaultConcurrency = 2 * threadPoolSize;

export const decodeLimit = pLimit(defaultConcurrency);

/** How many decodes may be in flight at once in this process. */
export function decodeConcurrency(): number {
  return decodeLimit.concurrency;
}

/** Sets how many images may be decoded at once in this process (default: 2 x UV_THREADPOOL_SIZE, i.e. 8). */
export function setDecodeConcurrency(n: number): void {
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`decode concurrency must be a whole number > 0; got ${n}`);
  decodeLimit.concurrency = n;
}
