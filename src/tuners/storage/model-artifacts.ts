/**
 * tfjs models to and from StoredModel (the bytes a SearchStorage keeps): model.json content plus one
 * weights blob, so any storage (a folder, a database row) can hold a checkpoint.
 */
import tf from '../../tf.cjs';
import type { StoredModel } from './search-storage.js';

/** The model (topology, weights, training config) as a StoredModel. */
export async function modelToStored(model: tf.LayersModel): Promise<StoredModel> {
  let stored: StoredModel | undefined;
  await model.save({
    async save(a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = a.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData)) : new Uint8Array(0);
      const modelJson: Record<string, unknown> = {
        modelTopology: a.modelTopology,
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      if (a.trainingConfig) modelJson.trainingConfig = a.trainingConfig;
      if (a.userDefinedMetadata) modelJson.userDefinedMetadata = a.userDefinedMetadata;
      stored = { modelJson, weights };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    },
  });
  return stored!;
}

function weightSpecs(stored: StoredModel): tf.io.WeightsManifestEntry[] {
  return ((stored.modelJson.weightsManifest as tf.io.WeightsManifestConfig | undefined) ?? []).flatMap((g) => g.weights);
}

/** An IOHandler for tf.loadLayersModel(storedModelLoader(m)). */
export function storedModelLoader(stored: StoredModel): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const w = stored.weights;
      return {
        modelTopology: stored.modelJson.modelTopology as object,
        format: stored.modelJson.format as string | undefined,
        trainingConfig: stored.modelJson.trainingConfig as tf.io.TrainingConfig | undefined,
        userDefinedMetadata: stored.modelJson.userDefinedMetadata as { [key: string]: {} } | undefined,
        weightSpecs: weightSpecs(stored),
        weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
      };
    },
  };
}

/**
 * Loads stored weights into a model built from the same hyperparameters, by position (weight names
 * differ between two builds of the same architecture, like Keras's load_weights by topology).
 */
export function setStoredWeights(model: tf.LayersModel, stored: StoredModel, what: string): void {
  const specs = weightSpecs(stored);
  if (specs.length !== model.weights.length) {
    throw new Error(`${what} holds ${specs.length} weights but the model has ${model.weights.length}: it was saved from a different architecture.`);
  }
  const w = stored.weights;
  const named = tf.io.decodeWeights(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer, specs);
  const values = specs.map((s) => named[s.name]);
  try {
    model.weights.forEach((mw, i) => {
      if (JSON.stringify(mw.shape) !== JSON.stringify(values[i].shape)) {
        throw new Error(`${what}: weight ${i} (${specs[i].name}) has shape [${values[i].shape}] but the model's ${mw.name} has [${mw.shape}].`);
      }
    });
    model.setWeights(values);
  } finally {
    tf.dispose(Object.values(named));
  }
}
