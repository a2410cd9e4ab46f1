/**
 * A lock file that serializes read-modify-write transactions on a project directory between threads
 * and processes: created atomically with its content (a hard link of a written temporary file), holding
 * `host pid`. A lock whose holder died on this host
 * is taken over; one held longer than `staleMs` by a process we cannot check (another host) is too.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockOptions {
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
  /** A lock older than this from another host is considered abandoned (default 10 min). */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let takeovers = 0;

async function tryRemoveStale(path: string, content: string): Promise<void> {
  // Rename first: of several processes finding the same stale lock, one wins the rename.
  const aside = `${path}.stale-${process.pid}-${takeovers++}`;
  try {
    await fs.rename(path, aside);
  } catch {
    return;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  if (moved !== content) {
    // A live holder took the lock between our read and rename: give it back.
    await fs.rename(aside, path).catch(() => undefined);
    return;
  }
  await fs.rm(aside, { force: true });
}

let tempCounter = 0;

/**
 * Creates `path` holding `content`, atomically: false if it exists. The content is written to a
 * temporary file first and hard-linked into place, so a process killed at any moment never leaves an
 * empty lock file (which names no holder, so nobody could tell that its holder died).
 */
async function createWithContent(path: string, content: string): Promise<boolean> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${tempCounter++}`);
  await fs.writeFile(tmp, content);
  try {
    await fs.link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Runs fn holding the lock file at `path`. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const staleMs = opts.staleMs ?? 600_000;
  const start = Date.now();
  const me = `${hostname()} ${process.pid} ${start}`;
  let wait = 2;
  for (;;) {
    if (await createWithContent(path, me)) break;
    const content = await fs.readFile(path, 'utf8').catch(() => null);
    if (content !== null) {
      const [host, pidText] = content.split(' ');
      const pid = Number(pidText);
      const age = Date.now() - ((await fs.stat(path).catch(() => null))?.mtimeMs ?? Date.now());
      if ((host === hostname() && Number.isInteger(pid) && !isProcessAlive(pid)) || age > staleMs) {
        await tryRemoveStale(path, content);
        continue;
      }
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for the project lock ${path} ` +
        `(held by ${content ?? 'unknown'}). If no search is running on this project, delete the file.`);
    }
    await sleep(wait);
    wait = Math.min(50, wait * 2);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(path, { force: true });
  }
}

/** A tuner id naming a parallel search's worker slot: `<tunerId>/<host>/<pid>/w<i>`. */
export function workerSlotId(tunerId: string, slot: number): string {
  return `${tunerId}/${hostname()}/${process.pid}/w${slot}`;
}

/** The host and pid in a worker slot's tuner id (undefined for a plain tuner id). */
export function parseWorkerSlotId(tunerId: string): { host: string; pid: number } | undefined {
  const m = /\/([^/]+)\/(\d+)\/w\d+$/.exec(tunerId);
  return m ? { host: m[1], pid: Number(m[2]) } : undefined;
}

/** Whether a process recorded as (host, pid) is another process alive on this host. */
export function isOtherLiveProcess(owner: { host?: string; pid?: number } | undefined): boolean {
  return !!owner && owner.host === hostname() && typeof owner.pid === 'number' && owner.pid !== process.pid && isProcessAlive(owner.pid);
}

/** The tuner id a worker id belongs to: the worker id without its `/<host>/<pid>/w<i>` slot (a plain id is its own). */
export function tunerIdOfWorker(workerId: string): string {
  return workerId.replace(/\/[^/]+\/\d+\/w\d+$/, '');
}
