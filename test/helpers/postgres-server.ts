/**
 * A throwaway PostgreSQL server for tests: its own temporary data directory, a free port on loopback,
 * run as the unprivileged `postgres` user when the tests run as root (the server refuses root), stopped
 * and deleted by `stop()` (call it from `after`, so a failed test still cleans up).
 * Needs Debian's postgresql package (initdb / pg_ctl on PATH or under /usr/lib/postgresql/<v>/bin);
 * `.ci/run` installs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  host: string;
  port: number;
  /** The superuser name (the OS user the server runs as). */
  user: string;
  /** A connection string to `database` (default: the one created at start). */
  url(database?: string, user?: string, password?: string): string;
  /** The database created at start. */
  database: string;
  dataDir: string;
  /** pg_ctl stop / start on the same data directory and port (a server restart mid-search). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Where initdb lives: PATH first, then Debian's versioned folder. */
export function postgresBinDir(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..');
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  for (const v of readdirSync(base).sort().reverse()) {
    if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Runs a PostgreSQL program as the server's user (`runuser -u postgres` when we are root). */
function asServerUser(bin: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * listen: listen_addresses (default 127.0.0.1; '*' for hosts in network namespaces); allow: a subnet
 * (e.g. '10.150.0.0/16') whose clients may log in with the password.
 */
export async function startPostgres(opts: { listen?: string; database?: string; allow?: string } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): apt-get install -y postgresql');
  const root = process.getuid?.() === 0;
  const user = root ? 'postgres' : (process.env.USER ?? 'postgres');
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-tuner-pg-'));
  chmodSync(dir, 0o777); // the postgres user writes its data and socket here
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const host = '127.0.0.1';
  const listen = opts.listen ?? host;
  const database = opts.database ?? 'tfjs_tuner_test';
  // md5 on TCP so wrong credentials are a real error; the superuser has the password 'test'
  const pwfile = join(dir, 'pw');
  execFileSync('sh', ['-c', `printf test > ${pwfile} && chmod 644 ${pwfile}`]);
  asServerUser(join(bin, 'initdb'), ['-D', dataDir, '-U', user, '--pwfile', pwfile, '-A', 'scram-sha-256', '--auth-local', 'trust', '-E', 'UTF8', '--no-sync']);
  if (opts.allow) appendFileSync(join(dataDir, 'pg_hba.conf'), `host all all ${opts.allow} scram-sha-256\n`);
  const pgctl = (...args: string[]) => asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', join(dir, 'log'), ...args]);
  const options = `-p ${port} -c listen_addresses=${listen} -k ${dir} -c fsync=off -c max_connections=200`;
  const start = () => pgctl('-w', '-t', '60', '-o', options, 'start');
  start();
  const url = (db = database, u = user, password = 'test') => `postgresql://${encodeURIComponent(u)}:${encodeURIComponent(password)}@${host}:${port}/${db}`;
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  let stopped = false;
  return {
    host, port, user, database, dataDir, url,
    async restart() {
      pgctl('-w', '-m', 'fast', 'stop');
      start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        pgctl('-w', '-m', 'immediate', 'stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
