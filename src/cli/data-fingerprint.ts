/**
 * What a machine's copy of a data folder looks like, small enough to store with a shared search: its
 * class names, its file count and a hash of its sorted relative file list. Every machine of one search
 * must train on the same images; comparing these catches a missing class, a partial copy or another
 * data set before the first trial (the pixels themselves are not hashed: that would read every image).
 */
import { createHash } from 'node:crypto';
import { compareCodePoints, indexDirectory } from '../data/file-index.js';

export interface DataFingerprint {
  classes: string[];
  files: number;
  /** sha256 of the relative paths (class/file.png), sorted by code point, one per line. */
  fingerprint: string;
}

export function dataFingerprint(directory: string, classes?: readonly string[]): DataFingerprint {
  const index = indexDirectory(directory, { classes });
  const names = index.files.map((f) => f.filename).sort(compareCodePoints);
  return { classes: index.classNames, files: names.length, fingerprint: createHash('sha256').update(names.join('\n')).digest('hex') };
}

/** Why `mine` (this machine's `flag` folder) is not the search's data, or undefined when it is. */
export function dataDifference(flag: string, dir: string, mine: DataFingerprint, theirs: DataFingerprint): string | undefined {
  const list = (c: string[]) => c.join(', ');
  if (JSON.stringify(mine.classes) !== JSON.stringify(theirs.classes)) {
    return `this machine's ${flag} ${dir} has the classes ${list(mine.classes)}, the search's has ${list(theirs.classes)}`;
  }
  if (mine.files !== theirs.files) return `this machine's ${flag} ${dir} has ${mine.files} files, the search's has ${theirs.files}`;
  if (mine.fingerprint !== theirs.fingerprint) {
    return `this machine's ${flag} ${dir} has ${mine.files} files like the search's, but other file names ` +
      `(file list fingerprint ${mine.fingerprint.slice(0, 12)}, the search's ${theirs.fingerprint.slice(0, 12)})`;
  }
  return undefined;
}
