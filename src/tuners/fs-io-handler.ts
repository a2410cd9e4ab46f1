/**
 * Saves and loads tfjs models on the local file system in the standard format (`model.json` +
 * `weights.bin`), without tfjs-node: `tf.loadLayersModel('file://dir/model.json')` with tfjs-node reads
 * the same files. Each file is written atomically (weights first, then the model.json that names them).
 */
import tf from '../tf.cjs';
import { promises as fs } from 'node:fs';
import { join, dirname } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function modelJsonPath(pathOrDir: string): string {
  return pathOrDir.endsWith('.json') ? pathOrDir : join(pathOrDir, MODEL_JSON);
}

/** An IOHandler for `model.save(fileSystemSave(dir))`: writes dir/model.json and dir/weights.bin. */
export function fileSystemSave(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSystemSave saves layers models (JSON topology); this model has a binary topology.');
      }
      await fs.mkdir(dir, { recursive: true });
      const weightsManifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest,
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** An IOHandler for `tf.loadLayersModel(fileSystemLoad(dir))`; `dir` may also be the model.json path. */
export function fileSystemLoad(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = modelJsonPath(dir);
      const modelJson = await readModelJson(jsonPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => readWeights(dirname(jsonPath), manifest));
    },
  };
}

async function readModelJson(jsonPath: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the model at ${jsonPath}: ${(err as Error).message}`);
  }
  const json = JSON.parse(text) as tf.io.ModelJSON;
  if (!json.modelTopology && !json.weightsManifest) throw new Error(`${jsonPath} is not a tfjs model.json (no modelTopology or weightsManifest).`);
  return json;
}

async function readWeights(dir: string, manifest: tf.io.WeightsManifestConfig): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const buf = await fs.readFile(join(dir, p));
      buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    }
  }
  return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
}

/**
 * Loads saved weights into a model built from the same hyperparameters, by position (weight names
 * differ between two builds of the same architecture, like Keras's load_weights by topology).
 */
export async function loadWeightsInto(model: tf.LayersModel, dir: string): Promise<void> {
  const jsonPath = modelJsonPath(dir);
  const modelJson = await readModelJson(jsonPath);
  const [specs, data] = await readWeights(dirname(jsonPath), modelJson.weightsManifest);
  if (specs.length !== model.weights.length) {
    throw new Error(`Checkpoint ${jsonPath} holds ${specs.length} weights but the model has ${model.weights.length}: it was saved from a different architecture.`);
  }
  const named = tf.io.decodeWeights(data, specs);
  const values = specs.map((s) => named[s.name]);
  try {
    model.weights.forEach((w, i) => {
      if (JSON.stringify(w.shape) !== JSON.stringify(values[i].shape)) {
        throw new Error(`Checkpoint ${jsonPath}: weight ${i} (${specs[i].name}) has shape [${values[i].shape}] but the model's ${w.name} has [${w.shape}].`);
      }
    });
    model.setWeights(values);
  } finally {
    tf.dispose(Object.values(named));
  }
}
