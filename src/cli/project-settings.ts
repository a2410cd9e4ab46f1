/**
 * What `tune` decided about the data of a project (image size, colour mode, classes, hypermodel), kept with
 * the search through its storage (a project folder keeps it as tfjs-tuner-cli.json): resuming with other
 * values would fail deep in training (a checkpoint of another shape), so a rerun compares them first and
 * names the flag that differs.
 */
import type { ArtifactStore } from '../tuners/storage/search-storage.js';
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

/** Throws when the search kept in `artifacts` (at `location`, for the message) was started with other settings. */
export async function checkProjectSettings(artifacts: ArtifactStore, location: string, now: ProjectSettings): Promise<void> {
  let saved: ProjectSettings;
  try {
    const bytes = await artifacts.loadFile(FILE);
    if (!bytes) return;
    saved = JSON.parse(new TextDecoder().decode(bytes)) as ProjectSettings;
  } catch {
    return; // unreadable: the tuner's own checks still apply
  }
  const keys = ['imageSize', 'colorMode', 'classes', 'hypermodel'] as const;
  const differ = keys.filter((k) => saved[k] !== undefined && JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
  if (differ.length === 0) return;
  const was = differ.map((k) => `${describe(k, saved[k])} (now ${describe(k, now[k])})`).join(', ');
  throw new UsageError(`The search in ${location} was started with other settings: ${was}. ` +
    `Run it with ${differ.map((k) => describe(k, saved[k])).join(' ')} to resume it, add --overwrite to start afresh, or use another --project-name.`);
}

export async function writeProjectSettings(artifacts: ArtifactStore, settings: ProjectSettings): Promise<void> {
  try {
    await artifacts.saveFile(FILE, new TextEncoder().encode(JSON.stringify(settings, null, 2) + '\n'));
  } catch {
    // best effort: without it a rerun is checked by the tuner alone
  }
}
