/**
 * A small pool of worker threads for the augmentation warp, so that augmenting uses several cores
 * and does not hold the main thread, where tfjs trains. The main thread draws every random parameter,
 * so batches are the same with any number of workers.
 *
 * Scheduling: warp jobs wait in one queue; each worker holds at most two (one running, one ready).
 * Jobs of batches loaded ahead are left to the workers while the main thread trains; when the
 * consumer starts waiting for a batch, the main thread `steal`s that batch's queued jobs and runs
 * them itself, and a job submitted for the awaited batch runs at once here if no worker is idle.
 * Workers are unref'd while idle: the pool never keeps the process alive.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { applyTransform, type FillMode, type TransformParams } from './augment.js';
import type { AugmentReply, AugmentTask } from './augment-worker.js';

type Pending = { resolve: (out: Float32Array) => void; reject: (err: Error) => void; worker: Worker };

/** One image to warp into `out` at `offset`. `tag` identifies its batch (for steal). */
export interface WarpJob {
  tag: object;
  src: Uint8Array;
  h: number;
  w: number;
  c: number;
  params: TransformParams;
  fillMode: FillMode;
  cval: number;
  scale: number;
  out: Float32Array;
  offset: number;
}

type QueuedJob = WarpJob & { done: () => void };

const JOBS_PER_WORKER = 2;

function warpHere(j: WarpJob): void {
  applyTransform(j.src, j.h, j.w, j.c, j.params, j.fillMode, j.cval, j.out, j.offset, j.scale);
}

export class AugmentPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
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
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      this.settled();
      if ('error' in r) p.reject(new Error(`augmentation worker failed: ${r.error}`));
      else p.resolve(r.out);
    });
    worker.on('error', (err) => this.fail(worker, err));
    worker.on('exit', (code) => this.fail(worker, new Error(`augmentation worker exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return worker;
  }

  private fail(worker: Worker, err: Error): void {
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      this.settled();
      p.reject(err);
    }
    const i = this.workers.indexOf(worker);
    if (i < 0 || this.closed) return;
    if (this.healthy.has(worker)) {
      this.workers[i] = this.spawn();
    } else {
      // A worker that never answered cannot start here (no loader, no memory): stop using the pool.
      this.broken = true;
      this.workers.splice(i, 1);
    }
    this.pump();
  }

  /** Set when a worker failed to start; callers then warp on the main thread. */
  broken = false;
  private readonly healthy = new WeakSet<Worker>();

  private settled(): void {
    if (--this.busy === 0) for (const w of this.workers) w.unref();
  }

  private closed = false;

  private queue: QueuedJob[] = [];
  private readonly outstanding = new Map<Worker, number>();

  /** Warps one image: on a worker, or here when `urgent` (the consumer waits for it) and none is idle. */
  submit(job: WarpJob, urgent: boolean): Promise<void> {
    if (urgent && !this.workers.some((w) => !this.outstanding.get(w))) {
      warpHere(job);
      return Promise.resolve();
    }
    return new Promise((done) => {
      this.queue.push({ ...job, done });
      this.pump();
    });
  }

  /** Runs the queued jobs of batch `tag` on this thread now (the consumer is waiting for them). */
  steal(tag: object): void {
    if (!this.queue.some((j) => j.tag === tag)) return;
    const mine = this.queue.filter((j) => j.tag === tag);
    this.queue = this.queue.filter((j) => j.tag !== tag);
    for (const j of mine) {
      warpHere(j);
      j.done();
    }
  }

  private pump(): void {
    if (this.workers.length === 0) {
      // No worker left (closed or failed to start): nothing queued may wait forever.
      const rest = this.queue;
      this.queue = [];
      for (const j of rest) {
        warpHere(j);
        j.done();
      }
      return;
    }
    for (const worker of this.workers) {
      while ((this.outstanding.get(worker) ?? 0) < JOBS_PER_WORKER && this.queue.length > 0) {
        const j = this.queue.shift()!;
        this.outstanding.set(worker, (this.outstanding.get(worker) ?? 0) + 1);
        this.runOn(worker, { packed: j.src.slice(), count: 1, h: j.h, w: j.w, c: j.c, params: [j.params], fillMode: j.fillMode, cval: j.cval, scale: j.scale })
          .then(
            (out) => j.out.set(out, j.offset),
            () => warpHere(j), // a failed worker costs speed, not the batch
          )
          .finally(() => {
            this.outstanding.set(worker, (this.outstanding.get(worker) ?? 1) - 1);
            j.done();
            this.pump();
          });
      }
    }
  }

  /** Warps `count` packed images on `worker`; resolves with their float32 pixels. */
  private runOn(worker: Worker, task: Omit<AugmentTask, 'id'>): Promise<Float32Array> {
    const id = this.nextId++;
    // While work is out, keep the process alive so the promise can settle.
    if (this.busy++ === 0) for (const w of this.workers) w.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({ ...task, id } satisfies AugmentTask, [task.packed.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    this.pump(); // queued jobs run here
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
