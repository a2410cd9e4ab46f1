/**
 * A class-per-subfolder image folder that a parallel search can hand to its workers, decoded once per
 * search: the main thread decodes every image into ONE SharedArrayBuffer (resized uint8 pixels) and
 * installs views of it in its own decoded cache; each worker re-creates the DirectoryIterator from the
 * same options and installs the same views in its cache, so no worker decodes a file again and the
 * pixels sit in memory once, whatever the number of workers.
 */
import { DEFAULT_MAX_IMAGE_PIXELS, channelsOf, decodeImage, decodeOptionsKey, type DecodeOptions } from '../decode.js';
import { cacheKey, decodedCache } from '../decoded-cache.js';
import { decodeLimit } from '../decode-pool.js';
import { setAugmentWorkers } from '../augment-pool.js';
import { indexDirectory } from '../file-index.js';
import { FLOW_FROM_DATAFRAME_KEYS, FLOW_FROM_DIRECTORY_KEYS, GENERATOR_KEYS, ImageDataGenerator, type ImageDataGeneratorOptions } from '../image-data-generator.js';
import { DataConfigError } from '../errors.js';
import { checkOptionKeys } from '../../util/option-keys.js';
import type { DirectoryIterator, FlowFromDirectoryOptions } from '../directory-iterator.js';
import { decodeOptionsOf } from '../file-iterator.js';
import type { WorkerDataModuleSpec, WorkerDataSource } from '../../contract/worker-data.js';

/** JSON options of `new ImageDataGenerator(generator).flowFromDirectory(directory, flow)`. */
export interface DirectorySourceOptions {
  directory: string;
  /** No preprocessingFunction: a function cannot reach a worker. */
  generator?: Omit<ImageDataGeneratorOptions, 'preprocessingFunction'>;
  flow?: FlowFromDirectoryOptions;
}

/** Decoded pixels of a folder, one image after another in one shared buffer; keys as the decoded cache's. */
export interface SharedDecodedFolder {
  buffer: SharedArrayBuffer;
  height: number;
  width: number;
  channels: number;
  keys: string[];
}

type WorkerOptions = DirectorySourceOptions & SharedSourceOptions;

export { decodeOptionsOf };

const sharedFolders = new Map<string, Promise<SharedDecodedFolder>>();

/** An image file as the decoded cache keys it. */
export interface CacheableFile {
  filepath: string;
  size: number;
  mtimeMs: number;
}

/**
 * Decodes `files` once into a SharedArrayBuffer, memoised for the process under `id` (a second search
 * over the same files reuses it), and puts views of it in this thread's decoded cache. Unreadable
 * images are left out: the iterator reports them as it always does.
 */
export function shareDecodedFiles(id: string, files: () => readonly CacheableFile[], decode: DecodeOptions): Promise<SharedDecodedFolder> {
  let shared = sharedFolders.get(id);
  if (!shared) {
    shared = decodeFiles(files(), decode);
    sharedFolders.set(id, shared);
    shared.catch(() => sharedFolders.delete(id));
  }
  return shared.then((s) => {
    installSharedDecodedFolder(s);
    return s;
  });
}

/** shareDecodedFiles for every image of a class-per-subfolder folder. */
export function shareDecodedFolder(directory: string, flow: FlowFromDirectoryOptions = {}): Promise<SharedDecodedFolder> {
  const decode = decodeOptionsOf(flow);
  const id = JSON.stringify([directory, flow.classes, flow.followLinks, decodeOptionsKey(decode)]);
  return shareDecodedFiles(id, () => indexDirectory(directory, { classes: flow.classes, followLinks: flow.followLinks }).files, decode);
}

async function decodeFiles(files: readonly CacheableFile[], decode: DecodeOptions): Promise<SharedDecodedFolder> {
  const [height, width] = decode.targetSize;
  const channels = channelsOf(decode.colorMode);
  const per = height * width * channels;
  const buffer = new SharedArrayBuffer(per * files.length);
  const optionsKey = decodeOptionsKey(decode);
  const keys: string[] = new Array(files.length).fill('');
  await Promise.all(files.map((f, i) => decodeLimit(async () => {
    const key = cacheKey(f.filepath, f.mtimeMs, f.size, optionsKey);
    const img = decodedCache.has(key) ? decodedCache.get(key)! : await decodeImage(f.filepath, decode).catch(() => null);
    if (!img || img.data.length !== per) return;
    new Uint8Array(buffer, i * per, per).set(img.data);
    keys[i] = key;
  })));
  return { buffer, height, width, channels, keys };
}

