/**
 * Loads the decoded uint8 pixels of indexed files: memory or disk cache first, else a bounded sharp
 * decode. Applies the `onError` policy: `raise` rethrows (the error names the file), `skip` records
 * the file once and returns null so the batch goes on without it.
 */
import { cacheKey, decodedCache, DecodedDiskCache, defaultDiskCacheDir } from './decoded-cache.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { decodeImage, decodeOptionsKey, decodeSmallPngSync, isSmallPng, type DecodedImage, type DecodeOptions, channelsOf } from './decode.js';
import { decodeLimit } from './decode-pool.js';
import { DataConfigError, ImageDecodeError } from './errors.js';
import type { IndexedFile } from './file-index.js';

/** `auto`: memory when the decoded folder fits what is left of the process-wide budget, else none. */
export type CacheMode = 'auto' | 'memory' | 'disk' | 'none';
export const CACHE_MODES: readonly CacheMode[] = ['auto', 'memory', 'disk', 'none'];
export type OnError = 'raise' | 'skip';

export interface LoaderOptions {
  decode: DecodeOptions;
  cache: CacheMode;
  cacheDir?: string;
  onError: OnError;
}

export class ImageLoader {
  /** The cache actually used (`auto` resolved). */
  readonly cache: Exclude<CacheMode, 'auto'>;
  /** Files left out under onError 'skip', with the reason. */
  readonly skipped = new Map<string, string>();
  private reported = new Set<string>();
  private readonly optionsKey: string;
  private readonly disk: DecodedDiskCache | null;

  constructor(
    readonly files: readonly IndexedFile[],
    readonly options: LoaderOptions,
  ) {
    if (!CACHE_MODES.includes(options.cache)) {
      throw new DataConfigError(`Unknown cache "${options.cache}". Use one of: ${CACHE_MODES.join(', ')}.`);
    }
    if (options.onError !== 'raise' && options.onError !== 'skip') {
      throw new DataConfigError(`Unknown onError "${options.onError}". Use 'raise' (stop on an unreadable file) or 'skip' (leave it out).`);
    }
    this.optionsKey = decodeOptionsKey(options.decode);
    if (options.cache === 'auto') {
      // Only images not cached yet need room: a later trial over the same folder reuses the pixels.
      const [h, w] = options.decode.targetSize;
      const uncached = files.reduce((n, f) => n + (decodedCache.has(this.keyOf(f)) ? 0 : 1), 0);
      this.cache = uncached * h * w * channelsOf(options.decode.colorMode) <= decodedCache.freeBytes ? 'memory' : 'none';
    } else {
      this.cache = options.cache;
    }
    this.disk = this.cache === 'disk' ? new DecodedDiskCache(options.cacheDir ?? defaultDiskCacheDir()) : null;
  }

  private keyOf(f: IndexedFile): string {
    return cacheKey(f.filepath, f.mtimeMs, f.size, this.optionsKey);
  }

  /**
   * File i without waiting, where that is cheap: a memory-cache hit, or a small plain PNG read and
   * decoded synchronously (a few syscalls and some JS, where a promise per file, libuv's round trips
   * and a sharp call would cost more than the pixels). Undefined when it needs `load` (anything else,
   * and every error, which `load` reports with the onError policy); null for a file already skipped.
   */
  loadSync(i: number): DecodedImage | null | undefined {
    const f = this.files[i];
    if (this.skipped.has(f.filepath)) return null;
    const key = this.cache === 'none' ? '' : this.keyOf(f);
    // `has` first: a miss is counted once, by whichever path decodes the file.
    if (this.cache === 'memory' && decodedCache.has(key)) return decodedCache.get(key)!;
    if (this.disk || !isSmallPng(f.filepath, f.size)) return undefined;
    const bytes = readSmall(f.filepath, f.size);
    const img = bytes && decodeSmallPngSync(bytes, this.options.decode);
    if (!img) return undefined;
    if (this.cache !== 'memory') return img;
    decodedCache.misses++;
    return decodedCache.store(key, img);
  }

  /** The decoded image of file i, or null when it is unreadable and onError is 'skip'. */
  async load(i: number): Promise<DecodedImage | null> {
    const f = this.files[i];
    if (this.skipped.has(f.filepath)) return null;
    const key = this.cache === 'none' ? '' : this.keyOf(f);
    if (this.cache === 'memory') {
      const hit = decodedCache.get(key);
      if (hit) return hit;
    }
    try {
      const img = await decodeLimit(async () => {
        if (this.disk) {
          const hit = await this.disk.get(key);
          if (hit) return hit;
          const fresh = await decodeImage(f.filepath, this.options.decode);
          await this.disk.set(key, fresh).catch(() => undefined); // a full disk only costs speed
          return fresh;
        }
        return decodeImage(f.filepath, this.options.decode);
      });
      // The cached copy lives in shared memory, where augmentation workers read it.
      return this.cache === 'memory' ? decodedCache.store(key, img) : img;
    } catch (err) {
      if (this.options.onError === 'skip' && err instanceof ImageDecodeError) {
        this.skipped.set(f.filepath, err.message);
        return null;
      }
      throw err;
    }
  }

  /** Skipped files not reported yet (each file is reported once). */
  takeUnreported(): string[] {
    const out: string[] = [];
    for (const p of this.skipped.keys()) {
      if (!this.reported.has(p)) {
        this.reported.add(p);
        out.push(p);
      }
    }
    return out;
  }
}

// One scratch buffer for the synchronous reads: the decoder copies what it keeps.
let scratch = new Uint8Array(0);

/**
 * The first `size` bytes of a file (its size when indexed), or null on any error. A file that has
 * changed since reads truncated or short and fails the PNG checks, so it goes the full path.
 */
function readSmall(filepath: string, size: number): Uint8Array | null {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, 64 * 1024));
  let fd: number;
  try {
    fd = openSync(filepath, 'r');
  } catch {
    return null;
  }
  try {
    let got = 0;
    while (got < size) {
      const n = readSync(fd, scratch, got, size - got, got);
      if (n === 0) return null;
      got += n;
    }
    return scratch.subarray(0, size);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
