/**
 * A hypermodel that other threads and processes can load: a module path (or file:/URL) and an export
 * name. A function cannot cross a thread boundary; a module can be imported again in each worker.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface HyperModelModule {
  /** An absolute path to the module (.js, or .ts under tsx), or a file:/data:/package URL. */
  module: string;
  /**
   * The export to use (default 'default'). Without `hypermodelOptions` it is the hypermodel itself
   * (a function `(hp) => model` or an object with `build`); with them it is a factory
   * `(options) => hypermodel`.
   */
  exportName?: string;
}

export function isHyperModelModule(v: unknown): v is HyperModelModule {
  return typeof v === 'object' && v !== null && typeof (v as HyperModelModule).module === 'string' && typeof (v as { build?: unknown }).build !== 'function';
}

/** The import specifier for a module path: absolute paths become file: URLs. */
export function moduleSpecifier(module: string): string {
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith('./') || module.startsWith('../')) {
    throw new Error(`The module "${module}" is relative: give an absolute path (path.resolve(...)) or a file: URL, ` +
      'so that worker threads, which start elsewhere, find the same file.');
  }
  return module;
}

/** Imports `spec.module` and returns its export (called with `options` when given). */
export async function importExport(spec: { module: string; exportName?: string }, what: string, options?: unknown): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(moduleSpecifier(spec.module));
  } catch (err) {
    throw new Error(`Cannot import the ${what} module "${spec.module}": ${(err as Error).message}`);
  }
  const name = spec.exportName ?? 'default';
  const value = mod[name];
  if (value === undefined) {
    throw new Error(`The ${what} module "${spec.module}" has no export "${name}" (exports: ${Object.keys(mod).join(', ') || 'none'}).`);
  }
  if (options === undefined) return value;
  if (typeof value !== 'function') throw new Error(`With options, the export "${name}" of "${spec.module}" must be a factory function (options) => ${what}.`);
  return (value as (o: unknown) => unknown)(options);
}
