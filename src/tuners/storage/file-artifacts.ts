/**
 * FileStorage's artifact store: checkpoints at `trial_<id>/checkpoint/`, the best model at `best-model/`
 * (each model.json + weights.bin, the tfjs format, so tf.loadLayersModel reads them), other named files
 * at the project's top level.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createFileAtomic, readJsonIfExists, writeFileAtomic } from '../atomic-write.js';
import type { ArtifactStore, StoredModel } from './search-storage.js';

/** Checkpoints and the best model as model.json + weights.bin folders (readable by tf.loadLayersModel). */
export class FileArtifacts implements ArtifactStore {
  constructor(private readonly projectDir: string) {}

  private checkpointDir(trialId: string): string {
    return join(this.projectDir, `trial_${trialId}`, 'checkpoint');
  }

  saveCheckpoint(trialId: string, model: StoredModel): Promise<void> {
    return writeModel(this.checkpointDir(trialId), model);
  }
  loadCheckpoint(trialId: string): Promise<StoredModel | undefined> {
    return readModel(this.checkpointDir(trialId));
  }
  async deleteCheckpoint(trialId: string): Promise<void> {
    await fs.rm(this.checkpointDir(trialId), { recursive: true, force: true });
  }
  saveBestModel(model: StoredModel): Promise<void> {
    return writeModel(join(this.projectDir, 'best-model'), model);
  }
  loadBestModel(): Promise<StoredModel | undefined> {
    return readModel(join(this.projectDir, 'best-model'));
  }
  private filePath(name: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new Error(`A search file name must be a plain file name (got ${JSON.stringify(name)}).`);
    return join(this.projectDir, name);
  }
  /** At the project's top level (report.html sits next to oracle.json). */
  async saveFile(name: string, data: Uint8Array): Promise<void> {
    await fs.mkdir(this.projectDir, { recursive: true });
    await writeFileAtomic(this.filePath(name), data);
  }
  async createFile(name: string, data: Uint8Array): Promise<boolean> {
    await fs.mkdir(this.projectDir, { recursive: true });
    return createFileAtomic(this.filePath(name), data);
  }
  async loadFile(name: string): Promise<Uint8Array | undefined> {
    try {
      const b = await fs.readFile(this.filePath(name));
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

const WEIGHTS_BIN = 'weights.bin';

/** Weights first, then the model.json naming them, each atomically: a reader never sees a half model. */
async function writeModel(dir: string, model: StoredModel): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const manifest = (model.modelJson.weightsManifest as Array<{ paths: string[]; weights: unknown[] }> | undefined) ?? [];
  const weights = manifest.flatMap((g) => g.weights);
  const modelJson = { ...model.modelJson, weightsManifest: [{ paths: [WEIGHTS_BIN], weights }] };
  await writeFileAtomic(join(dir, WEIGHTS_BIN), model.weights);
  await writeFileAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
}

async function readModel(dir: string): Promise<StoredModel | undefined> {
  const modelJson = await readJsonIfExists<Record<string, unknown>>(join(dir, 'model.json'));
  if (!modelJson) return undefined;
  const manifest = (modelJson.weightsManifest as Array<{ paths: string[] }> | undefined) ?? [];
  const parts: Buffer[] = [];
  for (const g of manifest) for (const p of g.paths) parts.push(await fs.readFile(join(dir, p)));
  const buf = Buffer.concat(parts);
  return { modelJson, weights: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}
