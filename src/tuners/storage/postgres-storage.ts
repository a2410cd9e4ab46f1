/**
 * A SearchStorage in a PostgreSQL database, so that several machines run one search (Optuna's way: every
 * worker reads and writes the shared state; no chief process). Many searches share one database, by name.
 *
 * - Transactions: BEGIN, lock this search's row (SELECT ... FOR UPDATE), run fn, COMMIT. Every writer
 *   takes the same row lock, so read-decide-write steps run one at a time across machines, and a process
 *   that dies mid-transaction has its connection closed and its writes rolled back by the server. A lost
 *   race (serialization failure, deadlock) or a lost connection (server restart, network cut) runs the
 *   whole step again.
 * - A step whose COMMIT was sent but whose reply never came (the connection dropped right then) may
 *   have committed: each step writes a token (tfjs_tuner_commits) in its own transaction, and the retry
 *   first looks for it, under the search's row lock, so a committed step is never run twice.
 * - Liveness: registered workers are heartbeaten from this process's main thread; the time is the
 *   database's (now()), so machines' clocks never matter. A worker is alive while its last heartbeat is
 *   younger than heartbeatGraceMs. A session idle inside a transaction for that long (its machine cut
 *   off mid-step) is ended by the server, so it cannot hold the search's row lock for the others.
 * - Artifacts are rows (model.json as json, weights as bytea): no shared filesystem is needed.
 * - Each committed step that saved the search sends NOTIFY tfjs_tuner (payload: the search name); one
 *   extra connection per process LISTENs, so idle workers wake at once (polling is the fallback).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { TrialRecord } from '../trial.js';
import { connectionError, isConnectionLoss, isRace, isServerRestarting } from './postgres-errors.js';
import { ensureSchema } from './postgres-schema.js';
import { refuseOverwriteWhileLive } from './overwrite-guard.js';
import type {
  ArtifactStore, OpenOptions, SearchStorage, SearchTransaction, StoredModel, StoredSearch, WorkerInfo, WorkerRecord,
} from './search-storage.js';

export interface PostgresStorageOptions {
  /** postgresql://user:password@host:port/database */
  connectionString: string;
  /** The search's name in the database (the project name). */
  search: string;
  /** Connections per process (default 3: a transaction, a heartbeat, a reader). */
  poolSize?: number;
  /** A worker is dead after this long without a heartbeat (default 30 s): its running trial is handed out again. */
  heartbeatGraceMs?: number;
  /** @deprecated the former name of heartbeatGraceMs */
  workerStaleMs?: number;
  /** How often this process heartbeats its workers (default heartbeatGraceMs / 6). */
  heartbeatMs?: number;
  /** How often a process with nothing to run looks again when no notification came (default 1 s). */
  pollMs?: number;
  /** How long to keep reconnecting to a server that went away after we had reached it (default 120 s). */
  reconnectMs?: number;
}

/** The channel of the NOTIFY sent after each step that saved a search. */
export const NOTIFY_CHANNEL = 'tfjs_tuner';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** How long a first contact retries a server that is restarting (a restart takes a few seconds). */
const FIRST_CONTACT_RETRY_MS = 15_000;

export class PostgresStorage implements SearchStorage {
  readonly location: string;
  readonly artifacts: ArtifactStore;
  readonly search: string;
  private readonly pool: pg.Pool;
  readonly heartbeatGraceMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private beating: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private changes = 0;
  private listenedBefore = false;
  private readonly waiters = new Set<() => void>();
  private commits = 0;
  private readonly reconnectMs: number;
  private readonly user: string;
  private readonly database: string;
  private readonly server: string;
  private readonly mine = new Map<string, WorkerInfo>();
  private timer: NodeJS.Timeout | undefined;
  private schemaReady: Promise<void> | undefined;
  private reached = false;
  private closed = false;