/** Puts views of the shared pixels in this thread's decoded cache (call in each worker). */
export function installSharedDecodedFolder(s: SharedDecodedFolder): void {
  const per = s.height * s.width * s.channels;
  s.keys.forEach((key, i) => {
    if (key) decodedCache.set(key, { data: new Uint8Array(s.buffer, i * per, per), height: s.height, width: s.width, channels: s.channels });
  });
}

/** The main thread's generator of a worker data source; a preprocessingFunction cannot reach a worker. */
export function generatorForWorkers(source: string, options: ImageDataGeneratorOptions | undefined): ImageDataGenerator {
  if (typeof options?.preprocessingFunction === 'function') {
    throw new Error(`${source}: a preprocessingFunction cannot be sent to worker threads; ` +
      'do that step in the model (a layer) or use workers: 1.');
  }
  return new ImageDataGenerator(options);
}

/**
 * The worker sources take {generator: {...}, flow: {...}} as two objects: a flow or generator option given
 * at the top (`targetSize`, `rescale`) would be ignored, so it is refused, saying where it goes.
 */
export function checkSourceKeys(source: string, opts: object, allowed: readonly string[]): void {
  checkOptionKeys(`${source}()`, opts, allowed, {
    makeError: (m) => new DataConfigError(m),
    notes: Object.fromEntries([
      ...GENERATOR_KEYS.map((k) => [k, `${k} is an ImageDataGenerator option: pass it inside generator: {${k}}.`]),
      ...[...new Set([...FLOW_FROM_DIRECTORY_KEYS, ...FLOW_FROM_DATAFRAME_KEYS])].filter((k) => !allowed.includes(k)).map((k) => [k, `${k} is a flow option: pass it inside flow: {${k}}.`]),
    ]),
  });
}

/** What every worker data source sends along: the shared pixels and the fitted featurewise statistics. */
export interface SharedSourceOptions {
  generator?: Omit<ImageDataGeneratorOptions, 'preprocessingFunction'>;
  shared: SharedDecodedFolder;
  mean: Float32Array | null;
  std: Float32Array | null;
}

/** The worker side of a source: its decoded cache filled from the shared pixels, the same generator. */
export function generatorInWorker(o: SharedSourceOptions): ImageDataGenerator {
  // Every trial worker already keeps a core busy: augment in this thread rather than in a nested pool
  // per worker (N workers x cores threads would only fight over the same cores).
  setAugmentWorkers(0);
  installSharedDecodedFolder(o.shared);
  const generator = new ImageDataGenerator(o.generator);
  generator.mean = o.mean;
  generator.std = o.std;
  return generator;
}

/**
 * `new ImageDataGenerator(generator).flowFromDirectory(directory, flow)`, plus `toWorkerSpec()` so that
 * `search(iterator, {workers: N})` can send it to worker threads (see the module comment). Serial
 * searches use it as the plain DirectoryIterator it is.
 */
export function flowFromDirectoryForWorkers(opts: DirectorySourceOptions): DirectoryIterator & WorkerDataSource {
  checkSourceKeys('flowFromDirectoryForWorkers', opts, ['directory', 'generator', 'flow']);
  const generator = generatorForWorkers('flowFromDirectoryForWorkers', opts.generator);
  const iterator = generator.flowFromDirectory(opts.directory, opts.flow);
  const toWorkerSpec = async (): Promise<WorkerDataModuleSpec> => {
    const shared = await shareDecodedFolder(opts.directory, opts.flow);
    const options: WorkerOptions = { ...opts, shared, mean: generator.mean, std: generator.std };
    return { module: import.meta.url, exportName: 'directorySourceInWorker', options };
  };
  return Object.assign(iterator, { toWorkerSpec });
}

/** The worker side: the same iterator, its decoded cache filled from the shared pixels. */
export function directorySourceInWorker(o: WorkerOptions): DirectoryIterator {
  return generatorInWorker(o).flowFromDirectory(o.directory, { ...o.flow, cache: 'memory', verbose: false });
}
