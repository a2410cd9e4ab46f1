/**
 * Data pipeline throughput: `npm run bench:data` (tsx bench/data.ts).
 * On a generated folder of 1,000 JPEGs at 512x512 (2 classes; made once under the OS temp dir),
 * resized to 128x128 with rotation and flips on, it measures:
 *   - sharp's raw decode+resize ceiling (bounded Promise.all, nothing else), before and after;
 *   - the pipeline's first epoch (decode + augment + batch tensors, cache empty), with interpolation
 *     'linear' (libvips's kernel with JPEG shrink-on-load, like the ceiling) and with 'bilinear'
 *     (exactly PIL's resize, as Keras's load_img: full-size decode, then the JS resize);
 *   - cached epochs (decoded pixels in memory; augmentation still runs);
 *   - streaming epochs without cache, with RSS after each (must not grow).
 * Targets: first epoch >= 80% of the ceiling; cached epochs >= 10x the ceiling. Ceiling and first epoch
 * are measured in alternating rounds (BENCH_DATA_ROUNDS, default 3) and compared by their medians.
 * Small images: 5,000 PNGs of 28x28 grayscale (MNIST-like, 10 classes), first (uncached) epoch through
 * flowFromDirectory at their own size, no augmentation. The reference, torchvision ImageFolder +
 * DataLoader on the same kind of folder, 10,036 img/s (0 workers), was measured elsewhere (issue #16),
 * not on this machine: torchvision is not installable here. BENCH_DATA_SMALL_ONLY=1 runs only this case.
 * Besides images/s it reports process CPU time per image (process.cpuUsage: main thread plus libuv's
 * pool), which a shared machine disturbs less than wall time, and the load average.
 * The last line is one JSON object with the figures.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { initBackend } from '../src/runtime/backend.js';
import { applyTransform, randomTransform } from '../src/data/augment.js';
import { clearDecodedCache } from '../src/data/decoded-cache.js';
import { decodeConcurrency } from '../src/data/decode-pool.js';
import { ImageDataGenerator } from '../src/data/image-data-generator.js';
import { setAugmentWorkers } from '../src/data/augment-pool.js';
import type { DirectoryIterator } from '../src/data/directory-iterator.js';
import { Rng } from '../src/util/rng.js';

const N = Number(process.env.BENCH_DATA_IMAGES ?? 1000);
const SIDE = 512;
const TARGET = 128;
// The ceiling uses the pipeline's own bound on decodes in flight.
const CONCURRENCY = decodeConcurrency();

async function makeFolder(): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(os.tmpdir(), `tfjs-tuner-bench-data-${N}x${SIDE}-v1`);
  const classes = ['a', 'b'];
  const files = classes.flatMap((c) => Array.from({ length: N / 2 }, (_, i) => path.join(dir, c, `${String(i).padStart(4, '0')}.jpg`)));
  if (files.every((f) => existsSync(f))) return { dir, files };
  console.log(`Generating ${N} JPEGs (${SIDE}x${SIDE}) in ${dir} ...`);
  for (const c of classes) await mkdir(path.join(dir, c), { recursive: true });
  const limit = pLimit(CONCURRENCY);
  await Promise.all(
    files.map((f, n) =>
      limit(() => {
        // Smooth structure plus mild noise: JPEG sizes like photos' (~40-80 KB).
        const buf = Buffer.alloc(SIDE * SIDE * 3);
        let s = n * 2654435761;
        for (let y = 0, o = 0; y < SIDE; y++) {
          for (let x = 0; x < SIDE; x++) {
            for (let c = 0; c < 3; c++, o++) {
              s = (s * 1103515245 + 12345) >>> 0;
              const v = 128 + 60 * Math.sin((x + n * 7) / (9 + c * 4)) + 50 * Math.cos((y - n * 3) / (13 + c * 3)) + ((s >>> 24) % 24) - 12;
              buf[o] = v < 0 ? 0 : v > 255 ? 255 : v;
            }
          }
        }
        return sharp(buf, { raw: { width: SIDE, height: SIDE, channels: 3 } }).jpeg({ quality: 90 }).toFile(f);
      }),
    ),
  );
  return { dir, files };
}

async function ceiling(files: string[]): Promise<number> {
  sharp.cache(false);
  const limit = pLimit(CONCURRENCY);
  const t = performance.now();
  await Promise.all(files.map((f) => limit(() => sharp(f).removeAlpha().resize(TARGET, TARGET, { fit: 'fill', kernel: 'linear' }).raw().toBuffer())));
  return files.length / ((performance.now() - t) / 1000);
}

async function epoch(it: DirectoryIterator): Promise<{ imgPerS: number; images: number; cpuUsPerImage: number }> {
  const ds = it.toDataset();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const iter = await ds.iterator();
  let images = 0;
  for (;;) {
    const r = await iter.next();
    if (r.done) break;
    images += r.value.xs.shape[0];
    tf.dispose(r.value as unknown as tf.TensorContainer);
  }
  const used = process.cpuUsage(cpu);
  return { imgPerS: images / ((performance.now() - t) / 1000), images, cpuUsPerImage: (used.user + used.system) / images };
}

function augmentMicro(): number {
  const src = new Uint8Array(TARGET * TARGET * 3).map((_, i) => (i * 31) & 255);
  const out = new Float32Array(src.length);
  const rng = new Rng(1);
  const cfg = { rotationRange: 15, widthShiftRange: 0, heightShiftRange: 0, shearRange: 0, zoomRange: [1, 1] as const, uniformZoom: false, brightnessRange: null, channelShiftRange: 0, horizontalFlip: true, verticalFlip: false, fillMode: 'nearest' as const, cval: 0, interpolationOrder: 1 as const };
  for (let i = 0; i < 200; i++) applyTransform(src, TARGET, TARGET, 3, randomTransform(cfg, rng, TARGET, TARGET), 'nearest', 0, out);
  const reps = 2000;
  const t = performance.now();
  for (let i = 0; i < reps; i++) applyTransform(src, TARGET, TARGET, 3, randomTransform(cfg, rng, TARGET, TARGET), 'nearest', 0, out);
  return (performance.now() - t) / reps;
}

const SMALL_N = Number(process.env.BENCH_DATA_SMALL_IMAGES ?? 5000);
const SMALL_SIDE = 28;

async function makeSmallFolder(): Promise<string> {
  const dir = path.join(os.tmpdir(), `tfjs-tuner-bench-data-small-${SMALL_N}x${SMALL_SIDE}-v1`);
  const files = Array.from({ length: SMALL_N }, (_, i) => path.join(dir, `c${i % 10}`, `${String(i).padStart(5, '0')}.png`));
  if (files.every((f) => existsSync(f))) return dir;
  console.log(`Generating ${SMALL_N} PNGs (${SMALL_SIDE}x${SMALL_SIDE} grayscale) in ${dir} ...`);
  for (let c = 0; c < 10; c++) await mkdir(path.join(dir, `c${c}`), { recursive: true });
  const limit = pLimit(CONCURRENCY);
  await Promise.all(
    files.map((f, n) =>
      limit(() => {
        // A digit-like blob: a dark background with a bright stroke, as in MNIST.
        const buf = Buffer.alloc(SMALL_SIDE * SMALL_SIDE);
        for (let y = 0; y < SMALL_SIDE; y++) for (let x = 0; x < SMALL_SIDE; x++) {
          const d = Math.abs(Math.hypot(x - 14, y - 14) - 6 - (n % 5));
          buf[y * SMALL_SIDE + x] = d < 2 ? 255 - ((n * 7 + x * 3) % 60) : 0;
        }
        return sharp(buf, { raw: { width: SMALL_SIDE, height: SMALL_SIDE, channels: 1 } }).png().toFile(f);
      }),
    ),
  );
  return dir;
}

/** First (uncached) epoch of small grayscale PNGs, median of `rounds`. */
async function smallImages(rounds: number): Promise<{ images: number; firstEpochImgPerS: number; runsImgPerS: number[]; cpuUsPerImage: number; runsCpuUsPerImage: number[]; runsLoadAverage: number[] }> {
  const dir = await makeSmallFolder();
  const gen = new ImageDataGenerator({ rescale: 1 / 255 });
  const runs: number[] = [];
  const cpus: number[] = [];
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    clearDecodedCache();
    const it = gen.flowFromDirectory(dir, { targetSize: [SMALL_SIDE, SMALL_SIDE], colorMode: 'grayscale', batchSize: 64, seed: 1, verbose: false });
    const e = await epoch(it);
    runs.push(e.imgPerS);
    cpus.push(e.cpuUsPerImage);
    loads.push(+os.loadavg()[0].toFixed(1));
    console.log(`small images round ${r + 1}: first epoch ${runs[r].toFixed(0)} img/s, CPU ${cpus[r].toFixed(0)} us/image, load ${loads[r]} (${SMALL_N} PNGs ${SMALL_SIDE}x${SMALL_SIDE} grayscale)`);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return {
    images: SMALL_N,
    firstEpochImgPerS: Math.round(median(runs)),
    runsImgPerS: runs.map(Math.round),
    cpuUsPerImage: Math.round(median(cpus)),
    runsCpuUsPerImage: cpus.map(Math.round),
    runsLoadAverage: loads,
  };
}

