/** --workers: no more trial threads than the cores and the free memory allow (1,000 threads would thrash). */
import { availableParallelism, freemem } from 'node:os';
import { defaultWorkerCount, DEFAULT_WORKER_BYTES } from '../tuners/workers/worker-count.js';
import type { Output } from './output.js';

export function capWorkers(requested: number, out: Output): number {
  const most = defaultWorkerCount();
  if (requested <= most) return requested;
  const gb = (b: number) => (b / 1024 ** 3).toFixed(1);
  out.info(`--workers ${requested}: this machine runs at most ${most} trial worker(s) well (${availableParallelism()} cores, ` +
    `${gb(freemem())} GB free memory at about ${gb(DEFAULT_WORKER_BYTES)} GB per worker); using ${most}.`);
  return most;
}
