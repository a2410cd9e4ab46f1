/** --model: a model folder, its model.json, or a tune project folder (whose best-model/ is meant). */
import { existsSync } from 'node:fs';
import path from 'node:path';

export function resolveModelPath(location: string): string {
  const dir = location.endsWith('.json') ? path.dirname(location) : location;
  if (!existsSync(path.join(dir, 'model.json')) && existsSync(path.join(dir, 'best-model', 'model.json'))) return path.join(dir, 'best-model');
  return location;
}

/**
 * A tune project folder (oracle.json and best-model/ side by side), given as the project or as its
 * best-model/ folder (or that folder's model.json), as opposed to a plain model folder.
 */
export function projectFolder(location: string): string | undefined {
  let dir = path.resolve(location);
  if (dir.endsWith('.json')) dir = path.dirname(dir);
  if (path.basename(dir) === 'best-model') dir = path.dirname(dir);
  return existsSync(path.join(dir, 'oracle.json')) && existsSync(path.join(dir, 'best-model', 'model.json')) ? dir : undefined;
}