  constructor(readonly opts: PostgresStorageOptions) {
    const u = new URL(opts.connectionString);
    this.user = decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres';
    this.database = decodeURIComponent(u.pathname.replace(/^\//, '')) || this.user;
    this.server = `${u.hostname || 'localhost'}:${u.port || 5432}`;
    this.search = opts.search;
    // never the password in messages
    this.location = `postgresql://${this.user}@${this.server}/${this.database} (search "${opts.search}")`;
    this.heartbeatGraceMs = opts.heartbeatGraceMs ?? opts.workerStaleMs ?? 30_000;
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(100, Math.floor(this.heartbeatGraceMs / 6));
    this.pollMs = opts.pollMs ?? 1000;
    this.reconnectMs = opts.reconnectMs ?? 120_000;
    this.pool = new pg.Pool({
      connectionString: opts.connectionString, max: opts.poolSize ?? 3, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000,
      allowExitOnIdle: true, keepAlive: true,
      // a session of a machine cut off mid-step would hold the search's row lock until TCP gives up
      options: `-c idle_in_transaction_session_timeout=${Math.max(1000, this.heartbeatGraceMs)}`,
    });
    // an idle connection dropped by a restart or a cut link: the pool discards it; the next query reconnects
    this.pool.on('error', () => undefined);
    this.artifacts = new PostgresArtifacts(this);
  }

  private get where(): string {
    return `${this.server}/${this.database}`;
  }

  /**
   * Runs fn on a pooled connection; a lost connection (after we had reached the server once) is retried
   * until reconnectMs; the first contact fails at once, with what to do, unless the server is restarting
   * (it resets the connection or says it is starting up): that is retried for up to FIRST_CONTACT_RETRY_MS.
   */
  async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>, retryRaces = false): Promise<T> {
    if (this.closed) throw new Error(`${this.location}: the storage is closed`);
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        // after a first success any lost connection is retried; before it, only a server that is restarting
        // (briefly), so that a wrong host or port is reported at once
        const retry = this.reached ? isConnectionLoss(e) && Date.now() - started < this.reconnectMs
          : isServerRestarting(e) && Date.now() - started < Math.min(this.reconnectMs, FIRST_CONTACT_RETRY_MS);
        if (retry) {
          await sleep(Math.min(2000, 100 * 2 ** attempt));
          continue;
        }
        throw connectionError(e, this.where, this.user, this.database);
      }
      this.reached = true;
      let broken = false;
      // a connection dropped while checked out emits 'error' on the client as well as failing its query
      const onError = () => undefined;
      client.on('error', onError);
      try {
        await this.ensureSchema(client);
        return await fn(client);
      } catch (e) {
        broken = isConnectionLoss(e);
        if (broken && Date.now() - started < this.reconnectMs) {
          await sleep(Math.min(2000, 100 * 2 ** attempt));
          continue;
        }
        if (retryRaces && isRace(e) && attempt < 50) {
          await sleep(Math.random() * 20 * (attempt + 1));
          continue;
        }
        throw e;
      } finally {
        client.off('error', onError);
        client.release(broken ? true : undefined);
      }
    }
  }

  private async ensureSchema(client: pg.PoolClient): Promise<void> {
    this.schemaReady ??= ensureSchema(client, `PostgreSQL ${this.where}`).catch((e) => {
      this.schemaReady = undefined;
      throw e;
    });
    await this.schemaReady;
  }

  async open(opts: OpenOptions = {}): Promise<void> {
    await this.withClient(async (c) => {
      if (opts.overwrite) {
        refuseOverwriteWhileLive(this.location, await new PostgresTransaction(c, this.search, this.heartbeatGraceMs).workers());
        await c.query('DELETE FROM tfjs_tuner_searches WHERE name = $1', [this.search]);
      }
      await c.query('INSERT INTO tfjs_tuner_searches (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [this.search]);
    });
  }

  async exists(): Promise<boolean> {
    return this.withClient(async (c) => {
      const r = await c.query('SELECT 1 FROM tfjs_tuner_searches WHERE name = $1 AND state IS NOT NULL', [this.search]);
      return r.rowCount! > 0;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const listener = this.listener;
    this.listener = undefined;
    this.listening = undefined;
    for (const wake of this.waiters) wake();
    await listener?.end().catch(() => undefined);
    if (this.mine.size > 0) {
      await this.withClient((c) => c.query('DELETE FROM tfjs_tuner_workers WHERE search = $1 AND worker_id = ANY($2)', [this.search, [...this.mine.keys()]]))
        .catch(() => undefined); // a dead server: the heartbeat goes stale instead
      this.mine.clear();
    }
    this.closed = true;
    await this.pool.end();
  }

  async transaction<T>(fn: (tx: SearchTransaction) => Promise<T>): Promise<T> {
    const token = randomUUID();
    // set once COMMIT was sent: a retry then first checks whether that attempt committed after all
    let sent: { out: T } | undefined;
    return this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        await c.query('INSERT INTO tfjs_tuner_searches (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [this.search]);
        // the row lock also waits out an earlier attempt's COMMIT still in progress on the server
        await c.query('SELECT 1 FROM tfjs_tuner_searches WHERE name = $1 FOR UPDATE', [this.search]);
        if (sent) {
          const done = await c.query('SELECT 1 FROM tfjs_tuner_commits WHERE token = $1', [token]);
          if (done.rowCount! > 0) {
            await c.query('ROLLBACK');
            return sent.out;
          }
          sent = undefined;
        }
        const tx = new PostgresTransaction(c, this.search, this.heartbeatGraceMs);
        const out = await fn(tx);
        if (tx.wrote) {
          await c.query('INSERT INTO tfjs_tuner_commits (token, search) VALUES ($1, $2)', [token, this.search]);
          // tokens only matter for a retry seconds later: forget old ones now and then
          if (++this.commits % 200 === 1) await c.query("DELETE FROM tfjs_tuner_commits WHERE search = $1 AND committed_at < now() - interval '1 hour'", [this.search]);
        }
        if (tx.savedSearch) await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, this.search]);
        if (tx.wrote) sent = { out };
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }, true);
  }

  async loadSearch(): Promise<StoredSearch | undefined> {
    return this.withClient((c) => readSearch(c, this.search));
  }

  async loadTrials(): Promise<TrialRecord[]> {
    return this.withClient((c) => readTrials(c, this.search));
  }

  async registerWorker(workerId: string, info: WorkerInfo): Promise<void> {
    this.mine.set(workerId, info);
    await this.withClient((c) => c.query(
      `INSERT INTO tfjs_tuner_workers (search, worker_id, host, pid, kind, last_seen) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (search, worker_id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, kind = EXCLUDED.kind, last_seen = now()`,
      [this.search, workerId, info.host, info.pid, info.kind]));
    if (!this.timer) {
      // from the main thread, on a timer that does not keep the process alive
      this.timer = setInterval(() => void this.heartbeat().catch(() => undefined), this.heartbeatMs);
      this.timer.unref();
    }
  }

  async unregisterWorker(workerId: string): Promise<void> {
    this.mine.delete(workerId);
    await this.withClient((c) => c.query('DELETE FROM tfjs_tuner_workers WHERE search = $1 AND worker_id = $2', [this.search, workerId]));
  }

  /** One at a time: heartbeats on a hanging connection (a cut link) do not pile up. */
  heartbeat(): Promise<void> {
    if (this.mine.size === 0 || this.closed) return Promise.resolve();
    this.beating ??= this.withClient(async (c) => {
      await c.query('UPDATE tfjs_tuner_workers SET last_seen = now() WHERE search = $1 AND worker_id = ANY($2)', [this.search, [...this.mine.keys()]]);
    }).finally(() => (this.beating = undefined));
    return this.beating;
  }

  async changeCount(): Promise<number> {
    this.listen();
    await this.listening?.catch(() => undefined);
    return this.changes;
  }

  waitForChange(since: number, maxMs: number): Promise<void> {
    this.listen();
    if (this.changes !== since || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(maxMs, this.pollMs)));
      this.waiters.add(done);
    });
  }

  private changed(): void {
    this.changes++;
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * The LISTEN connection, (re)made on demand: after it dropped (a restart, a cut link) the next wait
   * makes a new one, and counts a change, since notifications sent meanwhile were missed.
   */
  private listen(): void {
    if (this.closed || this.listening) return;
    const client = new pg.Client({ connectionString: this.opts.connectionString, keepAlive: true, connectionTimeoutMillis: 10_000 });
    const drop = () => {
      if (this.listener !== client) return; // not up yet: the connect below fails and says so
      this.listener = undefined;
      this.listening = undefined;
      client.end().catch(() => undefined);
    };
    client.on('error', drop);
    client.on('end', drop);
    client.on('notification', (m) => {
      if (m.channel === NOTIFY_CHANNEL && m.payload === this.search) this.changed();
    });
    const again = this.listenedBefore;
    this.listening = (async () => {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.listener = client;
      this.listenedBefore = true;
      if (again) this.changed();
    })().catch(async () => {
      // the server is away: waits poll until a later call reconnects (not sooner than a poll interval)
      await sleep(this.pollMs);
      if (this.listener !== client) this.listening = undefined;
      client.end().catch(() => undefined);
    });
  }
}

