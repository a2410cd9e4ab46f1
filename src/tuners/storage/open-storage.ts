/**
 * The storage a search option names: an instance as is, `postgresql://...` (or `postgres://`) a
 * PostgresStorage whose search is the project name, nothing the project folder (FileStorage).
 */
import { FileStorage } from './file-storage.js';
import { PostgresStorage } from './postgres-storage.js';
import type { SearchStorage } from './search-storage.js';

export type StorageSpec = SearchStorage | string;

export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

export function openStorage(spec: StorageSpec | undefined, directory: string, projectName: string): SearchStorage {
  if (spec === undefined) return new FileStorage(directory, projectName);
  if (typeof spec !== 'string') return spec;
  if (isPostgresUrl(spec)) return new PostgresStorage({ connectionString: spec, search: projectName });
  throw new Error(`storage "${spec}" is not a PostgreSQL URL: give postgresql://USER:PASSWORD@HOST:PORT/DATABASE, a SearchStorage instance, ` +
    'or leave it out to keep the search in the project folder (--directory / --project-name).');
}
