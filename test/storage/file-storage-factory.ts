/**
 * Opens a FileStorage per conformance key, under one temporary folder shared by the test and its children.
 * A short heartbeat grace period, so a frozen worker is seen dead within seconds.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage } from '../../src/tuners/storage/file-storage.js';
import type { SearchStorage } from '../../src/tuners/storage/search-storage.js';

export async function makeStorage(key: string): Promise<SearchStorage> {
  return new FileStorage(join(tmpdir(), 'tfjs-tuner-conformance'), key, { heartbeatGraceMs: 3000, heartbeatMs: 500 });
}
