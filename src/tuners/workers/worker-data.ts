/**
 * Training data that crosses to worker threads. Tensors travel as SharedArrayBuffers (one copy of the
 * pixels in memory for every worker, not one per worker); other data describes how a worker re-creates
 * it: a module export called with JSON options (a DirectoryIterator's `toWorkerSpec()` returns one).
 */
import tf from '../../tf.cjs';
import { importExport } from '../hypermodel-module.js';
import { checkTrainData, isDataset, isTensorData } from '../train-data.js';
import type { TrainData } from '../../contract/train-data.js';

export interface SharedTensor {
  buffer: SharedArrayBuffer;
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
}

import type { WorkerDataModuleSpec, WorkerDataSource } from '../../contract/worker-data.js';
export type { WorkerDataModuleSpec, WorkerDataSource } from '../../contract/worker-data.js';

export type WorkerDataSpec =
  | { kind: 'tensors'; xs: SharedTensor; ys: SharedTensor }
  | ({ kind: 'module' } & WorkerDataModuleSpec);

export function hasWorkerSpec(d: unknown): d is WorkerDataSource {
  return typeof d === 'object' && d !== null && typeof (d as WorkerDataSource).toWorkerSpec === 'function';
}

function share(t: tf.Tensor): SharedTensor {
  const data = t.dataSync();
  const dtype = t.dtype === 'bool' ? 'bool' : t.dtype === 'int32' ? 'int32' : 'float32';
  if (t.dtype !== dtype) throw new Error(`Tensors of dtype ${t.dtype} cannot be sent to workers (float32, int32 or bool).`);
  const buffer = new SharedArrayBuffer(data.byteLength);
  new (data.constructor as { new (b: SharedArrayBuffer): Float32Array | Int32Array | Uint8Array })(buffer).set(data as Float32Array);
  return { buffer, dtype, shape: [...t.shape] };
}

/** Describes training (or validation) data for workers; `what` names it in errors. */
export async function toWorkerDataSpec(data: TrainData | unknown, what: string): Promise<WorkerDataSpec> {
  if (hasWorkerSpec(data)) return { kind: 'module', ...(await data.toWorkerSpec()) };
  if (isTensorData(data)) return { kind: 'tensors', xs: share(data.xs), ys: share(data.ys) };
  if (isDataset(data)) {
    throw new Error(`${what}: a tf.data.Dataset cannot be sent to worker threads. With workers > 1 pass {xs, ys} tensors, ` +
      'an image folder from flowFromDirectoryForWorkers(...) or flowFromDataframeForWorkers(...), or an object with toWorkerSpec() returning {module, exportName, options} ' +
      'that builds the data in each worker; or search with workers: 1.');
  }
  throw new Error(`${what}: with workers > 1 the data must be {xs, ys} tensors, an image folder from flowFromDirectoryForWorkers(...) ` +
    'or flowFromDataframeForWorkers(...), or have toWorkerSpec() (got an object with toDataset() only, such as a flowFromDirectory, flow or flowFromDataframe iterator). ' +
    'Give it a toWorkerSpec() returning {module, exportName, options} that re-creates it in a worker, or search with workers: 1.');
}

function fromShared(s: SharedTensor): tf.Tensor {
  const view = s.dtype === 'float32' ? new Float32Array(s.buffer) : s.dtype === 'int32' ? new Int32Array(s.buffer) : new Uint8Array(s.buffer);
  return tf.tensor(view, s.shape, s.dtype);
}

/** Re-creates the data in a worker. */
export async function fromWorkerDataSpec(spec: WorkerDataSpec, what: string): Promise<TrainData> {
  if (spec.kind === 'tensors') return { xs: fromShared(spec.xs), ys: fromShared(spec.ys) };
  const data = await importExport(spec, 'data', spec.options ?? {});
  const resolved = await data;
  checkTrainData(resolved, `${what} (from ${spec.module})`);
  return resolved;
}
