/**
 * Opens a PostgresStorage per conformance key on the test's throwaway server (its URL in
 * TFJS_TUNER_TEST_PG_URL, set by postgres-storage.test.ts and inherited by the suite's child processes).
 * Short heartbeats, so a killed worker is seen dead within seconds.
 */
import { PostgresStorage } from '../../src/tuners/storage/postgres-storage.js';
import type { SearchStorage } from '../../src/tuners/storage/search-storage.js';

export async function makeStorage(key: string): Promise<SearchStorage> {
  const url = process.env.TFJS_TUNER_TEST_PG_URL;
  if (!url) throw new Error('TFJS_TUNER_TEST_PG_URL is not set: postgres-storage.test.ts starts the server and sets it');
  return new PostgresStorage({ connectionString: url, search: key, heartbeatGraceMs: 3000, heartbeatMs: 500 });
}
