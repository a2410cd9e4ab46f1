/**
 * Indexing of an image folder: class subfolders, image files, labels and the per-class validation split.
 * Synchronous on purpose (like Keras's flow_from_directory): it runs once per iterator, and a sync
 * walk keeps `flowFromDirectory` returning an iterator rather than a promise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataConfigError } from './errors.js';

/** File extensions indexed (matched case-insensitively): what sharp decodes, plus BMP (decoded in JS). */
export const IMAGE_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg', 'bmp', 'gif', 'webp', 'tif', 'tiff', 'avif'];

export interface IndexedFile {
  /** Path relative to the indexed directory, `/`-separated: `class/sub/f.jpg`. */
  filename: string;
  /** Absolute path. */
  filepath: string;
  /** Class index (position in `classNames`). */
  label: number;
  /** Size and modification time at indexing: the decoded cache's key. */
  size: number;
  mtimeMs: number;
}

export interface FileIndex {
  directory: string;
  classNames: string[];
  files: IndexedFile[];
}

export interface IndexOptions {
  /** Explicit class folders, in label order. Default: every non-hidden subfolder, sorted by code point. */
  classes?: readonly string[];
  followLinks?: boolean;
  /** Allow class folders without images (used for validation subsets); default false. */
  allowEmptyClasses?: boolean;
}

/** Sorts strings by Unicode code point, like Python's `sorted` (`'B' < 'a'`, `'10' < '2'`). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

export function hasImageExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return false;
  return IMAGE_EXTENSIONS.includes(name.slice(dot + 1).toLowerCase());
}

const isHidden = (name: string): boolean => name.startsWith('.');

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** The class folders of `dir`: non-hidden subfolders (symlinked folders count), sorted by code point. */
export function listClassFolders(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !isHidden(e.name) && (e.isDirectory() || (e.isSymbolicLink() && statOrNull(path.join(dir, e.name))?.isDirectory())))
    .map((e) => e.name)
    .sort(compareCodePoints);
}

function checkDirectory(dir: string, what: string): void {
  const st = statOrNull(dir);
  if (!st) {
    throw new DataConfigError(`${what} "${dir}" does not exist. Check the path (it is resolved from ${process.cwd()}).`);
  }
  if (!st.isDirectory()) {
    throw new DataConfigError(`${what} "${dir}" is a file, not a folder. Pass the folder that holds one subfolder per class.`);
  }
}

/**
 * Lists the image files under one class folder, recursively: files directly in the folder first, then
 * each subfolder in code-point order of its path (Keras sorts os.walk's roots the same way).
 * With `followLinks`, symlinked folders are entered once each by real path, so loops end.
 */
