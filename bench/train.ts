/**
 * npm run bench:train [-- --backends wasm,cpu --seconds 10 --no-pytorch]
 * Trains the reference CNN (64x64x3, two conv blocks, batch 32) on each backend that loads and prints
 * training and inference (forward only) images/s and their ratio. Last line: one JSON object.
 * The PyTorch peer (single-thread CPU training of the same network, bench/pytorch_reference.py) is
 * measured in the same run when python3 can import torch; otherwise no ratio is printed, and the
 * output says why (a figure from another machine or session would not be comparable).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
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
const skipPytorch = args.includes('--no-pytorch');
if (args.includes('--pytorch-ref')) {
  console.error('--pytorch-ref is gone: PyTorch is measured in the same run (bench/pytorch_reference.py) or not compared.');
  process.exit(2);
}

/** Runs bench/pytorch_reference.py here and now; its train img/s, or why there is none. */
function measurePytorch(): { trainImagesPerSec: number; torch: string } | { unavailable: string } {
  if (skipPytorch) return { unavailable: '--no-pytorch was passed' };
  const script = join(import.meta.dirname, 'pytorch_reference.py');
  const r = spawnSync('python3', [script, String(seconds)], { encoding: 'utf8', timeout: (seconds * 4 + 120) * 1000 });
  if (r.error) return { unavailable: `python3 could not be started (${r.error.message})` };
  if (r.status !== 0) {
    const why = /ModuleNotFoundError: No module named 'torch'/.test(r.stderr) ? 'python3 has no torch module (pip install torch)'
      : `bench/pytorch_reference.py exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').at(-1)}`;
    return { unavailable: why };
  }
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    const j = JSON.parse(last) as { trainImagesPerSec: number; torch: string };
    console.log(r.stdout.trim().split('\n').at(-2));
    return j;
  } catch {
    return { unavailable: `bench/pytorch_reference.py printed no JSON last line (${last.slice(0, 80)})` };
  }
}

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
// After the tfjs backends, so the two never share the CPU.
const pytorch = batch === 32 ? measurePytorch() : { unavailable: `pytorch_reference.py trains batch 32, not ${batch}` };
let wasmVsPytorch: number | null = null;
if ('unavailable' in pytorch) console.log(`no PyTorch ratio: ${pytorch.unavailable}`);
else if (wasm?.trainImagesPerSec) {
  wasmVsPytorch = Math.round((wasm.trainImagesPerSec / pytorch.trainImagesPerSec) * 100) / 100;
  console.log(`wasm vs PyTorch ${pytorch.torch} (cpu, 1 thread, this run): ${wasmVsPytorch}x`);
}
console.log(JSON.stringify({
  bench: 'train', model: 'reference-cnn 64x64x3 batch ' + batch, results,
  pytorchCpu1Thread: 'unavailable' in pytorch ? null : pytorch.trainImagesPerSec,
  pytorchUnavailable: 'unavailable' in pytorch ? pytorch.unavailable : undefined,
  wasmVsPytorch,
}));
