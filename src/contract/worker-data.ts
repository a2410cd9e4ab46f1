/**
 * The contract between the search and the data pipeline for worker threads: data that can describe
 * itself to a worker (the data side implements it; the search side calls it). Neither side imports
 * the other; both import this.
 */

/** What data with `toWorkerSpec()` returns: a worker imports `module` and calls the export with `options`. */
export interface WorkerDataModuleSpec {
  module: string;
  /** Default 'default'. The export is `(options) => TrainData | Promise<TrainData>`. */
  exportName?: string;
  /** JSON-serializable (structured-clone-able) arguments. */
  options?: unknown;
}

/**
 * Data that can describe itself to a worker (the data pipeline's DirectoryIterator implements it).
 * Called once per search in the main thread, before the workers start; it may prepare shared state
 * first (e.g. decode a folder once into SharedArrayBuffers that `options` carries to every worker).
 */
export interface WorkerDataSource {
  toWorkerSpec(): WorkerDataModuleSpec | Promise<WorkerDataModuleSpec>;
}
