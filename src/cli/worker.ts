/**
 * `tfjs-tuner worker --storage URL --project-name NAME --train DIR [--val DIR] [--hypermodel FILE]`:
 * another machine joins a search kept in PostgreSQL. Everything that decides the search (tuner, objective,
 * image size, space, seed, epochs, ...) is read from the database, as `tune` stored it; only what is
 * this machine's own comes from its command line: its copy of the data folders (checked against the
 * search's fingerprint) and of the hypermodel module (checked against its hash).
 */
import type { Output } from './output.js';
import { UsageError } from './output.js';
import { isPostgresUrl, openStorage } from '../tuners/storage/open-storage.js';
import { hypermodelIdentity, loadSearchSettings, storageFlags } from './search-settings.js';
import { noSearchError, tune, type TuneOptions, type TuneResult, type TunerKind } from './tune.js';

export interface WorkerOptions {
  storage: string;
  projectName: string;
  train: string;
  val?: string;
  hypermodel?: string;
  workers: number;
  backend?: string;
  tensorboard?: string;
}

export async function worker(o: WorkerOptions, out: Output): Promise<TuneResult> {
  if (!isPostgresUrl(o.storage)) throw new UsageError(`--storage ${o.storage}: give the postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL the search was started with.`);
  const storage = openStorage(o.storage, '.', o.projectName);
  let saved;
  try {
    saved = await loadSearchSettings(storage);
    const exists = await storage.exists();
    if (exists && !saved) {
      throw new UsageError(`${storageFlags(o.storage, o.projectName)}: this search was not started by tfjs-tuner tune, so the database holds no CLI settings ` +
        'for a worker to run it with: join it from the library (storage: the same URL and projectName), or start a search with tfjs-tuner tune --storage.');
    }
    if (!saved || !exists) throw noSearchError(o.storage, o.projectName);
  } finally {
    await storage.close();
  }
  const flags = storageFlags(o.storage, o.projectName);
  if (saved.hypermodelModule && o.hypermodel === undefined) {
    throw new UsageError(`${flags} trains the hypermodel module ${saved.hypermodelModule.name}: give this machine's copy with --hypermodel FILE.`);
  }
  if (!saved.hypermodelModule && o.hypermodel !== undefined) {
    throw new UsageError(`${flags} trains the built-in CNN, not a --hypermodel module: leave --hypermodel out.`);
  }
  const mine = hypermodelIdentity(o.hypermodel);
  if (saved.hypermodelModule && mine && mine.sha256 !== saved.hypermodelModule.sha256) {
    throw new UsageError(`this machine's --hypermodel ${o.hypermodel} (sha256 ${mine.sha256.slice(0, 12)}) is not the module ${flags} trains ` +
      `(${saved.hypermodelModule.name}, sha256 ${saved.hypermodelModule.sha256.slice(0, 12)}): copy the search's module to this machine.`);
  }
  if (saved.data.val && o.val === undefined) {
    throw new UsageError(`${flags} was started with --val (${saved.data.val.files} images): give this machine's copy with --val DIR.`);
  }
  if (!saved.data.val && o.val !== undefined) {
    throw new UsageError(`${flags}: the search has no --val${saved.validationSplit ? ` (it holds out --validation-split ${saved.validationSplit} of --train)` : ''}: leave --val out.`);
  }
  out.info(`Joining ${flags} (--tuner ${saved.tuner}, --objective ${saved.objective}, --image-size ${saved.imageSize.join('x')}, as stored).`);
  const options: TuneOptions = {
    train: o.train, val: o.val, hypermodel: o.hypermodel, storage: o.storage, projectName: o.projectName, directory: '.',
    overwrite: false, join: true, workers: o.workers, backend: o.backend, tensorboard: o.tensorboard,
    tuner: saved.tuner as TunerKind, maxEpochs: saved.maxEpochs, factor: saved.factor, maxTrials: saved.maxTrials, epochs: saved.epochs,
    objective: saved.objective, imageSize: saved.imageSize, colorMode: saved.colorMode as TuneOptions['colorMode'], batchSize: saved.batchSize,
    augment: saved.augment, space: saved.space ?? undefined, classes: saved.classFilter ?? undefined, onError: saved.onError,
    seed: saved.seed ?? undefined, validationSplit: saved.validationSplit ?? undefined, earlyStopping: saved.earlyStopping ?? undefined,
    hyperbandIterations: saved.hyperbandIterations ?? undefined, executionsPerTrial: saved.executionsPerTrial ?? undefined,
    maxConsecutiveFailedTrials: saved.maxConsecutiveFailedTrials ?? undefined, maxImagePixels: saved.maxImagePixels ?? undefined,
    maxTime: saved.maxTime ?? undefined,
  };
  return tune(options, out);
}
