/**
 * Atomic file writes: the data goes to a temporary file next to the target, then a rename replaces the
 * target in one step, so a reader (or a process killed mid-write, `kill -9` included) sees the old
 * file or the new one, never half of one.
 */
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let counter = 0;
/** A temporary file beside `path`, unique to this process and call. */
const tempPath = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter++}`);

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPath(path);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes `path` only if it does not exist, in one step: the data goes to a temporary file that is then
 * hard-linked to `path`, which fails when `path` exists. Of several processes racing, exactly one creates
 * the file (true), and no reader sees half of it.
 */
export async function createFileAtomic(path: string, data: string | Uint8Array): Promise<boolean> {
  const tmp = tempPath(path);
  try {
    await fs.writeFile(tmp, data);
    await fs.link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); delete it or start afresh with overwrite: true.`);
  }
}
