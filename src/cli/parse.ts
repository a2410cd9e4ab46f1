/** Parsers for CLI option values; each error names the option and says what to write instead. */
import type { ImageDataGeneratorOptions } from '../data/image-data-generator.js';
import { readFileSync } from 'node:fs';
import { TOONVISION_RANGES, type CnnSpace } from '../models/cnn-space.js';
import { UsageError } from './output.js';

export function parseIntOption(name: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number >= ${min}; got "${value}".`);
    return n;
  };
}

export function parseNonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !(Number.isFinite(n) && n >= 0)) throw new UsageError(`${name} must be a number >= 0 (e.g. 0.001); got "${value}".`);
    return n;
  };
}

export function parseFraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0 && n < 1)) throw new UsageError(`${name} must be a fraction between 0 and 1 (e.g. 0.2); got "${value}".`);
    return n;
  };
}

/** A duration: "90", "90s", "10m", "1.5h" -> seconds (a bare number is seconds). */
export function parseDuration(name: string) {
  return (value: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/i.exec(value);
    const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2]?.toLowerCase() ?? 's') as 's' | 'm' | 'h'] : NaN;
    if (!(seconds > 0)) throw new UsageError(`${name} must be a duration such as 90s, 10m or 1.5h (a bare number is seconds); got "${value}".`);
    return seconds;
  };
}
/** Largest side --image-size accepts: a CNN input beyond this would not fit a batch in memory anyway. */
export const MAX_IMAGE_SIDE = 4096;

/** "64x64", "48x96" (height x width) or "64" (square). */
export function parseImageSize(value: string): [number, number] {
  const m = /^(\d+)(?:[xX*,](\d+))?$/.exec(value.trim());
  const h = m ? Number(m[1]) : NaN;
  const w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || h < 1 || w < 1) throw new UsageError(`--image-size must be HEIGHTxWIDTH in pixels (e.g. 64x64); got "${value}".`);
  if (h > MAX_IMAGE_SIDE || w > MAX_IMAGE_SIDE) {
    const gb = (h * w * 3 * 4 * 32) / 1024 ** 3;
    throw new UsageError(`--image-size ${h}x${w} is too large: one batch of 32 RGB images would need ${gb.toFixed(1)} GB. ` +
      `Use at most ${MAX_IMAGE_SIDE}x${MAX_IMAGE_SIDE} (image classifiers train at 64x64 to 512x512).`);
  }
  return [h, w];
}

/** "a,b,c" -> class folder names, each once. */
export function parseClasses(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--classes needs class folder names separated by commas (e.g. --classes cats,dogs); got "${value}".`);
  const dup = names.find((c, i) => names.indexOf(c) !== i);
  if (dup !== undefined) throw new UsageError(`--classes names "${dup}" twice.`);
  return names;
}

const AUGMENTATIONS: Record<string, (v: number | undefined, o: ImageDataGeneratorOptions) => void> = {
  flip: (_v, o) => { o.horizontalFlip = true; },
  hflip: (_v, o) => { o.horizontalFlip = true; },
  vflip: (_v, o) => { o.verticalFlip = true; },
  rotate: (v, o) => { o.rotationRange = v ?? 15; },
  zoom: (v, o) => { o.zoomRange = v ?? 0.1; },
  shift: (v, o) => { o.widthShiftRange = v ?? 0.1; o.heightShiftRange = v ?? 0.1; },
  'width-shift': (v, o) => { o.widthShiftRange = v ?? 0.1; },
  'height-shift': (v, o) => { o.heightShiftRange = v ?? 0.1; },
  shear: (v, o) => { o.shearRange = v ?? 10; },
  brightness: (v, o) => { const d = v ?? 0.2; o.brightnessRange = [1 - d, 1 + d]; },
  'channel-shift': (v, o) => { o.channelShiftRange = v ?? 20; },
};

/** "flip,rotate=15,zoom=0.1" -> ImageDataGenerator options. */
export function parseAugment(value: string): ImageDataGeneratorOptions {
  const out: ImageDataGeneratorOptions = {};
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, raw] = part.split('=', 2);
    const apply = AUGMENTATIONS[key];
    if (!apply) throw new UsageError(`--augment: unknown augmentation "${key}". Use any of: ${Object.keys(AUGMENTATIONS).join(', ')} (e.g. flip,rotate=15,zoom=0.1).`);
    const n = raw === undefined ? undefined : Number(raw);
    if (n !== undefined && !(Number.isFinite(n) && n >= 0)) throw new UsageError(`--augment: "${part}" needs a number >= 0 after "=".`);
    apply(n, out);
  }
  return out;
}

/** --space: the built-in CNN's search space overrides, as JSON text, a .json file, or `toonvision` (the article's ranges). */
export function parseSpace(value: string): CnnSpace {
  let text = value.trim();
  if (text === 'toonvision') return structuredClone(TOONVISION_RANGES) as CnnSpace;
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch {
      throw new UsageError(`--space must be JSON (e.g. '{"num_blocks":{"max":2},"optimizer":{"fixed":"adam"}}'), a .json file, or toonvision (the ToonVision article's ranges); cannot read "${value}".`);
    }
  }
  try {
    const space = JSON.parse(text) as unknown;
    if (typeof space !== 'object' || space === null || Array.isArray(space)) throw new Error('not an object');
    return space as CnnSpace;
  } catch (err) {
    throw new UsageError(`--space: invalid JSON (${(err as Error).message}). Example: '{"num_blocks":{"max":2},"learning_rate":{"fixed":0.001}}'.`);
  }
}
