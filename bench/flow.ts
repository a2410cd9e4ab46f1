/**
 * In-memory flow throughput: `npx tsx bench/flow.ts` (BENCH_FLOW_N images, default 60,000, 28x28x1 uint8
 * like MNIST, batch 128). Times `flow` itself (reading and copying x), then epochs of batch tensors:
 * without augmentation, and with rotation + shifts + zoom on the main thread only and with the
 * augmentation workers (default count). Images/s are for a consumer that only disposes the batches.
 * The last line is one JSON object with the figures.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { initBackend } from '../src/runtime/backend.js';
import { ImageDataGenerator } from '../src/data/image-data-generator.js';
import { setAugmentWorkers } from '../src/data/augment-pool.js';
import type { ArrayIterator } from '../src/data/array-iterator.js';

const N = Number(process.env.BENCH_FLOW_N ?? 60000);
const [H, W, C] = [28, 28, 1];
const BATCH = 128;

await initBackend();
const data = new Uint8Array(N * H * W * C);
for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
const x = tf.tensor4d(Float32Array.from(data), [N, H, W, C]); // float32 0..255, as a Keras user would pass it
const y = tf.tensor1d(Int32Array.from({ length: N }, (_, i) => i % 10), 'int32');

async function epoch(it: ArrayIterator): Promise<number> {
  const t = performance.now();
  for await (const b of it) tf.dispose(b as unknown as tf.TensorContainer);
  return N / ((performance.now() - t) / 1000);
}

const plain = new ImageDataGenerator({ rescale: 1 / 255 });
const t = performance.now();
const it = plain.flow(x, y, { batchSize: BATCH, seed: 1 });
const flowMs = performance.now() - t;
const plainRate = (await epoch(it), await epoch(it));
const aug = new ImageDataGenerator({ rescale: 1 / 255, rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1 });
setAugmentWorkers(0);
const mainRate = await epoch(aug.flow(x, y, { batchSize: BATCH, seed: 1 }));
const defaultWorkers = Math.max(0, Math.min(4, os.availableParallelism() - 1)); // augment-pool.ts's default
setAugmentWorkers(defaultWorkers);
const poolIt = aug.flow(x, y, { batchSize: BATCH, seed: 1 });
await epoch(poolIt); // workers start
const poolRate = await epoch(poolIt);
tf.dispose([x, y]);
const r = { n: N, flowMs: Math.round(flowMs), plainImagesPerS: Math.round(plainRate), augMainImagesPerS: Math.round(mainRate), augWorkers: defaultWorkers, augPoolImagesPerS: Math.round(poolRate) };
console.log(`flow(): ${r.flowMs} ms for ${N} images; epoch without augmentation ${r.plainImagesPerS} img/s; augmented: main thread ${r.augMainImagesPerS} img/s, with ${defaultWorkers} worker(s) ${r.augPoolImagesPerS} img/s`);
console.log(JSON.stringify(r));
process.exit(0);
