/**
 * What can go wrong talking to PostgreSQL, in words that say what to do, and which failures are worth
 * retrying (a lost race between two machines, or a server that is restarting).
 */

interface PgLikeError { code?: string; message?: string }

/** SQLSTATEs of a transaction that lost a race and can simply run again. */
const RACE = new Set(['40001', '40P01']);
/** The connection went away (server restart, network cut): reconnect and run again. */
const CONNECTION = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isRace(e: unknown): boolean {
  return RACE.has(String((e as PgLikeError)?.code));
}

export function isConnectionLoss(e: unknown): boolean {
  const err = e as PgLikeError;
  if (CONNECTION.has(String(err?.code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(String(err?.message));
}

/**
 * A first contact refused by a server that is there but restarting (connection reset, "the database system
 * is starting up / shutting down"): worth a short retry, unlike a port nobody listens on.
 */
export function isServerRestarting(e: unknown): boolean {
  const err = e as PgLikeError;
  if (['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03'].includes(String(err?.code))) return true;
  return /Connection terminated unexpectedly/i.test(String(err?.message));
}

/** The error to show for a failure to connect at all (first contact): names the server and the fix. */
export function connectionError(e: unknown, where: string, user: string, database: string): Error {
  const err = e as PgLikeError;
  const code = String(err?.code);
  let msg: string;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT' || /timeout/i.test(String(err?.message))) {
    msg = `cannot reach the PostgreSQL server ${where} (${err?.message}): is it running and listening there (listen_addresses, port, firewall)? Check the host and port in --storage.`;
  } else if (isServerRestarting(e)) {
    msg = `the PostgreSQL server ${where} closed the connection while it was being set up (${err?.message}), on every try: ` +
      'it may be restarting or shutting down, or what listens there is not PostgreSQL (another service, a proxy). ' +
      'Check that the server is up (pg_isready) and the host and port in --storage.';
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    msg = `the PostgreSQL host of ${where} is not known (${err?.message}): check the host name in --storage.`;
  } else if (code === '28P01' || code === '28000') {
    msg = `PostgreSQL at ${where} refused user "${user}" (${err?.message}): check the user name and password in --storage (postgresql://USER:PASSWORD@HOST:PORT/DATABASE) and pg_hba.conf.`;
  } else if (code === '3D000') {
    msg = `the database "${database}" does not exist on the PostgreSQL server ${where}: create it (createdb ${database}, or CREATE DATABASE ${database}) or name another one in --storage.`;
  } else {
    return e instanceof Error ? e : new Error(String(e));
  }
  const out = new Error(msg, { cause: e });
  (out as Error & { code?: string }).code = code;
  return out;
}
