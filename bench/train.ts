/**
 * npm run bench:train [-- --backends wasm,cpu --seconds 10 --pytorch-ref 840]
 * Trains the reference CNN (64x64x3, two conv blocks, batch 32) on each backend that loads and prints
 * training and inference (forward only) images/s and their ratio. Last line: one JSON object.
 * The PyTorch reference is single-thread CPU training of the same network: 840 img/s in
 * shared/reference/measured-anchors.md, or what bench/pytorch_reference.py measures on this machine.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/runtime/backend.js';
import { referenceCnn } from './reference-cnn.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const backends = opt('backends', 'tensorflow,webgpu,wasm,cpu').split(',');
const seconds = Number(opt('seconds', '8'));
const batch = Number(opt('batch', '32'));
const pytorchRef = Number(opt('pytorch-ref', '840'));

async function timeLoop(fn: () => Promise<void>, budgetS: number, minIters: number, maxIters = 1e9) {
  let iters = 0;
  const t0 = performance.now();
  while (iters < maxIters && (iters < minIters || performance.now() - t0 < budgetS * 1000)) {
    await fn();
    iters++;
  }
  return { iters, seconds: (performance.now() - t0) / 1000 };
}

const results: Record<string, unknown> = {};
for (const name of backends) {
  let reason: string;
  try {
    reason = (await initBackend(name)).reason;
  } catch (err) {
    console.log(`${name}: skipped (${(err as Error).message.split('. ')[0]})`);
    results[name] = { skipped: true };
    continue;
  }
  const slow = name === 'cpu';
  const model = referenceCnn();
  const x = tf.randomUniform([batch, 64, 64, 3]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 4, 'int32') as tf.Tensor1D, 4);
  // warm-up: first calls compile kernels / allocate
  await model.trainOnBatch(x, y);
  const tensorsAfterFirstStep = tf.memory().numTensors;
  {
    // async read: synchronous reads need OffscreenCanvas on webgpu, which Node lacks
    const p = model.predict(x) as tf.Tensor;
    await p.data();
    p.dispose();
  }

  const train = await timeLoop(async () => { await model.trainOnBatch(x, y); }, slow ? 0 : seconds, slow ? 1 : 5, slow ? 1 : 1e9);
  const infer = await timeLoop(async () => {
    const p = model.predict(x) as tf.Tensor;
    await p.data();
    p.dispose();
  }, slow ? 0 : seconds / 2, slow ? 2 : 10, slow ? 2 : 1e9);
  const leaked = tf.memory().numTensors - tensorsAfterFirstStep;
  const trainIps = (train.iters * batch) / train.seconds;
  const inferIps = (infer.iters * batch) / infer.seconds;
  const r = {
    trainImagesPerSec: Math.round(trainIps * 10) / 10,
    inferImagesPerSec: Math.round(inferIps * 10) / 10,
    trainStepOverForward: Math.round((inferIps / trainIps) * 100) / 100,
    trainSteps: train.iters,
    tensorsLeakedPerRun: leaked,
  };
  results[name] = r;
  console.log(`${name.padEnd(10)} train ${r.trainImagesPerSec} img/s   inference ${r.inferImagesPerSec} img/s   ` +
    `step/forward ${r.trainStepOverForward}x   (${reason})`);
  model.dispose();
  x.dispose();
  y.dispose();
}
const wasm = results.wasm as { trainImagesPerSec?: number } | undefined;
console.log(JSON.stringify({
  bench: 'train', model: 'reference-cnn 64x64x3 batch ' + batch, results,
  pytorchCpu1ThreadRef: pytorchRef,
  wasmVsPytorchRef: wasm?.trainImagesPerSec ? Math.round((wasm.trainImagesPerSec / pytorchRef) * 100) / 100 : null,
}));
