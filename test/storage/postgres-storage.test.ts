import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { describeStorageConformance } from './conformance.js';
import { emptySearch, trialRecord } from './conformance-helpers.js';
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import { SCHEMA_VERSION } from '../../src/tuners/storage/postgres-schema.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
  process.env.TFJS_TUNER_TEST_PG_URL = server.url();
});
after(async () => {
  await server?.stop();
});

describeStorageConformance('PostgresStorage', join(import.meta.dirname, 'postgres-storage-factory.ts'));

/** Starts `proxy` on a free loopback port; returns the server's connection string pointed at it. */
async function listenProxy(proxy: Server): Promise<string> {
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  return server.url().replace(`:${server.port}/`, `:${port}/`);
}

describe('PostgresStorage: schema and errors', () => {
  test('creates its schema on first use, at the current version, and the location hides the password', async () => {
    const s = new PostgresStorage({ connectionString: server.url(), search: 'schema-check' });
    try {
      assert.equal(s.location, `postgresql://${server.user}@${server.host}:${server.port}/${server.database} (search "schema-check")`);
      assert.doesNotMatch(s.location, /test@|:test/);
      await s.open();
      const c = new pg.Client({ connectionString: server.url() });
      await c.connect();
      const v = await c.query('SELECT max(version) AS v FROM tfjs_tuner_schema');
      assert.equal(v.rows[0].v, SCHEMA_VERSION);
      const tables = await c.query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'tfjs_tuner_%' ORDER BY tablename");
      assert.deepEqual(tables.rows.map((r) => r.tablename), ['tfjs_tuner_artifacts', 'tfjs_tuner_commits', 'tfjs_tuner_schema', 'tfjs_tuner_searches', 'tfjs_tuner_trials', 'tfjs_tuner_workers']);
      await c.end();
    } finally {
      await s.close();
    }
  });

  test('trial rows carry status, score, best step and attempts besides the record', async () => {
    const s = new PostgresStorage({ connectionString: server.url(), search: 'columns' });
    try {
      await s.open({ overwrite: true });
      await s.transaction(async (tx) => {
        await tx.saveTrial({ ...trialRecord('0007', 0.25), failedAttempts: 1, crashes: 2 });
        await tx.saveSearch(emptySearch());
      });
      const c = new pg.Client({ connectionString: server.url() });
      await c.connect();
      const r = await c.query("SELECT status, score, best_step, attempts FROM tfjs_tuner_trials WHERE search = 'columns'");
      assert.deepEqual(r.rows, [{ status: 'COMPLETED', score: 0.25, best_step: 1, attempts: 3 }]);
      await c.end();
    } finally {
      await s.close();
    }
  });

  test('a server nobody listens on: the error names the server and says to check it', async () => {
    const s = new PostgresStorage({ connectionString: `postgresql://u:p@127.0.0.1:1/db`, search: 'x' });
    try {
      await assert.rejects(s.open(), /cannot reach the PostgreSQL server 127\.0\.0\.1:1\/db .*is it running.*--storage/);
    } finally {
      await s.close();
    }
  });

  test('wrong credentials: the error names the user and where to fix them', async () => {
    const s = new PostgresStorage({ connectionString: server.url(undefined, server.user, 'wrong'), search: 'x' });
    try {
      await assert.rejects(s.open(), new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${server.port}/${server.database} refused user "${server.user}".*password in --storage`));
    } finally {
      await s.close();
    }
  });

  test('a missing database: the error says how to create it', async () => {
    const s = new PostgresStorage({ connectionString: server.url('no_such_db'), search: 'x' });
    try {
      await assert.rejects(s.open(), /the database "no_such_db" does not exist on the PostgreSQL server 127\.0\.0\.1:\d+\/no_such_db: create it \(createdb no_such_db/);
    } finally {
      await s.close();
    }
  });

  test('a schema from a newer tfjs-tuner is refused, saying to upgrade', async () => {
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE newer');
    await admin.end();
    const c = new pg.Client({ connectionString: server.url('newer') });
    await c.connect();
    await c.query('CREATE TABLE tfjs_tuner_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    await c.query('INSERT INTO tfjs_tuner_schema (version) VALUES ($1)', [SCHEMA_VERSION + 1]);
    await c.end();
    const s = new PostgresStorage({ connectionString: server.url('newer'), search: 'x' });
    try {
      await assert.rejects(s.open(), new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this tfjs-tuner knows \\(${SCHEMA_VERSION}\\)\\. Upgrade tfjs-tuner`));
    } finally {
      await s.close();
    }
  });

  test('a server restarted between transactions: the next one reconnects and sees the committed state', async () => {
    const s = new PostgresStorage({ connectionString: server.url(), search: 'restart' });
    try {
      await s.open({ overwrite: true });
      await s.transaction((tx) => tx.saveSearch(emptySearch(1)));
      await server.restart();
      const n = await s.transaction(async (tx) => {
        const cur = (await tx.loadSearch())!;
        cur.settings.counter = Number(cur.settings.counter) + 1;
        await tx.saveSearch(cur);
        return cur.settings.counter;
      });
      assert.equal(n, 2);
      assert.equal((await s.loadSearch())!.settings.counter, 2);
    } finally {
      await s.close();
    }
  });

  test('a waiting process wakes on NOTIFY when another commits a change, long before its poll interval; also after a restart', async () => {
    const waiter = new PostgresStorage({ connectionString: server.url(), search: 'wake', pollMs: 30_000 });
    const writer = new PostgresStorage({ connectionString: server.url(), search: 'wake' });
    try {
      await writer.open({ overwrite: true });
      const wake = async (n: number) => {
        const mark = await waiter.changeCount();
        const t0 = Date.now();
        setTimeout(() => void writer.transaction((tx) => tx.saveSearch(emptySearch(n))), 300);
        await waiter.waitForChange(mark, 60_000);
        return Date.now() - t0;
      };
      const ms = await wake(1);
      assert.ok(ms >= 250 && ms < 3000, `woke ${ms} ms after waiting, when the change came at 300 ms (poll: 30 s)`);
      // a change committed after the mark was read, before the wait began, ends the wait at once
      const mark = await waiter.changeCount();
      await writer.transaction((tx) => tx.saveSearch(emptySearch(9)));
      const t0 = Date.now();
      await waiter.waitForChange(mark, 60_000);
      assert.ok(Date.now() - t0 < 3000);
      // the listening connection is dropped by a restart and made again (counting a change: some may be lost)
      await server.restart();
      for (let i = 0; i < 3; i++) await waiter.waitForChange(await waiter.changeCount(), 100);
      const after = await wake(2);
      assert.ok(after < 3000, `woke ${after} ms after waiting, after the restart`);
    } finally {
      await waiter.close();
      await writer.close();
    }
  });

  test('a step whose COMMIT reply is lost (the connection drops right after COMMIT) is not run again on retry', async () => {
    // a proxy to the server that, once armed, lets a COMMIT through and cuts the connection instead of its reply
    let armed = false;
    let dropped = 0;
    const proxy: Server = createServer((client) => {
      const upstream = connect(server.port, server.host);
      let dropReply = false;
      client.on('data', (d) => {
        if (armed && d.includes('COMMIT\0')) {
          armed = false;
          dropReply = true;
        }
        upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (!dropReply) return void client.write(d);
        dropped++;
        client.destroy();
        upstream.destroy();
      });
      for (const sock of [client, upstream]) sock.on('error', () => undefined);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    const s = new PostgresStorage({ connectionString: await listenProxy(proxy), search: 'lost-commit' });
    try {
      await s.open({ overwrite: true });
      await s.transaction((tx) => tx.saveSearch(emptySearch(0)));
      armed = true;
      let runs = 0;
      const n = await s.transaction(async (tx) => {
        runs++;
        const cur = (await tx.loadSearch())!;
        cur.settings.counter = Number(cur.settings.counter) + 1;
        await tx.saveSearch(cur);
        return cur.settings.counter;
      });
      assert.equal(dropped, 1, 'the COMMIT reply was lost');
      assert.equal((await s.loadSearch())!.settings.counter, 1, 'the step committed once');
      assert.equal(n, 1);
      assert.equal(runs, 1, 'the retry found the step committed and did not run it again');
    } finally {
      await s.close();
      proxy.close();
    }
  });

  /** A proxy to the server that resets (TCP RST) the first `resets` connections, as a restarting server does. */
  async function resettingProxy(resets: number): Promise<{ url: string; resetCount: () => number; close: () => void }> {
    let count = 0;
    const proxy: Server = createServer((client) => {
      client.on('error', () => undefined);
      if (count < resets) {
        count++;
        client.once('data', () => client.resetAndDestroy());
        return;
      }
      const upstream = connect(server.port, server.host);
      upstream.on('error', () => undefined);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    return { url: await listenProxy(proxy), resetCount: () => count, close: () => proxy.close() };
  }

  test('a first contact that the server resets (it is restarting) is tried again, and then works', async () => {
    const proxy = await resettingProxy(2);
    const s = new PostgresStorage({ connectionString: proxy.url, search: 'first-reset' });
    try {
      await s.open({ overwrite: true });
      await s.transaction((tx) => tx.saveSearch(emptySearch(3)));
      assert.equal(proxy.resetCount(), 2, 'the first two connections were reset');
      assert.equal((await s.loadSearch())!.settings.counter, 3);
    } finally {
      await s.close();
      proxy.close();
    }
  });

  test('a server that resets every first contact: after reconnectMs the error names the server and says what to check', async () => {
    const proxy = await resettingProxy(Infinity);
    const s = new PostgresStorage({ connectionString: proxy.url, search: 'always-reset', reconnectMs: 1500 });
    const t0 = Date.now();
    try {
      await assert.rejects(s.open(), /the PostgreSQL server 127\.0\.0\.1:\d+\/\w+ closed the connection .*ECONNRESET.*restarting.*--storage/);
      const ms = Date.now() - t0;
      assert.ok(proxy.resetCount() >= 2, `tried ${proxy.resetCount()} time(s)`);
      assert.ok(ms >= 1000 && ms < 8000, `gave up after ${ms} ms (reconnectMs 1500)`);
    } finally {
      await s.close();
      proxy.close();
    }
  });
});
