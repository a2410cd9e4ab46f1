/** Loads a user's hypermodel module for `tune --hypermodel path.js`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tf from '../tf.cjs';
import { pathToFileURL } from 'node:url';
import type { HyperModel } from '../tuners/tuner-options.js';
import { UsageError } from './output.js';

/** What a hypermodel module's factory receives: the shape of the data it will be trained on. */
export interface HypermodelContext {
  /** tfjs-tuner's own tfjs: build with it, so the model lives in the same engine as the tuner. */
  tf: typeof tf;
  inputShape: [number, number, number];
  numClasses: number;
  classNames: string[];
  /** The iterator's classMode: 'binary' for 2 classes, else 'sparse'. */
  labelMode: 'binary' | 'sparse';
}

/**
 * The module's default export (or `hypermodel` export) is either a hypermodel ((hp) => compiled model,
 * or {build, fit}) or a factory `(context) => hypermodel` marked by a `createHypermodel` export.
 */
export async function loadHypermodelModule(file: string, shape: Omit<HypermodelContext, 'tf'>): Promise<HyperModel> {
  const context: HypermodelContext = { tf, ...shape };
  const resolved = path.resolve(file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--hypermodel ${file}: cannot load it (${(err as Error).message.split('\n')[0]}). ` +
      'Give an ES module (.js/.mjs) whose default export is (hp) => compiled tf.LayersModel.');
  }
  if (typeof mod.createHypermodel === 'function') return (await (mod.createHypermodel as (c: HypermodelContext) => HyperModel)(context));
  const candidate = mod.default ?? mod.hypermodel;
  if (typeof candidate === 'function') {
    // A plain (hp) => model function also receives the context as its second argument.
    const fn = candidate as (hp: unknown, c: HypermodelContext) => ReturnType<Extract<HyperModel, (...a: never[]) => unknown>>;
    return (hp) => fn(hp, context);
  }
  if (candidate && typeof (candidate as { build?: unknown }).build === 'function') return candidate as HyperModel;
  throw new UsageError(`--hypermodel ${file}: export default (hp, context) => compiled tf.LayersModel, ` +
    'an object with build(hp), or createHypermodel(context).');
}

/** For worker threads: `userHypermodel({file, shape})` loads the user's module in each worker. */
export function userHypermodel(options: { file: string; shape: Omit<HypermodelContext, 'tf'> }): Promise<HyperModel> {
  return loadHypermodelModule(options.file, options.shape);
}

/** `{module, exportName}` of userHypermodel. */
export const USER_HYPERMODEL_MODULE = { module: fileURLToPath(import.meta.url), exportName: 'userHypermodel' } as const;
