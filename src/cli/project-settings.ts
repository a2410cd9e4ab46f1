/**
 * What `tune` decided about the data of a project (image size, colour mode, classes, hypermodel), kept with
 * the search through its storage (a project folder keeps it as tfjs-tuner-cli.json, the file a database
 * search keeps its full settings in, search-settings.ts): resuming with other values would fail deep in
 * training (a checkpoint of another shape), so a rerun compares them first and names the flag that differs.
 */
import type { ArtifactStore } from '../tuners/storage/search-storage.js';
import { describeSetting, readSettingsFile, writeSettingsFile, type ProjectSettings } from './search-settings.js';
import { UsageError } from './output.js';

export type { ProjectSettings };

/** Throws when the search kept in `artifacts` (at `location`, for the message) was started with other settings. */
export async function checkProjectSettings(artifacts: ArtifactStore, location: string, now: ProjectSettings): Promise<void> {
  let saved: ProjectSettings | undefined;
  try {
    saved = await readSettingsFile<ProjectSettings>(artifacts);
  } catch {
    return; // unreadable: the tuner's own checks still apply
  }
  if (!saved) return;
  const keys = ['imageSize', 'colorMode', 'classes', 'hypermodel'] as const;
  const differ = keys.filter((k) => saved[k] !== undefined && JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
  if (differ.length === 0) return;
  const was = differ.map((k) => `${describeSetting(k, saved[k])} (now ${describeSetting(k, now[k])})`).join(', ');
  throw new UsageError(`The search in ${location} was started with other settings: ${was}. ` +
    `Run it with ${differ.map((k) => describeSetting(k, saved[k])).join(' ')} to resume it, add --overwrite to start afresh, or use another --project-name.`);
}

export async function writeProjectSettings(artifacts: ArtifactStore, settings: ProjectSettings): Promise<void> {
  try {
    await writeSettingsFile(artifacts, settings);
  } catch {
    // best effort: without it a rerun is checked by the tuner alone
  }
}