async function readSearch(c: pg.PoolClient, search: string): Promise<StoredSearch | undefined> {
  const r = await c.query('SELECT format, settings, initial_space, state FROM tfjs_tuner_searches WHERE name = $1 AND state IS NOT NULL', [search]);
  if (r.rowCount === 0) return undefined;
  const row = r.rows[0];
  return { format: row.format, settings: row.settings, initialSpace: row.initial_space, state: row.state };
}

async function readTrials(c: pg.PoolClient, search: string): Promise<TrialRecord[]> {
  // COLLATE "C": code-unit order, as JavaScript sorts ids, whatever the database's locale
  const r = await c.query('SELECT record FROM tfjs_tuner_trials WHERE search = $1 ORDER BY trial_id COLLATE "C"', [search]);
  return r.rows.map((row) => row.record as TrialRecord);
}

class PostgresTransaction implements SearchTransaction {
  savedSearch = false;
  wrote = false;
  constructor(private readonly c: pg.PoolClient, private readonly search: string, private readonly graceMs: number) {}

  loadSearch(): Promise<StoredSearch | undefined> {
    return readSearch(this.c, this.search);
  }

  async saveSearch(s: StoredSearch): Promise<void> {
    await this.c.query('UPDATE tfjs_tuner_searches SET format = $2, settings = $3, initial_space = $4, state = $5, updated_at = now() WHERE name = $1',
      [this.search, s.format, JSON.stringify(s.settings), JSON.stringify(s.initialSpace), JSON.stringify(s.state)]);
    this.savedSearch = true;
    this.wrote = true;
  }

