/**
 * `<directory>/<projectName>/<tunerId>.json`: a tuner has run here. A serial search records its process
 * (`owner: true`), so that another process can tell a live serial search from a killed one. Everything
 * else about a search is kept by its SearchStorage.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from './atomic-write.js';

export class TunerMarkers {
  readonly projectDir: string;

  constructor(readonly directory: string, readonly projectName: string) {
    this.projectDir = join(directory, projectName);
  }

  /** Writes the marker; without `owner`, an existing marker is left as it is. */
  async saveTunerMarker(tunerId: string, opts: { owner?: boolean } = {}): Promise<string> {
    const path = join(this.projectDir, `${tunerId}.json`);
    if (opts.owner) await writeJsonAtomic(path, { host: hostname(), pid: process.pid });
    else if ((await readJsonIfExists(path)) === undefined) await writeJsonAtomic(path, {});
    return path;
  }

  async loadTunerMarker(tunerId: string): Promise<{ host?: string; pid?: number } | undefined> {
    return readJsonIfExists(join(this.projectDir, `${tunerId}.json`));
  }
}
