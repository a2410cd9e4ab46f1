/**
 * The search's best model with what feeds it (image size, classes: ModelMetadata), through the search's
 * storage. A project folder keeps it as before, `best-model/` with model.json, weights.bin and
 * tfjs-tuner.json; another storage (a database) keeps it as one stored model whose model.json carries
 * the metadata in tfjs's userDefinedMetadata, so it needs no folder and travels as one artifact.
 */
import tf from '../tf.cjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MODEL_METADATA_FILE, MODEL_METADATA_FORMAT, saveModelBundle, type ModelMetadata } from '../models/model-io.js';
import { FileStorage } from '../tuners/storage/file-storage.js';
import { modelToStored, storedModelLoader } from '../tuners/storage/model-artifacts.js';
import type { SearchStorage, StoredModel } from '../tuners/storage/search-storage.js';

/** The key of the metadata in model.json's userDefinedMetadata. */
const METADATA_KEY = 'tfjs-tuner';

/** Saves the best model; returns its folder (a project folder) or null (kept in the storage). */
export async function saveBestModel(storage: SearchStorage, model: tf.LayersModel, meta: Omit<ModelMetadata, 'format'>): Promise<string | null> {
  if (storage instanceof FileStorage) {
    const dir = path.join(storage.projectDir, 'best-model');
    await saveModelBundle(model, dir, meta);
    return dir;
  }
  const stored = await modelToStored(model);
  const user = (stored.modelJson.userDefinedMetadata as Record<string, unknown> | undefined) ?? {};
  stored.modelJson.userDefinedMetadata = { ...user, [METADATA_KEY]: { format: MODEL_METADATA_FORMAT, ...meta } };
  await storage.artifacts.saveBestModel(stored);
  return null;
}

/** The metadata of a stored best model (a folder's tfjs-tuner.json when model.json does not carry it). */
export function storedModelMetadata(storage: SearchStorage, stored: StoredModel): ModelMetadata | undefined {
  const embedded = (stored.modelJson.userDefinedMetadata as Record<string, unknown> | undefined)?.[METADATA_KEY] as ModelMetadata | undefined;
  if (embedded) return embedded;
  if (!(storage instanceof FileStorage)) return undefined;
  try {
    return JSON.parse(readFileSync(path.join(storage.projectDir, 'best-model', MODEL_METADATA_FILE), 'utf8')) as ModelMetadata;
  } catch {
    return undefined;
  }
}

/** Loads the best model and its metadata from the storage; a message that says what to run when there is none. */
export async function loadBestModel(storage: SearchStorage, hint: string): Promise<{ model: tf.LayersModel; meta: ModelMetadata }> {
  const stored = await storage.artifacts.loadBestModel();
  if (!stored) throw new Error(`${storage.location} holds no best model: ${hint}`);
  const meta = storedModelMetadata(storage, stored);
  if (!meta || meta.format !== MODEL_METADATA_FORMAT) {
    throw new Error(`The best model of ${storage.location} does not say how to feed it (image size, classes: ${MODEL_METADATA_FORMAT} metadata): ` +
      'it was not saved by tfjs-tuner tune; run tune again to the end.');
  }
  const model = await tf.loadLayersModel(storedModelLoader(stored));
  return { model, meta };
}
