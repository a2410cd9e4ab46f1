/**
 * A small pool of worker threads for the augmentation warp, so that augmenting uses several cores
 * and does not hold the main thread, where tfjs trains. The main thread draws every random parameter,
 * so batches are the same with any number of workers.
 *
 * Scheduling is per batch (augment-batch.ts): `run` sends the batch to every worker in one message
 * (source pixels in the decoded cache's shared memory travel without a copy) and each worker claims
 * images one at a time and warps them into the batch's shared output. Batches loaded ahead are left
 * to the workers while the main thread trains; when the consumer waits for a batch, the main thread
 * `help`s, claiming that batch's remaining images, so every core works on the batch in demand.
 * Workers are unref'd while idle: the pool never keeps the process alive.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { warpClaimed, warpUndone, type WarpBatch } from './augment-batch.js';
import type { AugmentReply, AugmentTask } from './augment-worker.js';

/** A batch out on the workers. */
interface Running {
  batch: WarpBatch;
  tag: object;
  /** Workers that have the batch and have not answered yet. */
  waiting: Set<Worker>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AugmentPool {
  private readonly workers: Worker[] = [];
  private readonly running = new Map<number, Running>();
  private nextId = 0;
  private busy = 0;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  private spawn(): Worker {
    let worker: Worker;
    if (import.meta.url.endsWith('.ts')) {
      // Running from TypeScript source (tsx): the worker registers tsx itself, then loads the .ts file.
      const tsx = import.meta.resolve('tsx/esm/api');
      const entry = new URL('./augment-worker.ts', import.meta.url).href;
      worker = new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
    } else {
      worker = new Worker(new URL('./augment-worker.js', import.meta.url));
    }
    worker.on('message', (r: AugmentReply) => {
      this.healthy.add(worker);
      // A worker whose warp threw leaves its images to this thread (costs speed, not the batch);
      // an error that this thread meets too rejects the batch.
      this.answered(r.id, worker);
    });
    // A worker that dies leaves its batches' unfinished images to this thread.
    worker.on('error', () => this.fail(worker));
    worker.on('exit', () => this.fail(worker));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return worker;
  }

  /** `worker` is done with batch `id` (answered, failed or gone); the last one out finishes it here. */
  private answered(id: number, worker: Worker): void {
    const r = this.running.get(id);
    if (!r || !r.waiting.delete(worker)) return;
    if (--this.busy === 0) for (const w of this.workers) w.unref();
    if (r.waiting.size > 0) return;
    this.running.delete(id);
    try {
      warpUndone(r.batch); // nothing, unless a worker failed mid-batch
      r.resolve();
    } catch (err) {
      r.reject(err as Error);
    }
  }

  private fail(worker: Worker): void {
    for (const [id, r] of this.running) if (r.waiting.has(worker)) this.answered(id, worker);
    const i = this.workers.indexOf(worker);
    if (i < 0 || this.closed) return;
    if (this.healthy.has(worker)) {
      this.workers[i] = this.spawn();
    } else {
      // A worker that never answered cannot start here (no loader, no memory): stop using the pool.
      this.broken = true;
      this.workers.splice(i, 1);
    }
  }

  /** Set when a worker failed to start; callers then warp on the main thread. */
  broken = false;
  private readonly healthy = new WeakSet<Worker>();
  private closed = false;

  /**
   * Warps `batch` (whose `out` and `claims` must be SharedArrayBuffer-backed) on the workers; this
   * thread joins in through `help(tag)`. Resolves when every image is warped.
   */
  run(batch: WarpBatch, tag: object): Promise<void> {
    if (this.workers.length === 0) {
      warpClaimed(batch);
      return Promise.resolve();
    }
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const r: Running = { batch, tag, waiting: new Set(), resolve, reject };
      this.running.set(id, r);
      for (const worker of this.workers) {
        try {
          worker.postMessage({ ...batch, id } satisfies AugmentTask);
        } catch {
          continue; // this worker is gone or the message cannot travel: the others and this thread do the batch
        }
        r.waiting.add(worker);
        // While work is out, keep the process alive so the promise can settle.
        if (this.busy++ === 0) for (const w of this.workers) w.ref();
      }
      if (r.waiting.size === 0) {
        this.running.delete(id);
        warpClaimed(batch);
        resolve();
      }
    });
  }

  /** Warps the unclaimed images of the batches tagged `tag` on this thread now (the consumer waits for them). */
  help(tag: object): void {
    for (const r of this.running.values()) if (r.tag === tag) warpClaimed(r.batch);
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    // Batches still out finish here (their workers' exits count as answers).
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
let desired = Math.max(0, Math.min(4, cpus - 1));
let pool: AugmentPool | null = null;

/**
 * Sets how many worker threads share the augmentation warp with the main thread (default:
 * min(4, cores - 1)); 0 keeps it all on the main thread.
 */
export function setAugmentWorkers(n: number): void {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`augment workers must be a whole number >= 0; got ${n}`);
  desired = n;
  if (pool && pool.size !== n) {
    void pool.close();
    pool = null;
  }
}

/** The pool if it is already running (never starts one). */
export function runningAugmentPool(): AugmentPool | null {
  return pool && !pool.broken ? pool : null;
}

/** The process-wide pool, created on first use; null when workers are off. */
export function augmentPool(): AugmentPool | null {
  if (desired === 0) return null;
  if (!pool) {
    try {
      pool = new AugmentPool(desired);
    } catch {
      desired = 0; // e.g. running TypeScript without tsx: stay on the main thread
      return null;
    }
  }
  return pool.broken ? null : pool;
}
