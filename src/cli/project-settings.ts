/**
 * What `tune` decided about the data of a project (image size, colour mode, classes, hypermodel), kept in
 * the project folder: resuming with other values would fail deep in training (a checkpoint of another
 * shape), so a rerun compares them first and names the flag that differs.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './output.js';

export interface ProjectSettings {
  imageSize: [number, number];
  colorMode: string;
  classes: string[];
  hypermodel: string | null;
}

const FILE = 'tfjs-tuner-cli.json';

function describe(key: keyof ProjectSettings, v: ProjectSettings[keyof ProjectSettings]): string {
  if (key === 'imageSize') return `--image-size ${(v as number[]).join('x')}`;
  if (key === 'colorMode') return `--color-mode ${v}`;
  if (key === 'classes') return `classes ${(v as string[]).join(',')}`;
  return v === null ? 'the built-in CNN' : `--hypermodel ${v}`;
}

/** Throws when the project at `projectDir` was started with other settings. */
export function checkProjectSettings(projectDir: string, now: ProjectSettings): void {
  const file = path.join(projectDir, FILE);
  if (!existsSync(file)) return;
  let saved: ProjectSettings;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as ProjectSettings;
  } catch {
    return; // unreadable: the tuner's own checks still apply
  }
  const keys = ['imageSize', 'colorMode', 'classes', 'hypermodel'] as const;
  const differ = keys.filter((k) => saved[k] !== undefined && JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
  if (differ.length === 0) return;
  const was = differ.map((k) => `${describe(k, saved[k])} (now ${describe(k, now[k])})`).join(', ');
  throw new UsageError(`The search in ${projectDir} was started with other settings: ${was}. ` +
    `Run it with ${differ.map((k) => describe(k, saved[k])).join(' ')} to resume it, add --overwrite to start afresh, or use another --project-name.`);
}

export function writeProjectSettings(projectDir: string, settings: ProjectSettings): void {
  if (!existsSync(projectDir)) return;
  const file = path.join(projectDir, FILE);
  try {
    writeFileSync(file + '.tmp', JSON.stringify(settings, null, 2) + '\n');
    renameSync(file + '.tmp', file);
  } catch {
    // best effort: without it a rerun is checked by the tuner alone
  }
}
