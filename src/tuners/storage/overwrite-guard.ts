/**
 * `overwrite` deletes a project folder: refuse one we did not write (no oracle.json: a user's files), and
 * one a live process is searching in (it would crash on trials that vanished under it).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readJsonIfExists } from '../atomic-write.js';
import { isOtherLiveProcess, parseWorkerSlotId } from '../project-lock.js';

type Owner = { host?: string; pid?: number };

async function readOwner(file: string): Promise<Owner | undefined> {
  const o = await readJsonIfExists<Owner>(file).catch(() => undefined);
  return o && typeof o === 'object' ? o : undefined;
}

/** What FileStorage and the CLI write at a project's top level (a search that never saved its state has no oracle.json). */
const OURS = /^(?:trial_[^/]+|best-model|report\.html|\.workers|\.lock|[^/]+\.json|\..+\.tmp-\d+-\d+)$/;

export async function checkSafeToOverwrite(projectDir: string): Promise<void> {
  const names = await fs.readdir(projectDir).catch(() => [] as string[]);
  if (names.length === 0) return;
  if (!names.includes('oracle.json') && !names.every((n) => OURS.test(n))) {
    throw new Error(`overwrite: ${projectDir} is not a tfjs-tuner project (no oracle.json; it holds ${names.slice(0, 3).join(', ')}` +
      `${names.length > 3 ? ', ...' : ''}), so it is not deleted. Use another projectName or directory, or delete it yourself.`);
  }
  const oracle = await readJsonIfExists<{ state?: { ongoing?: Record<string, unknown> } }>(join(projectDir, 'oracle.json')).catch(() => undefined);
  const owners: Owner[] = Object.keys(oracle?.state?.ongoing ?? {}).map(parseWorkerSlotId).filter((o) => o !== undefined);
  // serial tuners' markers (<tunerId>.json) and registered workers (.workers/<id>.json)
  const workers = await fs.readdir(join(projectDir, '.workers')).catch(() => [] as string[]);
  const markers = [
    ...names.filter((n) => n.endsWith('.json') && n !== 'oracle.json').map((n) => join(projectDir, n)),
    ...workers.filter((n) => n.endsWith('.json')).map((n) => join(projectDir, '.workers', n)),
  ];
  for (const file of markers) {
    const owner = await readOwner(file);
    if (owner) owners.push(owner);
  }
  const live = owners.find((o) => isOtherLiveProcess(o));
  if (live) {
    throw new Error(`overwrite: a search in process ${live.pid} is still running in ${projectDir}, so it is not deleted. ` +
      'Stop that process first (or wait for it to finish), or use another projectName.');
  }
}
