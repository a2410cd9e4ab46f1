/**
 * `tfjs-tuner export`: the search's best model, from its storage (a project folder or a PostgreSQL
 * database), written to a folder in the tfjs format (model.json + weights.bin) for evaluate / predict /
 * tf.loadLayersModel (and, with --report, tune's HTML report). A database keeps models and the report as
 * rows, so this is how they leave it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isPostgresUrl, openStorage } from '../tuners/storage/open-storage.js';
import type { Output } from './output.js';
import { storedModelMetadata } from './best-model.js';
import { MODEL_METADATA_FILE } from '../models/model-io.js';
import { UsageError } from './output.js';

export interface ExportOptions {
  directory: string;
  projectName: string;
  storage?: string;
  out: string;
  /** Also write the search's HTML report (tune's report.html, kept in the storage) to this file. */
  report?: string;
}

export async function exportModel(o: ExportOptions, out: Output): Promise<{ from: string; out: string; bytes: number; report?: string }> {
  if (o.storage !== undefined && !isPostgresUrl(o.storage)) throw new UsageError(`--storage ${o.storage}: give a postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL, or leave it out to read --directory.`);
  const storage = openStorage(o.storage, o.directory, o.projectName);
  try {
    const best = await storage.artifacts.loadBestModel();
    if (!best) throw new UsageError(`${storage.location} holds no best model: run tfjs-tuner tune to the end first (or check --project-name).`);
    await fs.mkdir(o.out, { recursive: true });
    // the stored model.json already names its one weights file weights.bin
    const manifest = (best.modelJson.weightsManifest as Array<{ paths: string[] }> | undefined) ?? [];
    const modelJson = { ...best.modelJson, weightsManifest: manifest.map((g) => ({ ...g, paths: ['weights.bin'] })) };
    await fs.writeFile(path.join(o.out, 'weights.bin'), best.weights);
    await fs.writeFile(path.join(o.out, 'model.json'), JSON.stringify(modelJson));
    // what feeds it (image size, classes), so that evaluate / predict --model take the folder as it is
    const meta = storedModelMetadata(storage, best);
    if (meta) await fs.writeFile(path.join(o.out, MODEL_METADATA_FILE), JSON.stringify(meta, null, 2) + '\n');
    out.info(`Wrote the best model of ${storage.location} to ${o.out}`);
    if (o.report !== undefined) {
      const html = await storage.artifacts.loadFile('report.html');
      if (!html) throw new UsageError(`${storage.location} holds no report: tfjs-tuner tune writes it at the end of the search.`);
      await fs.mkdir(path.dirname(path.resolve(o.report)), { recursive: true });
      await fs.writeFile(o.report, html);
      out.info(`Wrote its report to ${o.report}`);
    }
    return { from: storage.location, out: o.out, bytes: best.weights.byteLength, ...(o.report !== undefined ? { report: o.report } : {}) };
  } finally {
    await storage.close();
  }
}
