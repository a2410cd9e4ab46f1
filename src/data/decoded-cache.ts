/**
 * Process-wide cache of decoded, resized uint8 pixels, keyed by file path + mtime + size + decode
 * options. Epochs after the first, and later trials of a search over the same folder, skip decoding.
 * It never evicts: once the budget is full, new images are simply not cached. (An LRU over a folder
 * read in a new order each epoch would evict before reuse and hit almost never; a full cache that
 * stops growing still serves budget/total of the reads.)
 * Cached pixels live in SharedArrayBuffer slabs, so augmentation workers read them without a copy.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DecodedImage } from './decode.js';

/** Default memory budget: 1 GiB of decoded pixels. */
export const DEFAULT_CACHE_BUDGET_BYTES = 1024 ** 3;

export function cacheKey(filepath: string, mtimeMs: number, size: number, optionsKey: string): string {
  return `${filepath}\0${mtimeMs}\0${size}\0${optionsKey}`;
}

/** Cached pixels are packed into shared slabs of this size (bigger images get their own buffer). */
const SLAB_BYTES = 16 * 2 ** 20;

export class DecodedMemoryCache {
  private readonly entries = new Map<string, DecodedImage>();
  private usedBytes = 0;
  private slab: Uint8Array | null = null;
  private slabUsed = 0;
  hits = 0;
  misses = 0;

  constructor(public budgetBytes: number = DEFAULT_CACHE_BUDGET_BYTES) {}

  get bytes(): number {
    return this.usedBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes still free under the budget. */
  get freeBytes(): number {
    return Math.max(0, this.budgetBytes - this.usedBytes);
  }

  get(key: string): DecodedImage | undefined {
    const e = this.entries.get(key);
    if (e) this.hits++;
    else this.misses++;
    return e;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Stores the image if it fits the budget; returns whether it was stored. */
  set(key: string, img: DecodedImage): boolean {
    this.store(key, img);
    return this.entries.has(key);
  }

  /**
   * Stores the image if it fits the budget; returns the cached image (its pixels in shared memory)
   * or, when it did not fit, `img` itself.
   */
  store(key: string, img: DecodedImage): DecodedImage {
    const had = this.entries.get(key);
    if (had) return had;
    if (this.usedBytes + img.data.byteLength > this.budgetBytes) return img;
    const kept = { ...img, data: this.shared(img.data) };
    this.entries.set(key, kept);
    this.usedBytes += img.data.byteLength;
    return kept;
  }

  /** `data` itself if it is already shared, else a copy in a shared slab. */
  private shared(data: Uint8Array): Uint8Array {
    if (data.buffer instanceof SharedArrayBuffer) return data;
    const n = data.byteLength;
    if (n > SLAB_BYTES / 4) {
      const own = new Uint8Array(new SharedArrayBuffer(n));
      own.set(data);
      return own;
    }
    if (!this.slab || this.slabUsed + n > this.slab.length) {
      this.slab = new Uint8Array(new SharedArrayBuffer(SLAB_BYTES));
      this.slabUsed = 0;
    }
    const view = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    view.set(data);
    this.slabUsed += (n + 7) & ~7;
    return view;
  }

  clear(): void {
    this.entries.clear();
    this.usedBytes = 0;
    this.slab = null;
    this.slabUsed = 0;
    this.hits = 0;
    this.misses = 0;
  }
}

/** The cache shared by every iterator in this process. */
export const decodedCache = new DecodedMemoryCache();

/** Sets the process-wide memory budget (bytes) of the decoded cache. */
export function setDecodedCacheBudget(bytes: number): void {
  decodedCache.budgetBytes = bytes;
}

/** Empties the process-wide decoded cache. */
export function clearDecodedCache(): void {
  decodedCache.clear();
}

export function defaultDiskCacheDir(): string {
  return path.join(os.tmpdir(), 'tfjs-tuner-decoded');
}

/**
 * Decoded pixels on disk, one file per image: a 12-byte header (height, width, channels as uint32 LE)
 * then the raw bytes. Reading 50 KB of raw pixels is far cheaper than decoding a JPEG.
 */
export class DecodedDiskCache {
  private made = false;
  constructor(readonly dir: string = defaultDiskCacheDir()) {}

  private fileFor(key: string): string {
    return path.join(this.dir, `${createHash('sha1').update(key).digest('hex')}.raw`);
  }

  async get(key: string): Promise<DecodedImage | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(this.fileFor(key));
    } catch {
      return undefined;
    }
    if (buf.length < 12) return undefined;
    const height = buf.readUInt32LE(0);
    const width = buf.readUInt32LE(4);
    const channels = buf.readUInt32LE(8);
    if (buf.length !== 12 + height * width * channels) return undefined;
    return { data: new Uint8Array(buf.buffer, buf.byteOffset + 12, buf.length - 12), height, width, channels };
  }

  async set(key: string, img: DecodedImage): Promise<void> {
    if (!this.made) {
      await mkdir(this.dir, { recursive: true });
      this.made = true;
    }
    const header = Buffer.alloc(12);
    header.writeUInt32LE(img.height, 0);
    header.writeUInt32LE(img.width, 4);
    header.writeUInt32LE(img.channels, 8);
    const file = this.fileFor(key);
    // Written whole then renamed, so a reader never sees half a file.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, Buffer.concat([header, img.data]));
    await rename(tmp, file);
  }
}
