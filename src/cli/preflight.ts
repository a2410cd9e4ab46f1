/**
 * Checks `tune` makes before the first trial, so that a mistake fails once, naming the file or flag and
 * the fix, instead of failing every trial the same way: the project folder can be written, the objective
 * exists, the --space is valid, every image decodes.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../data/decode.js';
import { decodeLimit } from '../data/decode-pool.js';
import { cacheKey, decodedCache } from '../data/decoded-cache.js';
import { decodeOptionsKey, type DecodeOptions } from '../data/decode.js';
import { ImageDecodeError } from '../data/errors.js';
import { toObjective } from '../tuners/objective.js';
import { HyperParameters } from '../tuners/hyperparameters.js';
import { cnnConfigFromHp, type CnnOptions } from '../models/cnn.js';
import { didYouMean } from '../util/did-you-mean.js';
import { cliMessage } from './hints.js';
import { UsageError } from './output.js';

/** --directory must be a folder we can create and write in (a clear message instead of a raw EACCES). */
export function checkWritableDirectory(directory: string, projectName: string): void {
  const dir = path.resolve(directory);
  const fix = 'choose another --directory, or give this user write permission there';
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UsageError(`--directory ${directory}: ${dir} (or a folder above it) is a file, not a folder; ${fix.split(',')[0]}.`);
    if (code === 'EROFS') throw new UsageError(`--directory ${directory}: ${dir} is on a read-only file system; choose another --directory.`);
    throw new UsageError(`--directory ${directory}: cannot create ${dir} (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code}); ${fix}.`);
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`--directory ${directory}: ${dir} is a file, not a folder; choose another --directory.`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--directory ${directory}: cannot write in ${dir} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}); ${fix}.`);
  }
  // An existing project (written by another user, say) must be writable too.
  const project = path.join(dir, projectName);
  if (statSync(project, { throwIfNoEntry: false })?.isDirectory()) {
    try {
      accessSync(project, constants.W_OK);
    } catch {
      throw new UsageError(`--project-name ${projectName}: cannot write in ${project} (permission denied): use another --project-name, or give this user write permission there.`);
    }
  }
}

/** The metrics the built-in CNN logs (tfjs spells accuracy "acc"). */
const CNN_METRICS = ['loss', 'accuracy', 'acc', 'val_loss', 'val_accuracy', 'val_acc'];

/** --objective: a metric the model logs (built-in CNN), or at least one whose direction is known. */
export function checkObjective(objective: string, builtInCnn: boolean): void {
  if (builtInCnn && !CNN_METRICS.includes(objective)) {
    throw new UsageError(`--objective ${objective}: the built-in CNN logs ${CNN_METRICS.filter((m) => m !== 'acc' && m !== 'val_acc').join(', ')}.` +
      `${didYouMean(objective, CNN_METRICS)}`);
  }
  try {
    toObjective(objective);
  } catch {
    throw new UsageError(`--objective ${objective}: cannot tell whether it should go down or up; name a loss (minimized) or an accuracy (maximized), e.g. val_loss or val_accuracy.` +
      `${didYouMean(objective, CNN_METRICS)}`);
  }
}

/** --space: declares the built-in CNN's hyperparameters once, so an unknown key or a bad range fails now. */
export function checkSpace(options: CnnOptions): void {
  try {
    cnnConfigFromHp(new HyperParameters(), options);
  } catch (err) {
    const message = (err as Error).message;
    if (message.startsWith('CNN search space: ')) throw new UsageError(`--space: ${message.slice('CNN search space: '.length)}`);
    // Anything else (a model too big for the images at the default values) is one trial's problem.
  }
}

/**
 * Decodes every image once (the pixels go to the decoded cache, so the trials do not decode them again).
 * With --on-error raise an unreadable file fails now, named, with the count of the others; with skip
 * they are counted and left out.
 */
export async function checkImages(files: readonly string[], decode: DecodeOptions, onError: 'raise' | 'skip'): Promise<{ unreadable: ImageDecodeError[] }> {
  const optionsKey = decodeOptionsKey(decode);
  const unreadable: ImageDecodeError[] = [];
  await Promise.all(files.map((filepath) => decodeLimit(async () => {
    const st = statSync(filepath, { throwIfNoEntry: false });
    const key = st ? cacheKey(filepath, st.mtimeMs, st.size, optionsKey) : '';
    if (key && decodedCache.has(key)) return;
    try {
      const img = await decodeImage(filepath, decode);
      if (key) decodedCache.store(key, img);
    } catch (err) {
      if (err instanceof ImageDecodeError) unreadable.push(err);
      else throw err;
    }
  })));
  if (unreadable.length && onError === 'raise') {
    unreadable.sort((a, b) => a.path.localeCompare(b.path));
    const others = unreadable.length > 1 ? ` (and ${unreadable.length - 1} more unreadable file(s): ${unreadable.slice(1, 4).map((e) => e.path).join(', ')}${unreadable.length > 4 ? ', ...' : ''})` : '';
    const err = new UsageError(cliMessage(unreadable[0].message) + others);
    (err as UsageError & { file?: string }).file = unreadable[0].path;
    throw err;
  }
  return { unreadable };
}
