/**
 * The project directory, `<directory>/<projectName>/`: oracle.json (the oracle's whole state), one
 * `trial_<id>/` per trial (trial.json, and checkpoint/ with the best epoch's model), and
 * `<tunerId>.json`. The store is its only writer and every write is atomic.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from './atomic-write.js';
import { withFileLock, type LockOptions } from './project-lock.js';
import type { HyperParameterSpec } from './hyperparameters.js';
import type { OracleState } from './oracle.js';
import type { TrialRecord } from './trial.js';


export const ORACLE_FORMAT = 'tfjs-tuner/oracle@1';

export interface OracleFile {
  format: typeof ORACLE_FORMAT;
  /** The oracle's settings (kind, objective, schedule parameters): a project holds one search. */
  settings: Record<string, unknown>;
  /** The search space the hypermodel declared before the first trial. */
  initialSpace: HyperParameterSpec[];
  state: OracleState;
}

export class ProjectStore {
  readonly projectDir: string;

  constructor(readonly directory: string, readonly projectName: string) {
    this.projectDir = join(directory, projectName);
  }

  get lockPath(): string {
    return join(this.projectDir, '.lock');
  }

  /**
   * Runs a read-modify-write of the project holding its lock, so that several processes (the
   * coordinators of parallel searches) sharing the directory take turns. Calls from this process are
   * queued first, so they never wait on their own lock file.
   */
  withLock<T>(fn: () => Promise<T>, opts?: LockOptions): Promise<T> {
    const run = this.queue.then(() => withFileLock(this.lockPath, fn, opts));
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }
  private queue: Promise<void> = Promise.resolve();

  get oraclePath(): string {
    return join(this.projectDir, 'oracle.json');
  }

  trialDir(trialId: string): string {
    return join(this.projectDir, `trial_${trialId}`);
  }

  checkpointDir(trialId: string): string {
    return join(this.trialDir(trialId), 'checkpoint');
  }

  async loadOracle(): Promise<OracleFile | undefined> {
    const file = await readJsonIfExists<OracleFile>(this.oraclePath);
    if (file && file.format !== ORACLE_FORMAT) {
      throw new Error(`${this.oraclePath} was not written by this version of tfjs-tuner (format ${JSON.stringify(file.format)}); ` +
        'use overwrite: true or another projectName.');
    }
    return file;
  }

  async saveOracle(file: OracleFile): Promise<void> {
    await writeJsonAtomic(this.oraclePath, file);
  }

  async saveTrial(record: TrialRecord): Promise<void> {
    await fs.mkdir(this.trialDir(record.trialId), { recursive: true });
    await writeJsonAtomic(join(this.trialDir(record.trialId), 'trial.json'), record);
  }

  async loadTrial(trialId: string): Promise<TrialRecord | undefined> {
    return readJsonIfExists<TrialRecord>(join(this.trialDir(trialId), 'trial.json'));
  }

  /** Every trial.json in the project, in trial order. */
  async loadTrials(): Promise<TrialRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.projectDir);
    } catch {
      return [];
    }
    const out: TrialRecord[] = [];
    for (const name of names.filter((n) => n.startsWith('trial_')).sort()) {
      const r = await readJsonIfExists<TrialRecord>(join(this.projectDir, name, 'trial.json'));
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * `<tunerId>.json`: the tuner has run here. A serial search records its process (`owner: true`), so
   * that a parallel search can tell a live serial one from a killed one; otherwise an existing marker
   * is left as it is.
   */
  async saveTunerMarker(tunerId: string, opts: { owner?: boolean } = {}): Promise<string> {
    const path = join(this.projectDir, `${tunerId}.json`);
    if (opts.owner) await writeJsonAtomic(path, { host: hostname(), pid: process.pid });
    else if ((await readJsonIfExists(path)) === undefined) await writeJsonAtomic(path, {});
    return path;
  }

  async loadTunerMarker(tunerId: string): Promise<{ host?: string; pid?: number } | undefined> {
    return readJsonIfExists(join(this.projectDir, `${tunerId}.json`));
  }

  async hasTunerMarker(tunerId: string): Promise<boolean> {
    return (await readJsonIfExists(join(this.projectDir, `${tunerId}.json`))) !== undefined;
  }
}