  async loadTrial(trialId: string): Promise<TrialRecord | undefined> {
    const r = await this.c.query('SELECT record FROM tfjs_tuner_trials WHERE search = $1 AND trial_id = $2', [this.search, trialId]);
    return r.rowCount === 0 ? undefined : (r.rows[0].record as TrialRecord);
  }

  loadTrials(): Promise<TrialRecord[]> {
    return readTrials(this.c, this.search);
  }

  async saveTrial(t: TrialRecord): Promise<void> {
    await this.c.query(
      `INSERT INTO tfjs_tuner_trials (search, trial_id, status, score, best_step, attempts, record, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (search, trial_id) DO UPDATE SET status = EXCLUDED.status, score = EXCLUDED.score, best_step = EXCLUDED.best_step,
         attempts = EXCLUDED.attempts, record = EXCLUDED.record, updated_at = now()`,
      [this.search, t.trialId, t.status, t.score, t.bestStep, (t.failedAttempts ?? 0) + (t.crashes ?? 0), JSON.stringify(t)]);
    this.wrote = true;
  }

  async workers(): Promise<WorkerRecord[]> {
    // clock_timestamp(): the database's clock now, not the transaction's start
    const r = await this.c.query(
      `SELECT worker_id, host, pid, kind, (extract(epoch FROM last_seen) * 1000)::float8 AS last_seen,
              clock_timestamp() - last_seen < make_interval(secs => $2 / 1000.0) AS alive
       FROM tfjs_tuner_workers WHERE search = $1 ORDER BY worker_id COLLATE "C"`, [this.search, this.graceMs]);
    return r.rows.map((w) => ({ workerId: w.worker_id, host: w.host, pid: w.pid, kind: w.kind, lastSeen: w.last_seen, alive: w.alive }));
  }
}

const toBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const toBytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const FILE_NAME = /^[A-Za-z0-9._-]+$/;

class PostgresArtifacts implements ArtifactStore {
  constructor(private readonly s: PostgresStorage) {}

  /** Writes one artifact; an existing one is replaced, or with `keep` left as it is. True: this call wrote it. */
  private async put(kind: string, name: string, modelJson: Record<string, unknown> | null, data: Uint8Array, onConflict: 'replace' | 'keep' = 'replace'): Promise<boolean> {
    const r = await this.s.withClient((c) => c.query(
      `INSERT INTO tfjs_tuner_artifacts (search, kind, name, model_json, data, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (search, kind, name) ${onConflict === 'keep' ? 'DO NOTHING' : 'DO UPDATE SET model_json = EXCLUDED.model_json, data = EXCLUDED.data, updated_at = now()'}`,
      [this.s.search, kind, name, modelJson === null ? null : JSON.stringify(modelJson), toBuffer(data)]));
    return r.rowCount === 1;
  }

  private checkFileName(name: string): void {
    if (!FILE_NAME.test(name)) throw new Error(`${this.s.location}: "${name}" is not a plain file name (letters, digits, '.', '-', '_')`);
  }

  private async get(kind: string, name: string): Promise<{ model_json: Record<string, unknown> | null; data: Buffer } | undefined> {
    return this.s.withClient(async (c) => {
      const r = await c.query('SELECT model_json, data FROM tfjs_tuner_artifacts WHERE search = $1 AND kind = $2 AND name = $3', [this.s.search, kind, name]);
      return r.rows[0];
    });
  }

  private async getModel(kind: string, name: string): Promise<StoredModel | undefined> {
    const row = await this.get(kind, name);
    return row ? { modelJson: row.model_json!, weights: toBytes(row.data) } : undefined;
  }

  async saveCheckpoint(trialId: string, model: StoredModel): Promise<void> {
    await this.put('checkpoint', trialId, model.modelJson, model.weights);
  }
  loadCheckpoint(trialId: string): Promise<StoredModel | undefined> {
    return this.getModel('checkpoint', trialId);
  }
  async deleteCheckpoint(trialId: string): Promise<void> {
    await this.s.withClient((c) => c.query("DELETE FROM tfjs_tuner_artifacts WHERE search = $1 AND kind = 'checkpoint' AND name = $2", [this.s.search, trialId]));
  }
  async saveBestModel(model: StoredModel): Promise<void> {
    await this.put('best', 'best', model.modelJson, model.weights);
  }
  loadBestModel(): Promise<StoredModel | undefined> {
    return this.getModel('best', 'best');
  }
  saveFile(name: string, data: Uint8Array): Promise<void> {
    this.checkFileName(name);
    return this.put('file', name, null, data).then(() => undefined);
  }
  createFile(name: string, data: Uint8Array): Promise<boolean> {
    this.checkFileName(name);
    return this.put('file', name, null, data, 'keep');
  }
  async loadFile(name: string): Promise<Uint8Array | undefined> {
    const row = await this.get('file', name);
    return row ? toBytes(row.data) : undefined;
  }
}
