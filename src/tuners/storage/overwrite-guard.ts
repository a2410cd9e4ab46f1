/**
 * `overwrite` deletes a search: refuse while another live process works on it (it would crash on trials
 * that vanished under it), and, for a folder, refuse one we did not write (no oracle.json: a user's files).
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonIfExists } from '../atomic-write.js';
import { isOtherLiveProcess, parseWorkerSlotId } from '../project-lock.js';
import type { WorkerRecord } from './search-storage.js';

/** What FileStorage and the CLI write at a project's top level (a search that never saved its state has no oracle.json). */
const OURS = /^(?:trial_[^/]+|best-model|report\.html|\.workers|\.lock|[^/]+\.json|\..+\.tmp-\d+-\d+)$/;

/**
 * A folder that is not a project is refused; so is one whose oracle.json has a running trial of a live
 * process on this host (a search of a version that did not register its workers).
 */
export async function checkOverwriteFolder(projectDir: string): Promise<void> {
  const names = await fs.readdir(projectDir).catch(() => [] as string[]);
  if (names.length === 0) return;
  if (!names.includes('oracle.json') && !names.every((n) => OURS.test(n))) {
    throw new Error(`overwrite: ${projectDir} is not a tfjs-tuner project (no oracle.json; it holds ${names.slice(0, 3).join(', ')}` +
      `${names.length > 3 ? ', ...' : ''}), so it is not deleted. Use another projectName or directory, or delete it yourself.`);
  }
  const oracle = await readJsonIfExists<{ state?: { ongoing?: Record<string, unknown> } }>(join(projectDir, 'oracle.json')).catch(() => undefined);
  const live = Object.keys(oracle?.state?.ongoing ?? {}).map(parseWorkerSlotId).find((o) => isOtherLiveProcess(o));
  if (live) throw runningError(projectDir, live);
}

/** Refuses while a worker of another process is registered and alive (every storage's liveness). */
export function refuseOverwriteWhileLive(location: string, workers: WorkerRecord[]): void {
  const live = workers.find((w) => w.alive && !(w.host === hostname() && w.pid === process.pid));
  if (live) throw runningError(location, live);
}

function runningError(location: string, owner: { host: string; pid: number }): Error {
  return new Error(`overwrite: a search in process ${owner.pid} is still running in ${location}` +
    `${owner.host === hostname() ? '' : ` (on ${owner.host})`}, so it is not deleted. ` +
    'Stop that process first (or wait for it to finish), or use another projectName.');
}
