/**
 * The process-wide bound on decodes in flight. sharp runs each decode on libuv's thread pool
 * (UV_THREADPOOL_SIZE threads, default 4); queueing more than that only adds memory.
 */
import pLimit from 'p-limit';

const defaultConcurrency = Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);

export const decodeLimit = pLimit(defaultConcurrency);

/** Sets how many images may be decoded at once in this process (default: UV_THREADPOOL_SIZE or 4). */
export function setDecodeConcurrency(n: number): void {
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`decode concurrency must be a whole number > 0; got ${n}`);
  decodeLimit.concurrency = n;
}
