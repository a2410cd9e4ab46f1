/**
 * The settings of a search kept in a database (`tune --storage`): everything `tune` was told that decides
 * which models are trained and how, plus a fingerprint of its data. They are stored with the search when
 * it starts, so that
 * - a second `tune` with the same --storage and --project-name joins only a search with its own settings
 *   (otherwise it says which flag differs), and
 * - `tfjs-tuner worker` on another machine runs the search with exactly these settings, taking only the
 *   data folders and the hypermodel module from its own command line (each machine has its own copy).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ImageDataGeneratorOptions } from '../data/image-data-generator.js';
import type { CnnSpace } from '../models/cnn-space.js';
import type { EarlyStoppingSpec } from '../tuners/early-stopping.js';
import type { ArtifactStore, SearchStorage } from '../tuners/storage/search-storage.js';
import { dataDifference, type DataFingerprint } from './data-fingerprint.js';
import { UsageError } from './output.js';

/** The stored file's name (as in a project folder, whose copy holds the ProjectSettings part). */
export const SETTINGS_FILE = 'tfjs-tuner-cli.json';

/** What a folder project keeps (project-settings.ts): the settings a checkpoint's shape depends on. */
export interface ProjectSettings {
  imageSize: [number, number];
  colorMode: string;
  classes: string[];
  hypermodel: string | null;
}

export interface SearchSettings extends ProjectSettings {
  tuner: string;
  maxEpochs: number;
  factor: number;
  maxTrials: number;
  epochs: number;
  objective: string;
  batchSize: number;
  augment: ImageDataGeneratorOptions;
  seed: number | null;
  space: CnnSpace | null;
  /** --classes as given (null: every subfolder); `classes` holds the resulting class names. */
  classFilter: string[] | null;
  validationSplit: number | null;
  earlyStopping: EarlyStoppingSpec | null;
  hyperbandIterations: number | null;
  executionsPerTrial: number | null;
  maxConsecutiveFailedTrials: number | null;
  onError: 'raise' | 'skip';
  maxImagePixels: number | null;
  /** Each run's time budget (not compared: a run may have its own). */
  maxTime: number | null;
  /** The --hypermodel module's file name and sha256 (its path differs between machines), or null: the built-in CNN. */
  hypermodelModule: { name: string; sha256: string } | null;
  data: { train: DataFingerprint; val: DataFingerprint | null };
}

export function hypermodelIdentity(file: string | undefined): SearchSettings['hypermodelModule'] {
  if (file === undefined) return null;
  return { name: path.basename(file), sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
}

/** The settings file of a search, through its artifact store (undefined: none, or unreadable). */
export async function readSettingsFile<T extends ProjectSettings>(artifacts: ArtifactStore): Promise<T | undefined> {
  const bytes = await artifacts.loadFile(SETTINGS_FILE);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    return undefined; // unreadable: the tuner's own checks still apply
  }
}

const encodeSettings = (s: ProjectSettings) => new TextEncoder().encode(JSON.stringify(s, null, 2) + '\n');

export async function writeSettingsFile(artifacts: ArtifactStore, s: ProjectSettings): Promise<void> {
  await artifacts.saveFile(SETTINGS_FILE, encodeSettings(s));
}

export function loadSearchSettings(storage: SearchStorage): Promise<SearchSettings | undefined> {
  return readSettingsFile<SearchSettings>(storage.artifacts);
}

export function saveSearchSettings(storage: SearchStorage, s: SearchSettings): Promise<void> {
  return writeSettingsFile(storage.artifacts, s);
}

/**
 * Stores the settings of a search this `tune` starts. Two `tune`s that start the same new search at the
 * same instant both found no settings; the store keeps the first one's, and the other then checks its
 * own against them, as a `tune` joining later would (and fails, naming the flags, when they differ).
 */
export async function claimSearchSettings(storage: SearchStorage, now: SearchSettings, where: string, dirs: { train: string; val?: string }): Promise<void> {
  if (await storage.artifacts.createFile(SETTINGS_FILE, encodeSettings(now))) return;
  const saved = await loadSearchSettings(storage);
  if (saved) checkSearchSettings(where, saved, now, dirs);
}

const json = (v: unknown) => JSON.stringify(v ?? null);

