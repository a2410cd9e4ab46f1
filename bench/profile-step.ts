/** npx tsx bench/profile-step.ts [backend]: kernel time per training step of the reference CNN. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/runtime/backend.js';
import { referenceCnn } from './reference-cnn.js';

await initBackend(process.argv[2] ?? 'wasm');
const model = referenceCnn();
const x = tf.randomUniform([32, 64, 64, 3]);
const y = tf.oneHot(tf.randomUniform([32], 0, 4, 'int32') as tf.Tensor1D, 4);
await model.trainOnBatch(x, y);
const totals = new Map<string, number>();
const runs = 3;
for (let i = 0; i < runs; i++) {
  const info = await tf.profile(async () => { await model.trainOnBatch(x, y); });
  for (const k of info.kernels) totals.set(k.name, (totals.get(k.name) ?? 0) + (k.kernelTimeMs as number) / runs);
}
const rows = [...totals].sort((a, b) => b[1] - a[1]);
for (const [name, ms] of rows.slice(0, 15)) console.log(name.padEnd(28), ms.toFixed(1), 'ms');
console.log('total', rows.reduce((s, r) => s + r[1], 0).toFixed(1), 'ms');
