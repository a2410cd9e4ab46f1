/**
 * The storage a search option names: an instance as is, `postgresql://...` (or `postgres://`) a
 * PostgresStorage whose search is the project name, nothing the project folder (FileStorage).
 * A storage is also described as plain data (`describeStorage`), so that worker threads open the same
 * storage in their own thread (a folder, or the database with a small pool of their own).
 */
import { FileStorage } from './file-storage.js';
import { PostgresStorage } from './postgres-storage.js';
import type { SearchStorage } from './search-storage.js';

export type StorageSpec = SearchStorage | string;

/** A storage as data that can cross to a worker thread. */
export type StorageDescriptor =
  | { kind: 'folder'; directory: string; projectName: string }
  | { kind: 'postgres'; connectionString: string; search: string };

export interface OpenStorageOptions {
  /** PostgreSQL connections of this storage (default PostgresStorage's 3). */
  poolSize?: number;
}

export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

export function openStorage(spec: StorageSpec | undefined, directory: string, projectName: string, opts: OpenStorageOptions = {}): SearchStorage {
  if (spec === undefined) return new FileStorage(directory, projectName);
  if (typeof spec !== 'string') return spec;
  if (isPostgresUrl(spec)) return new PostgresStorage({ connectionString: spec, search: projectName, ...(opts.poolSize !== undefined ? { poolSize: opts.poolSize } : {}) });
  throw new Error(`storage "${spec}" is not a PostgreSQL URL: give postgresql://USER:PASSWORD@HOST:PORT/DATABASE, a SearchStorage instance, ` +
    'or leave it out to keep the search in the project folder (--directory / --project-name).');
}

/** The descriptor of a FileStorage or a PostgresStorage; another SearchStorage cannot be reopened elsewhere. */
export function describeStorage(storage: SearchStorage): StorageDescriptor {
  if (storage instanceof FileStorage) return { kind: 'folder', directory: storage.directory, projectName: storage.projectName };
  if (storage instanceof PostgresStorage) return { kind: 'postgres', connectionString: storage.opts.connectionString, search: storage.search };
  throw new Error(`search({workers}) opens the search's storage in every worker thread, which works for a folder or a PostgreSQL URL, ` +
    `not for this ${storage.constructor?.name ?? 'custom'} SearchStorage (${storage.location}): use workers: 1, or storage: 'postgresql://...'.`);
}

/** Opens what `describeStorage` described (in a worker thread: no heartbeat, just artifacts). */
export function openDescribedStorage(d: StorageDescriptor, opts: OpenStorageOptions = {}): SearchStorage {
  return d.kind === 'folder'
    ? new FileStorage(d.directory, d.projectName)
    : openStorage(d.connectionString, '.', d.search, opts);
}