/** The keys that decide the search (per tuner kind: --max-trials means nothing to Hyperband). */
function comparedKeys(tuner: string): (keyof SearchSettings)[] {
  const schedule: (keyof SearchSettings)[] = tuner === 'hyperband' || tuner === 'bohb' ? ['maxEpochs', 'factor', 'hyperbandIterations']
    : tuner === 'asha' ? ['maxEpochs', 'factor', 'maxTrials'] : ['maxTrials', 'epochs'];
  return ['tuner', ...schedule, 'objective', 'imageSize', 'colorMode', 'batchSize', 'augment', 'seed', 'space', 'classFilter',
    'validationSplit', 'earlyStopping', 'executionsPerTrial', 'maxConsecutiveFailedTrials', 'onError', 'maxImagePixels', 'hypermodelModule'];
}

/** A setting as the flag that gives it. */
export function describeSetting(key: keyof SearchSettings, v: unknown): string {
  const none = (flag: string) => `no ${flag}`;
  switch (key) {
    case 'imageSize': return `--image-size ${(v as number[]).join('x')}`;
    case 'classes': return `classes ${(v as string[]).join(',')}`; // the class folders found, not a flag
    case 'hypermodel': return v === null ? 'the built-in CNN' : `--hypermodel ${v}`;
    case 'augment': return v && Object.keys(v).length ? `--augment ${json(v)}` : none('--augment');
    case 'space': return v ? `--space ${json(v)}` : none('--space');
    case 'classFilter': return v ? `--classes ${(v as string[]).join(',')}` : none('--classes');
    case 'earlyStopping': {
      const e = v as EarlyStoppingSpec | null;
      if (!e) return none('--early-stopping');
      return `--early-stopping ${e.patience}${e.monitor !== undefined ? ` --early-stopping-monitor ${e.monitor}` : ''}${e.minDelta !== undefined ? ` --early-stopping-min-delta ${e.minDelta}` : ''}`;
    }
    case 'hypermodelModule': {
      const h = v as SearchSettings['hypermodelModule'];
      return h ? `--hypermodel ${h.name} (sha256 ${h.sha256.slice(0, 12)})` : 'the built-in CNN';
    }
    default: {
      const flag = '--' + String(key).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
      return v === null || v === undefined ? none(flag) : `${flag} ${v}`;
    }
  }
}

/**
 * Throws when the stored search (`where`: its --storage URL without password and --project-name) was
 * started with other settings, naming each flag that differs, or when this machine's data differ.
 */
export function checkSearchSettings(where: string, saved: SearchSettings, now: SearchSettings, dirs: { train: string; val?: string }): void {
  // a module by its content: its name and path may differ between machines
  const value = (s: SearchSettings, k: keyof SearchSettings) => (k === 'hypermodelModule' ? s.hypermodelModule?.sha256 : s[k]);
  const keys = comparedKeys(String(saved.tuner ?? now.tuner)).filter((k) => json(value(saved, k)) !== json(value(now, k)));
  if (keys.length > 0) {
    const was = keys.map((k) => {
      const [then, nowText] = [describeSetting(k, saved[k]), describeSetting(k, now[k])];
      const flag = then.split(' ')[0] + ' ';
      return `${then} (now ${flag.startsWith('--') && nowText.startsWith(flag) ? nowText.slice(flag.length) : nowText})`;
    }).join(', ');
    throw new UsageError(`${where} was started with other settings: ${was}; use another --project-name or --overwrite ` +
      '(or join it with its own flags: tfjs-tuner worker reads them from the database).');
  }
  const differs = [dataDifference('--train', dirs.train, now.data.train, saved.data.train)];
  if (saved.data.val && !now.data.val) {
    differs.push(`the search was started with --val (${saved.data.val.files} files) and this machine has none: give this machine's copy with --val DIR`);
  } else if (!saved.data.val && now.data.val) {
    differs.push(`the search has no --val${saved.validationSplit ? ` (it holds out --validation-split ${saved.validationSplit} of --train)` : ''}: leave --val out`);
  } else if (saved.data.val && now.data.val) {
    differs.push(dataDifference('--val', dirs.val!, now.data.val, saved.data.val));
  }
  const found = differs.filter((d): d is string => d !== undefined);
  if (found.length > 0) {
    throw new UsageError(`${where}: ${found.join('; ')}. Every machine of one search trains on the same images: ` +
      'copy the search\'s data folders to this machine (e.g. rsync -a), or start another search with another --project-name.');
  }
}

/** `--storage URL --project-name NAME` for messages: the URL without its password. */
export function storageFlags(url: string, projectName: string): string {
  let shown = url;
  try {
    const u = new URL(url);
    u.password = '';
    shown = u.toString();
  } catch {
    shown = url.replace(/:[^:@/]*@/, '@');
  }
  return `--storage ${shown} --project-name ${projectName}`;
}
