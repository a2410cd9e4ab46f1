/**
 * The embedded default SearchStorage: a project folder `<directory>/<projectName>/`, in the layout the
 * current version writes, so its projects resume unchanged:
 *   oracle.json                 the search state (format oracle@1: trials also embedded, for readers of v1)
 *   trial_<id>/trial.json       each trial's record
 *   trial_<id>/checkpoint/      its best epoch's model (model.json + weights.bin, the tfjs format)
 *   best-model/                 the exported best model (model.json + weights.bin)
 *   <tunerId>.json              the tuner's registered workers (host, pid, kind, lastSeen), by worker id
 *                               (`<tunerId>/<host>/<pid>/w<i>`); 0.1's serial marker {host, pid} reads
 *                               as one worker named tunerId
 *   .lock                       held by a transaction or a registration (see project-lock.ts)
 * A transaction holds the lock and buffers its writes until fn resolves; then it writes the trial
 * records, and oracle.json last, each atomically. oracle.json is the commit point: it embeds the
 * records of its trials, and reads inside a transaction take a trial from it before its trial.json,
 * so a process killed while applying (trial.json written, oracle.json not) leaves the search as it was
 * before that transaction, exactly as tfjs-tuner 0.1's projects behave on resume.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../atomic-write.js';
import { isProcessAlive, tunerIdOfWorker, withFileLock, type LockOptions } from '../project-lock.js';
import { checkOverwriteFolder, refuseOverwriteWhileLive } from './overwrite-guard.js';
import { FileArtifacts } from './file-artifacts.js';
import type { TrialRecord } from '../trial.js';
import type { OracleState } from '../oracle.js';
import {
  SEARCH_FORMAT, type ArtifactStore, type OpenOptions, type SearchStorage, type SearchTransaction, type StoredSearch, type WorkerInfo,
  type WorkerRecord,
} from './search-storage.js';

/** The oracle.json format of tfjs-tuner 0.1 (trials embedded in the state), which this storage keeps writing. */
const FILE_FORMAT = 'tfjs-tuner/oracle@1';
interface OracleFileV1 {
  format: typeof FILE_FORMAT;
  settings: Record<string, unknown>;
  initialSpace: StoredSearch['initialSpace'];
  state: OracleState;
}

/** A worker not heard of for this long is considered dead (its process may live on, frozen or cut off). */
const DEFAULT_GRACE_MS = 60_000;
/** How often a process with nothing to run looks at the folder for other processes' changes. */
const DEFAULT_POLL_MS = 250;

/** `<tunerId>.json`: the tuner's workers; `host`/`pid` alone is 0.1's serial marker (kept until that process is gone). */
interface TunerFile {
  workers?: Record<string, Omit<WorkerRecord, 'workerId' | 'alive'>>;
  host?: string;
  pid?: number;
}

function toStored(file: OracleFileV1): StoredSearch {
  const { trials, ...rest } = file.state;
  return { format: SEARCH_FORMAT, settings: file.settings, initialSpace: file.initialSpace, state: { ...rest, trialIds: trials.map((t) => t.trialId) } };
}

export interface FileStorageOptions extends LockOptions {
  /** A worker is dead after this long without a heartbeat (default 60 s; on this host a gone process is dead at once). */
  heartbeatGraceMs?: number;
  /** @deprecated the former name of heartbeatGraceMs */
  workerStaleMs?: number;
  /** How often this process heartbeats its workers (default heartbeatGraceMs / 6). */
  heartbeatMs?: number;
  /** How often a process with nothing to run looks for other processes' changes (default 250 ms). */
  pollMs?: number;
}

export class FileStorage implements SearchStorage {
  readonly projectDir: string;
  readonly artifacts: ArtifactStore;
  private queue: Promise<void> = Promise.resolve();
  private readonly mine = new Map<string, WorkerInfo>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  readonly heartbeatGraceMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;

  constructor(readonly directory: string, readonly projectName: string, private readonly opts: FileStorageOptions = {}) {
    this.projectDir = join(directory, projectName);
    this.artifacts = new FileArtifacts(this.projectDir);
    this.heartbeatGraceMs = opts.heartbeatGraceMs ?? opts.workerStaleMs ?? DEFAULT_GRACE_MS;
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(100, Math.floor(this.heartbeatGraceMs / 6));
    this.pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  }

  get location(): string {
    return this.projectDir;
  }

  private get oraclePath(): string {
    return join(this.projectDir, 'oracle.json');
  }
  private trialPath(trialId: string): string {
    return join(this.projectDir, `trial_${trialId}`, 'trial.json');
  }

