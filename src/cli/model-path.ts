/** --model: a model folder, its model.json, or a tune project folder (whose best-model/ is meant). */
import { existsSync } from 'node:fs';
import path from 'node:path';

export function resolveModelPath(location: string): string {
  const dir = location.endsWith('.json') ? path.dirname(location) : location;
  if (!existsSync(path.join(dir, 'model.json')) && existsSync(path.join(dir, 'best-model', 'model.json'))) return path.join(dir, 'best-model');
  return location;
}