const smallResult = (s: Awaited<ReturnType<typeof smallImages>>) => ({
  images: s.images,
  source: `${SMALL_SIDE}x${SMALL_SIDE} grayscale png`,
  firstEpochImgPerS: s.firstEpochImgPerS,
  firstEpochRunsImgPerS: s.runsImgPerS,
  cpuUsPerImage: s.cpuUsPerImage,
  cpuUsPerImageRuns: s.runsCpuUsPerImage,
  loadAverageRuns: s.runsLoadAverage,
  targetImgPerS: 10036,
  reference: { torchvisionImageFolderImgPerS: 10036, note: 'measured elsewhere (issue #16, 0 DataLoader workers), not on this machine' },
});

const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

async function main(): Promise<void> {
  const backend = await initBackend();
  if (process.env.BENCH_DATA_SMALL_ONLY) {
    const small = await smallImages(Number(process.env.BENCH_DATA_ROUNDS ?? 3));
    console.log(JSON.stringify({ bench: 'data', loadAverage: +os.loadavg()[0].toFixed(1), cpus: os.cpus().length, smallImages: smallResult(small) }));
    return;
  }
  const { dir, files } = await makeFolder();
  console.log(`Folder: ${dir} (${(await readdir(path.join(dir, 'a'))).length * 2} files); backend ${backend.name}; ${os.cpus().length} CPUs; decode concurrency ${CONCURRENCY}`);
  await ceiling(files.slice(0, 100)); // warm-up (page cache, sharp init)

  // The machine may be shared: interleave ceiling and first-epoch runs and compare medians.
  const ROUNDS = Number(process.env.BENCH_DATA_ROUNDS ?? 3);
  const gen = new ImageDataGenerator({ rescale: 1 / 255, rotationRange: 15, horizontalFlip: true });
  const ceilings: number[] = [];
  const firsts: number[] = [];
  const pilFirsts: number[] = [];
  const pilCpu: number[] = [];
  let it: DirectoryIterator | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    ceilings.push(await ceiling(files));
    clearDecodedCache();
    const pil = await epoch(gen.flowFromDirectory(dir, { targetSize: [TARGET, TARGET], batchSize: 32, interpolation: 'bilinear', seed: 1, verbose: false }));
    pilFirsts.push(pil.imgPerS);
    pilCpu.push(pil.cpuUsPerImage);
    clearDecodedCache();
    it = gen.flowFromDirectory(dir, { targetSize: [TARGET, TARGET], batchSize: 32, interpolation: 'linear', seed: 1, verbose: false });
    firsts.push((await epoch(it)).imgPerS);
    console.log(
      `round ${r + 1}: sharp decode+resize ceiling ${ceilings[r].toFixed(0)} img/s; first epoch (decode + augment, cache ${it.cache}) 'linear' ${firsts[r].toFixed(0)} img/s, ` +
        `PIL-exact 'bilinear' ${pilFirsts[r].toFixed(0)} img/s (CPU ${pilCpu[r].toFixed(0)} us/image); load ${os.loadavg()[0].toFixed(1)}`,
    );
  }
  const cached: number[] = [];
  for (let e = 0; e < 3; e++) {
    cached.push((await epoch(it!)).imgPerS);
    console.log(`cached epoch ${e + 2}: ${cached[e].toFixed(0)} img/s`);
  }
  // The same cached epoch with the warp on the main thread only (no augmentation workers).
  const workers = Math.max(0, Math.min(4, os.availableParallelism() - 1));
  setAugmentWorkers(0);
  const mainOnly = (await epoch(it!)).imgPerS;
  setAugmentWorkers(workers);
  console.log(`cached epoch, main thread only (no workers): ${mainOnly.toFixed(0)} img/s (default: ${workers} worker(s) + main)`);
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const ceilingMedian = median(ceilings);
  const firstMedian = median(firsts);

  const stream = gen.flowFromDirectory(dir, { targetSize: [TARGET, TARGET], batchSize: 32, interpolation: 'linear', seed: 2, verbose: false, cache: 'none' });
  const rss: number[] = [rssMiB()];
  const streaming: number[] = [];
  for (let e = 0; e < 3; e++) {
    streaming.push((await epoch(stream)).imgPerS);
    rss.push(rssMiB());
    console.log(`streaming epoch ${e + 1} (cache none): ${streaming[e].toFixed(0)} img/s, RSS ${rss[rss.length - 1]} MiB, tensors ${tf.memory().numTensors}`);
  }
  const small = await smallImages(ROUNDS);
  const augmentMs = augmentMicro();
  console.log(`augment (rotation + flip, 128x128x3, one image): ${(augmentMs * 1000).toFixed(0)} us`);
  const cachedMean = cached.reduce((a, b) => a + b, 0) / cached.length;
  const result = {
    bench: 'data',
    images: N,
    source: `${SIDE}x${SIDE} jpeg`,
    target: `${TARGET}x${TARGET}`,
    augmentation: 'rotation 15 + horizontal flip + rescale',
    cpus: os.cpus().length,
    decodeConcurrency: CONCURRENCY,
    loadAverage: +os.loadavg()[0].toFixed(1),
    ceilingImgPerS: Math.round(ceilingMedian),
    ceilingRunsImgPerS: ceilings.map(Math.round),
    firstEpochImgPerS: Math.round(firstMedian),
    firstEpochRunsImgPerS: firsts.map(Math.round),
    firstEpochVsCeiling: +(firstMedian / ceilingMedian).toFixed(2),
    firstEpochPilBilinearImgPerS: Math.round(median(pilFirsts)),
    firstEpochPilBilinearRunsImgPerS: pilFirsts.map(Math.round),
    firstEpochPilBilinearCpuUsPerImage: Math.round(median(pilCpu)),
    cachedEpochImgPerS: Math.round(cachedMean),
    cachedEpochRunsImgPerS: cached.map(Math.round),
    cachedVsCeiling: +(cachedMean / ceilingMedian).toFixed(1),
    cachedEpochMainThreadOnlyImgPerS: Math.round(mainOnly),
    augmentWorkers: workers,
    streamingEpochImgPerS: streaming.map(Math.round),
    rssMiBAfterStreamingEpochs: rss,
    augmentUsPerImage: Math.round(augmentMs * 1000),
    smallImages: smallResult(small),
    targets: { firstEpochVsCeiling: 0.8, cachedVsCeiling: 10, smallImagesImgPerS: 10000 },
  };
  console.log(JSON.stringify(result));
}

await main();