  async open(opts: OpenOptions = {}): Promise<void> {
    if (opts.overwrite) {
      await checkOverwriteFolder(this.projectDir);
      refuseOverwriteWhileLive(this.location, await this.workers());
      await fs.rm(this.projectDir, { recursive: true, force: true });
    }
    await fs.mkdir(this.projectDir, { recursive: true });
    await this.removeStaleTempFiles();
  }

  /** A process killed during a write leaves its temporary file behind: clean those up. */
  private async removeStaleTempFiles(): Promise<void> {
    const entries = await fs.readdir(this.projectDir, { recursive: true });
    for (const rel of entries.map(String)) {
      const m = /(?:^|[\\/])\.[^\\/]+\.tmp-(\d+)-\d+$/.exec(rel);
      // Another live process may be writing it: only remove files of dead writers.
      if (m && !isProcessAlive(Number(m[1]))) await fs.rm(join(this.projectDir, rel), { force: true });
    }
  }

  async exists(): Promise<boolean> {
    return (await this.readSearchFile()) !== undefined;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const id of [...this.mine.keys()]) await this.unregisterWorker(id);
    await this.queue;
  }

  /** Runs fn holding the project's lock file; calls from this process queue first, so they never wait on their own lock. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => withFileLock(join(this.projectDir, '.lock'), fn, this.opts));
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  transaction<T>(fn: (tx: SearchTransaction) => Promise<T>): Promise<T> {
    return this.locked(async () => {
      const committed = await this.readSearchFile();
      const embedded = new Map((committed?.state.trials ?? []).map((r) => [r.trialId, r]));
      const readTrial = async (id: string) => pending.get(id) ?? embedded.get(id) ?? (await readJsonIfExists<TrialRecord>(this.trialPath(id)));
      const pending = new Map<string, TrialRecord>();
      let search: StoredSearch | undefined | null = null; // null: not written
      const tx: SearchTransaction = {
        loadSearch: async () => (search !== null ? search : committed && toStored(committed)),
        saveSearch: async (s) => {
          search = structuredClone(s);
        },
        loadTrial: readTrial,
        loadTrials: async () => {
          const byId = new Map((await this.loadTrials()).map((r) => [r.trialId, r]));
          for (const [id, r] of embedded) byId.set(id, r);
          for (const [id, r] of pending) byId.set(id, r);
          return [...byId.values()].sort((a, b) => (a.trialId < b.trialId ? -1 : a.trialId > b.trialId ? 1 : 0));
        },
        saveTrial: async (r) => {
          pending.set(r.trialId, structuredClone(r));
        },
        workers: () => this.workers(),
      };
      const result = await fn(tx);
      if (search === null && pending.size === 0) return result;
      const file = search ? await this.toFile(search, readTrial) : undefined;
      for (const r of pending.values()) {
        await fs.mkdir(join(this.projectDir, `trial_${r.trialId}`), { recursive: true });
        await writeJsonAtomic(this.trialPath(r.trialId), r);
      }
      if (file) await writeJsonAtomic(this.oraclePath, file);
      return result;
    });
  }

  /** oracle.json keeps v1's shape: the state embeds the records of its trial ids. */
  private async toFile(search: StoredSearch, readTrial: (id: string) => Promise<TrialRecord | undefined>): Promise<OracleFileV1> {
    const { trialIds, ...rest } = search.state;
    const trials: TrialRecord[] = [];
    for (const id of trialIds) {
      const r = await readTrial(id);
      if (!r) throw new Error(`The search state names trial ${id}, but ${this.location} holds no record of it: save the trial in the same transaction.`);
      trials.push(r);
    }
    return { format: FILE_FORMAT, settings: search.settings, initialSpace: search.initialSpace, state: { ...rest, trials } as OracleState };
  }

  private async readSearchFile(): Promise<OracleFileV1 | undefined> {
    const file = await readJsonIfExists<OracleFileV1>(this.oraclePath);
    if (file && file.format !== FILE_FORMAT) {
      throw new Error(`${this.oraclePath} was not written by this version of tfjs-tuner (format ${JSON.stringify(file.format)}); ` +
        'use overwrite: true or another projectName.');
    }
    return file;
  }

  async loadSearch(): Promise<StoredSearch | undefined> {
    const file = await this.readSearchFile();
    return file && toStored(file);
  }

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

  private tunerPath(tunerId: string): string {
    if (tunerId === 'oracle') throw new Error(`The tuner id "oracle" is taken by ${this.oraclePath}: choose another tunerId.`);
    return join(this.projectDir, `${encodeURIComponent(tunerId)}.json`);
  }

  /**
   * Rewrites `<tunerId>.json` under the project lock (processes with one tuner id share the file): a
   * 0.1 marker becomes a worker entry, and entries of dead processes on this host are dropped.
   */
  private updateTunerFile(tunerId: string, change: (workers: NonNullable<TunerFile['workers']>) => void): Promise<void> {
    return this.locked(async () => {
      const path = this.tunerPath(tunerId);
      const file = (await readJsonIfExists<TunerFile>(path).catch(() => undefined)) ?? {};
      const workers = { ...file.workers };
      if (typeof file.host === 'string' && typeof file.pid === 'number') {
        workers[tunerId] ??= { host: file.host, pid: file.pid, kind: 'serial', lastSeen: Date.now() };
      }
      for (const [id, w] of Object.entries(workers)) if (w.host === hostname() && !isProcessAlive(w.pid)) delete workers[id];
      change(workers);
      await writeJsonAtomic(path, { workers });
    });
  }

  async registerWorker(workerId: string, info: WorkerInfo): Promise<void> {
    this.mine.set(workerId, info);
    await this.updateTunerFile(tunerIdOfWorker(workerId), (ws) => {
      ws[workerId] = { ...info, lastSeen: Date.now() };
    });
    if (!this.timer) {
      this.timer = setInterval(() => void this.heartbeat().catch(() => undefined), this.heartbeatMs);
      this.timer.unref();
    }
  }

  async unregisterWorker(workerId: string): Promise<void> {
    this.mine.delete(workerId);
    // the project may be gone (deleted by its user): nothing is registered then
    if (!(await fs.stat(this.projectDir).catch(() => undefined))) return;
    await this.updateTunerFile(tunerIdOfWorker(workerId), (ws) => {
      delete ws[workerId];
    });
  }

  /** One at a time: a slow disk or a busy lock never piles heartbeats up. */
  heartbeat(): Promise<void> {
    this.beating ??= this.beat().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async beat(): Promise<void> {
    const tuners = new Set([...this.mine.keys()].map(tunerIdOfWorker));
    for (const tunerId of tuners) {
      await this.updateTunerFile(tunerId, (ws) => {
        for (const [id, info] of this.mine) if (tunerIdOfWorker(id) === tunerId) ws[id] = { ...info, lastSeen: Date.now() };
      });
    }
  }

  /** A folder announces nothing: waiting is polling. */
  async changeCount(): Promise<number> {
    return 0;
  }

  async waitForChange(_since: number, maxMs: number): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(maxMs, this.pollMs))));
  }


  /** Every registered worker: the entries of each `<tunerId>.json` (0.1's serial markers too). */
  private async workers(): Promise<WorkerRecord[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.projectDir)).filter((n) => n.endsWith('.json') && n !== 'oracle.json');
    } catch {
      return [];
    }
    const grace = this.heartbeatGraceMs;
    // On this host a gone pid says it at once; everywhere a heartbeat older than the grace period does
    // (a process that is frozen, or cut off from the folder, lives on but runs nothing we hear of).
    const alive = (w: { host: string; pid: number; lastSeen: number }) => (w.host !== hostname() || isProcessAlive(w.pid)) && Date.now() - w.lastSeen < grace;
    // 0.1's serial marker is never rewritten: only its pid can tell (on this host)
    const legacyAlive = (w: { host: string; pid: number; lastSeen: number }) => (w.host === hostname() ? isProcessAlive(w.pid) : Date.now() - w.lastSeen < grace);
    const out: WorkerRecord[] = [];
    for (const name of names.sort()) {
      const path = join(this.projectDir, name);
      const file = await readJsonIfExists<TunerFile>(path).catch(() => undefined);
      if (!file || typeof file !== 'object') continue;
      for (const [workerId, w] of Object.entries(file.workers ?? {})) out.push({ workerId, ...w, alive: alive(w) });
      if (typeof file.host === 'string' && typeof file.pid === 'number' && !file.workers) {
        const lastSeen = (await fs.stat(path).catch(() => undefined))?.mtimeMs ?? 0;
        const w = { host: file.host, pid: file.pid, lastSeen };
        out.push({ workerId: decodeURIComponent(name.slice(0, -'.json'.length)), kind: 'serial', ...w, alive: legacyAlive(w) });
      }
    }
    return out.sort((a, b) => (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0));
  }
}
