/**
 * The PostgreSQL schema tfjs-tuner owns: created on first use and migrated forward, one numbered step at
 * a time, recorded in tfjs_tuner_schema. Several machines may open the database at once, so the
 * migration runs under a transaction-scoped advisory lock (one migrator; the others then see it done).
 * A database migrated by a newer tfjs-tuner is refused rather than guessed at.
 */
import type pg from 'pg';

/** Each entry migrates from version i to i + 1. Never edit a released step; append a new one. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE tfjs_tuner_searches (
    name          text PRIMARY KEY,
    format        text,
    settings      json,             -- the oracle's settings (kind, objective, schedule)
    initial_space json,             -- the search space declared before the first trial
    state         json,             -- the oracle state (trials by id); NULL until the first save
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE tfjs_tuner_trials (
    search     text NOT NULL REFERENCES tfjs_tuner_searches(name) ON DELETE CASCADE,
    trial_id   text NOT NULL,
    status     text NOT NULL,
    score      double precision,
    best_step  integer,
    attempts   integer NOT NULL DEFAULT 0,  -- failed attempts + crashes (retries counted)
    record     json NOT NULL,               -- the whole TrialRecord (hyperparameters, metrics per epoch, ...)
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (search, trial_id)
  );
  CREATE INDEX tfjs_tuner_trials_status ON tfjs_tuner_trials (search, status);
  CREATE TABLE tfjs_tuner_workers (
    search    text NOT NULL REFERENCES tfjs_tuner_searches(name) ON DELETE CASCADE,
    worker_id text NOT NULL,
    host      text NOT NULL,
    pid       integer NOT NULL,
    kind      text NOT NULL,
    last_seen timestamptz NOT NULL DEFAULT now(),   -- the database's clock, never a machine's
    PRIMARY KEY (search, worker_id)
  );
  CREATE INDEX tfjs_tuner_workers_seen ON tfjs_tuner_workers (search, last_seen);
  CREATE TABLE tfjs_tuner_artifacts (
    search     text NOT NULL REFERENCES tfjs_tuner_searches(name) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('checkpoint', 'best', 'file')),
    name       text NOT NULL,        -- trial id, 'best', or a file name
    model_json json,                 -- a model's model.json (NULL for a plain file)
    data       bytea NOT NULL,       -- the weights blob, or the file's bytes
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (search, kind, name)
  );
  `,
  // 2: a token per committed step, so a step whose COMMIT reply was lost (server restart, cut link) is
  // recognised as done when it is retried, instead of running twice
  `
  CREATE TABLE tfjs_tuner_commits (
    token        uuid PRIMARY KEY,
    search       text NOT NULL REFERENCES tfjs_tuner_searches(name) ON DELETE CASCADE,
    committed_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX tfjs_tuner_commits_age ON tfjs_tuner_commits (search, committed_at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
/** An arbitrary constant: the advisory lock key of tfjs-tuner's migrations. */
const MIGRATION_LOCK = 727_170_001;

export class SchemaVersionError extends Error {}

/** Creates or migrates the schema; refuses a database written by a newer tfjs-tuner. */
export async function ensureSchema(client: pg.PoolClient, where: string): Promise<void> {
  const current = async (): Promise<number> => {
    // two statements: a query naming a missing table fails at planning, whatever its CASE says
    const t = await client.query<{ t: string | null }>(`SELECT to_regclass('tfjs_tuner_schema')::text AS t`);
    if (t.rows[0].t === null) return 0;
    const r = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM tfjs_tuner_schema');
    return r.rows[0].v ?? 0;
  };
  const check = (v: number) => {
    if (v > SCHEMA_VERSION) {
      throw new SchemaVersionError(`${where}: the tfjs-tuner tables are at schema version ${v}, newer than this tfjs-tuner knows (${SCHEMA_VERSION}). ` +
        'Upgrade tfjs-tuner on this machine to the version the other machines run (or use another database).');
    }
  };
  const seen = await current();
  check(seen);
  if (seen === SCHEMA_VERSION) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS tfjs_tuner_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const v = await current();
    check(v);
    for (let i = v; i < SCHEMA_VERSION; i++) {
      await client.query(MIGRATIONS[i]);
      await client.query('INSERT INTO tfjs_tuner_schema (version) VALUES ($1)', [i + 1]);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
