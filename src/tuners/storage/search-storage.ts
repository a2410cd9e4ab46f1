/**
 * Where a search is kept: the one writer of its state and its model files. Everything is addressed by
 * ids (trial ids, worker ids), never by paths, so a folder (FileStorage, the embedded default) and a
 * database (PostgresStorage, several machines) are interchangeable under the one search loop.
 *
 * The contract, in short:
 * - `transaction(fn)` is the read-decide-write step of the search: fn reads the latest search state
 *   through `tx`, lets the oracle decide (create a trial, end one), and writes the new state through
 *   `tx`. Transactions on one storage, from any thread, process or machine, run one at a time (they
 *   are serializable), and a transaction's writes become visible together when fn resolves, or not at
 *   all when fn throws or its process dies. This is what keeps Hyperband's rounds whole and hands each
 *   trial to exactly one worker: a worker "claims" a trial by the oracle recording it as running for
 *   that worker id inside a transaction (`ongoing` in the oracle state, status RUNNING in its record).
 * - Trials are kept once: the oracle state refers to trials by id; the records live apart
 *   (`saveTrial`/`loadTrials`), so a reader (the CLI summary, the report) needs no oracle.
 * - Liveness: every process that runs trials registers its worker ids and heartbeats them from its main
 *   thread (on the storage's clock: the database's, for a database); a worker whose last heartbeat is
 *   older than the grace period (`heartbeatGraceMs`), or whose process is gone (same host), is not
 *   alive, and the next transaction that sees its running trial hands it out again (the search loop
 *   does that, and refuses the late result of a worker whose trial was taken away).
 * - Waking: a process with nothing to do waits in `waitForChange` until another process commits a
 *   change (PostgreSQL: LISTEN/NOTIFY) or the storage's poll interval passes (the fallback).
 * - Artifacts (checkpoints of each trial's best epoch, the best model) are bytes, not files: a model
 *   is its model.json object plus one weights blob (`StoredModel`, converted from/to tfjs
 *   `ModelArtifacts` by `artifacts.ts`), so a database can keep them in a row.
 */
import type { HyperParameterSpec } from '../hyperparameters.js';
import type { OracleState } from '../oracle.js';
import type { TrialRecord } from '../trial.js';

/** The stored search format; a storage refuses (or migrates, saying so) any other. */
export const SEARCH_FORMAT = 'tfjs-tuner/oracle@2';

/**
 * The oracle state as stored: `OracleState` with its trials replaced by their ids (the records are
 * kept once, by `saveTrial`).
 */
export type StoredOracleState = Omit<OracleState, 'trials'> & { trialIds: string[] };

/** One search: what a project holds besides its trial records and artifacts. */
export interface StoredSearch {
  format: typeof SEARCH_FORMAT;
  /** The oracle's settings (kind, objective, schedule parameters): a storage holds one search. */
  settings: Record<string, unknown>;
  /** The search space the hypermodel declared before the first trial. */
  initialSpace: HyperParameterSpec[];
  state: StoredOracleState;
}

/** A saved model as plain data: the model.json object (topology, weightsManifest, ...) and its weights. */
export interface StoredModel {
  /** The tfjs model.json content; its weightsManifest describes `weights` as one blob. */
  modelJson: Record<string, unknown>;
  /** All weights, concatenated in weightsManifest order (tfjs's weightData). */
  weights: Uint8Array;
}

/** What a process records about a worker id it runs trials under. */
export interface WorkerInfo {
  /** Host name and process id (for messages, and for FileStorage's same-host liveness check). */
  host: string;
  pid: number;
  /** 'serial' (workers: 1, the trial runs in the search's thread) or 'thread' (a worker thread). */
  kind: 'serial' | 'thread';
}

/** A registered worker as the storage knows it. */
export interface WorkerRecord extends WorkerInfo {
  workerId: string;
  /** Last heartbeat, ms since the epoch (storage clock). */
  lastSeen: number;
  /** Whether the storage believes it alive (same-host pid check, or a recent heartbeat). */
  alive: boolean;
}

