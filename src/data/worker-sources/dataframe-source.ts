/**
 * `flowFromDataframe` data that a parallel search can hand to its workers, decoded once per search:
 * like directory-source.ts, the main thread decodes every kept row's image into ONE SharedArrayBuffer;
 * each worker re-creates the DataFrameIterator from the same records and options and installs views of
 * the shared pixels in its decoded cache, so no worker decodes a file again.
 */
import { statSync } from 'node:fs';
import { decodeOptionsKey } from '../decode.js';
import type { DataFrameIterator, FlowFromDataframeOptions } from '../dataframe-iterator.js';
import type { DataFrameRecord } from '../dataframe-index.js';
import type { ImageDataGeneratorOptions } from '../image-data-generator.js';
import { checkSourceKeys, decodeOptionsOf, generatorForWorkers, generatorInWorker, shareDecodedFiles, type CacheableFile, type SharedSourceOptions } from './directory-source.js';
import type { WorkerDataModuleSpec, WorkerDataSource } from '../../contract/worker-data.js';

/** JSON options of `new ImageDataGenerator(generator).flowFromDataframe(records, flow)`. */
export interface DataframeSourceOptions {
  /** Plain records (e.g. parsed CSV rows): they are copied to every worker. */
  records: readonly DataFrameRecord[];
  /** No preprocessingFunction: a function cannot reach a worker. */
  generator?: Omit<ImageDataGeneratorOptions, 'preprocessingFunction'>;
  flow?: FlowFromDataframeOptions;
}

type WorkerOptions = DataframeSourceOptions & SharedSourceOptions;

/**
 * `new ImageDataGenerator(generator).flowFromDataframe(records, flow)`, plus `toWorkerSpec()` so that
 * `search(iterator, {workers: N})` can send it to worker threads. Serial searches use it as the plain
 * DataFrameIterator it is.
 */
export function flowFromDataframeForWorkers(opts: DataframeSourceOptions): DataFrameIterator & WorkerDataSource {
  checkSourceKeys('flowFromDataframeForWorkers', opts, ['records', 'generator', 'flow']);
  const generator = generatorForWorkers('flowFromDataframeForWorkers', opts.generator);
  const iterator = generator.flowFromDataframe(opts.records, opts.flow);
  const toWorkerSpec = async (): Promise<WorkerDataModuleSpec> => {
    const decode = decodeOptionsOf(opts.flow ?? {});
    const files = (): CacheableFile[] => iterator.filepaths.map((filepath) => {
      const st = statSync(filepath, { throwIfNoEntry: false });
      return { filepath, size: st?.size ?? -1, mtimeMs: st?.mtimeMs ?? -1 };
    });
    const shared = await shareDecodedFiles(JSON.stringify(['dataframe', iterator.filepaths, decodeOptionsKey(decode)]), files, decode);
    const options: WorkerOptions = { ...opts, shared, mean: generator.mean, std: generator.std };
    return { module: import.meta.url, exportName: 'dataframeSourceInWorker', options };
  };
  return Object.assign(iterator, { toWorkerSpec });
}

/** The worker side: the same iterator, its decoded cache filled from the shared pixels. */
export function dataframeSourceInWorker(o: WorkerOptions): DataFrameIterator {
  return generatorInWorker(o).flowFromDataframe(o.records, { ...o.flow, cache: 'memory', verbose: false });
}