function listImagesUnder(classDir: string, relClass: string, followLinks: boolean): Array<{ rel: string; abs: string; st: fs.Stats | null }> {
  const groups: Array<{ relDir: string; files: Array<{ rel: string; abs: string; st: fs.Stats | null }> }> = [];
  const visited = new Set<string>();
  const walk = (absDir: string, relDir: string): void => {
    let real: string;
    try {
      real = fs.realpathSync(absDir);
    } catch {
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    const entries = fs.readdirSync(absDir, { withFileTypes: true }).filter((e) => !isHidden(e.name));
    const files: Array<{ rel: string; abs: string; st: fs.Stats | null }> = [];
    const subdirs: string[] = [];
    for (const e of entries) {
      const abs = path.join(absDir, e.name);
      if (e.isDirectory()) {
        subdirs.push(e.name);
      } else if (e.isSymbolicLink()) {
        const st = statOrNull(abs);
        if (st?.isDirectory()) {
          if (followLinks) subdirs.push(e.name);
        } else if (hasImageExtension(e.name)) {
          // A broken link is kept: reading it later gives an error naming it (or a skip).
          files.push({ rel: `${relDir}/${e.name}`, abs, st });
        }
      } else if (e.isFile() && hasImageExtension(e.name)) {
        files.push({ rel: `${relDir}/${e.name}`, abs, st: statOrNull(abs) });
      }
    }
    files.sort((a, b) => compareCodePoints(a.rel, b.rel));
    groups.push({ relDir, files });
    for (const s of subdirs) walk(path.join(absDir, s), `${relDir}/${s}`);
  };
  walk(classDir, relClass);
  groups.sort((a, b) => compareCodePoints(a.relDir, b.relDir));
  return groups.flatMap((g) => g.files);
}

/** Indexes `directory`: one subfolder per class, image files inside (nested folders included). */
export function indexDirectory(directory: string, options: IndexOptions = {}): FileIndex {
  const dir = path.resolve(directory);
  checkDirectory(dir, 'Image folder');
  const available = listClassFolders(dir);
  let classNames: string[];
  if (options.classes !== undefined) {
    classNames = [...options.classes];
    if (classNames.length === 0) throw new DataConfigError(`"classes" is empty for "${dir}". Leave it out to use every subfolder, or name the class folders.`);
    const dup = classNames.find((c, i) => classNames.indexOf(c) !== i);
    if (dup !== undefined) throw new DataConfigError(`"classes" names "${dup}" twice. Each class folder must appear once.`);
    for (const c of classNames) {
      const st = statOrNull(path.join(dir, c));
      if (!st?.isDirectory()) {
        throw new DataConfigError(
          `Class folder "${path.join(dir, c)}" named in "classes" does not exist. ` +
            `Folders found in "${dir}": ${available.length ? available.map((a) => `"${a}"`).join(', ') : 'none'}. Fix "classes" or create the folder.`,
        );
      }
    }
  } else {
    classNames = available;
    if (classNames.length === 0) {
      const loose = fs.readdirSync(dir).filter((n) => !isHidden(n) && hasImageExtension(n)).length;
      throw new DataConfigError(
        `"${dir}" has no class subfolders. Put the images in one subfolder per class (${dir}/cats/*.jpg, ${dir}/dogs/*.jpg)` +
          (loose ? `; the ${loose} image(s) directly in it are not used (for unlabelled images, move them into one subfolder).` : '.'),
      );
    }
  }
  const files: IndexedFile[] = [];
  classNames.forEach((name, label) => {
    const found = listImagesUnder(path.join(dir, name), name, options.followLinks ?? false);
    if (found.length === 0 && !options.allowEmptyClasses) {
      throw new DataConfigError(
        `Class folder "${path.join(dir, name)}" contains no images (looked for ${IMAGE_EXTENSIONS.join(', ')}). ` +
          `Add images to it, remove the folder, or list the other classes in "classes".`,
      );
    }
    for (const f of found) {
      files.push({ filename: f.rel, filepath: f.abs, label, size: f.st?.size ?? -1, mtimeMs: f.st?.mtimeMs ?? -1 });
    }
  });
  return { directory: dir, classNames, files };
}

export type Subset = 'training' | 'validation';

/**
 * Keras's per-class split (flow_from_directory): validation gets the first floor(v*n) files of each
 * class, training the rest. Deterministic: the same folder gives the same split in every run.
 */
export function splitPerClass(index: FileIndex, validationSplit: number, subset: Subset): FileIndex {
  const byClass = index.classNames.map(() => [] as IndexedFile[]);
  for (const f of index.files) byClass[f.label].push(f);
  const files = byClass.flatMap((list) => {
    const nVal = Math.floor(validationSplit * list.length);
    return subset === 'validation' ? list.slice(0, nVal) : list.slice(nVal);
  });
  return { ...index, files };
}

/** Every image under `directory`, recursively, without labels (image_dataset_from_directory's labels: null). */
export function indexUnlabelled(directory: string, options: { followLinks?: boolean } = {}): FileIndex {
  const dir = path.resolve(directory);
  checkDirectory(dir, 'Image folder');
  const found = listImagesUnder(dir, '.', options.followLinks ?? false);
  if (found.length === 0) throw new DataConfigError(`No images found under "${dir}" (looked for ${IMAGE_EXTENSIONS.join(', ')}).`);
  const files = found.map((f) => ({ filename: f.rel.slice(2), filepath: f.abs, label: 0, size: f.st?.size ?? -1, mtimeMs: f.st?.mtimeMs ?? -1 }));
  return { directory: dir, classNames: [], files };
}