/** What `transaction` hands fn: reads see the latest committed state; writes commit with the transaction. */
export interface SearchTransaction {
  loadSearch(): Promise<StoredSearch | undefined>;
  saveSearch(search: StoredSearch): Promise<void>;
  loadTrial(trialId: string): Promise<TrialRecord | undefined>;
  /** Every trial record, in trial-id order. */
  loadTrials(): Promise<TrialRecord[]>;
  saveTrial(record: TrialRecord): Promise<void>;
  /** The workers registered on this search (alive or not). */
  workers(): Promise<WorkerRecord[]>;
}

/** Model files of a search, by trial id (and one best model). */
export interface ArtifactStore {
  /** The best epoch's model of a trial (replaces what was there). */
  saveCheckpoint(trialId: string, model: StoredModel): Promise<void>;
  loadCheckpoint(trialId: string): Promise<StoredModel | undefined>;
  deleteCheckpoint(trialId: string): Promise<void>;
  /** The search's exported best model (`tfjs-tuner tune` writes it). */
  saveBestModel(model: StoredModel): Promise<void>;
  loadBestModel(): Promise<StoredModel | undefined>;
  /**
   * Other named files of the search (e.g. 'report.html', the CLI's HTML report). Names are plain file
   * names (letters, digits, '.', '-', '_'); replaces what was there.
   */
  saveFile(name: string, data: Uint8Array): Promise<void>;
  /**
   * Writes a named file only if the search has none of that name: of several machines racing, exactly one
   * gets true (it created the file); the others get false and leave it as the winner wrote it.
   */
  createFile(name: string, data: Uint8Array): Promise<boolean>;
  loadFile(name: string): Promise<Uint8Array | undefined>;
}

export interface OpenOptions {
  /** Delete what the storage holds and start afresh (default false: resume). */
  overwrite?: boolean;
}

export interface SearchStorage {
  /** Where the search is, for messages: a folder, or a database and search name (never a password). */
  readonly location: string;
  /** Creates the search's place if needed (and clears it with overwrite). Idempotent. */
  open(opts?: OpenOptions): Promise<void>;
  /** Whether there is a search here (a stored search state). */
  exists(): Promise<boolean>;
  /** Releases connections, timers and this process's worker registrations. */
  close(): Promise<void>;

  /** Runs fn as one serializable transaction (see the contract at the top of this file). */
  transaction<T>(fn: (tx: SearchTransaction) => Promise<T>): Promise<T>;

  /** Snapshot reads outside a transaction (for readers: summary, report, getBestModels). */
  loadSearch(): Promise<StoredSearch | undefined>;
  loadTrials(): Promise<TrialRecord[]>;

  /**
   * Registers a worker id of this process (idempotent): the storage keeps it alive (heartbeats) until
   * `unregisterWorker` or `close`.
   */
  registerWorker(workerId: string, info: WorkerInfo): Promise<void>;
  unregisterWorker(workerId: string): Promise<void>;
  /** Marks this process's workers as alive now (the storage calls it on a timer too). */
  heartbeat(): Promise<void>;
  /** A worker not heard from for this long (ms) is not alive: its running trial is handed out again. */
  readonly heartbeatGraceMs: number;

  /**
   * How many changes by other transactions this process has been told of so far (starts listening for
   * them on first call). Read it before a step, then `waitForChange(mark, ...)` after it: a change
   * committed in between is not missed.
   */
  changeCount(): Promise<number>;
  /**
   * Resolves once changeCount() passes `since` (another transaction committed a change), or after the
   * storage's poll interval, or after maxMs, whichever comes first. Never rejects.
   */
  waitForChange(since: number, maxMs: number): Promise<void>;

  readonly artifacts: ArtifactStore;
}
