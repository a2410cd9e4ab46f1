/**
 * Backend selection. tfjs-tuner runs on whichever TensorFlow.js backend is best on this machine:
 * tfjs-node-gpu (CUDA), tfjs-node (libtensorflow on the CPU), wasm (embedded, with our training
 * kernels) or the pure-JS cpu backend. tfjs-node(-gpu) and webgpu are optional peers: used when
 * installed, never required.
 */
import { createRequire } from 'node:module';
import tf from '../tf.cjs';
import { registerWasmTrainingKernels } from './wasm-training-kernels.js';
import { registerWasmDepthwiseKernels } from './wasm-depthwise-kernels.js';
import { registerWasmConvFixes } from './wasm-conv-fixes.js';
import { registerWasmConvRelu } from './wasm-conv-relu.js';
import { registerWasmMathKernels } from './wasm-math-kernels.js';
import { registerWasmGatherKernel } from './wasm-gather-kernel.js';
import { registerWebgpuKernels } from './webgpu-kernels.js';

/** A backend a user can ask for. `tensorflow` is tfjs-node-gpu or tfjs-node, whichever is installed. */
export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';

export interface BackendChoice {
  /** The tfjs backend now active (`tensorflow`, `wasm`, `cpu` or `webgpu`). */
  name: string;
  /** One line: what was chosen and why better backends were skipped. */
  reason: string;
}

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'];

/** The environment variable that forces a backend, like `--backend` on the CLI. */
export const BACKEND_ENV = 'TFJS_TUNER_BACKEND';

// A non-literal specifier keeps TypeScript from requiring the optional peers' types.
const importOptional = (name: string): Promise<any> => import(name);
// tfjs's packages are CommonJS: required, not imported, so that Node does not lex them (see ../tf.cts).
const require = createRequire(import.meta.url);

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return (e?.message ?? String(err)).split('\n')[0];
}

async function loadTensorflow(gpuOnly: boolean | undefined): Promise<string> {
  const tried: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const isGpu = pkg.endsWith('-gpu');
    if (gpuOnly === false && isGpu) continue;
    if (gpuOnly === true && !isGpu) continue;
    try {
      require(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('backend "tensorflow" failed to initialize');
      await tf.ready();
      if (isGpu) {
        const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } }).binding;
        if (binding?.isUsingGpuDevice && !binding.isUsingGpuDevice()) {
          throw new Error('loaded, but sees no GPU (check CUDA 11.2 and cuDNN 8.1)');
        }
      }
      return pkg;
    } catch (err) {
      tried.push(`${pkg}: ${describe(err)}`);
    }
  }
  throw new Error(tried.join('; '));
}

async function loadWasm(): Promise<void> {
  require('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  registerWasmDepthwiseKernels();
  registerWasmMathKernels();
  registerWasmGatherKernel(); // model.fit on tensors gathers every batch
  registerWasmConvFixes(); // wasm's 'same' padding is wrong when the kernel is smaller than the stride
  registerWasmConvRelu(); // after the fixes: it runs their FusedConv2D

  if (!(await tf.setBackend('wasm'))) throw new Error('backend "wasm" failed to initialize');
  await tf.ready();
}

async function loadCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('backend "cpu" failed to initialize');
  await tf.ready();
}

async function loadWebgpu(): Promise<void> {
  let webgpu: any;
  try {
    webgpu = await importOptional('webgpu');
  } catch (err) {
    throw new Error(`the optional package "webgpu" is ${describe(err)}; run \`npm install webgpu @tensorflow/tfjs-backend-webgpu\``);
  }
  const g = globalThis as any;
  if (webgpu.globals) Object.assign(g, webgpu.globals);
  // tfjs-backend-webgpu registers itself only when navigator.gpu exists at import time.
  const gpu = webgpu.create([]);
  if (!g.navigator) Object.defineProperty(g, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  try {
    await importOptional('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    throw new Error(`@tensorflow/tfjs-backend-webgpu is ${describe(err)}; run \`npm install @tensorflow/tfjs-backend-webgpu@${tf.version_core}\``);
  }
  registerWebgpuKernels(); // a filter gradient that keeps the GPU busy
  if (!(await tf.setBackend('webgpu'))) throw new Error('backend "webgpu" failed to initialize (no adapter?)');
  await tf.ready();
}

let current: BackendChoice | undefined;

/**
 * tfjs's cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js ... install
 * tfjs-node" on first use; initBackend already says in one line why tfjs-node was or was not used.
 */
function silenceCpuBanner(): void {
  const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/**
 * Chooses and loads a backend. `name` defaults to the TFJS_TUNER_BACKEND environment variable, then
 * `auto`. A forced backend that cannot load throws; `auto` falls back and says why in `reason`.
 */
export async function initBackend(name?: BackendName | string): Promise<BackendChoice> {
  silenceCpuBanner();
  const wanted = (name ?? process.env[BACKEND_ENV] ?? 'auto') as BackendName;
  if (!BACKEND_NAMES.includes(wanted)) {
    throw new Error(`Unknown backend "${wanted}": use one of ${BACKEND_NAMES.join(', ')} (option --backend or ${BACKEND_ENV}).`);
  }
  if (current && (wanted === 'auto' || wanted === current.name) && tf.getBackend() === current.name) return current;

  if (wanted !== 'auto') {
    try {
      if (wanted === 'tensorflow') {
        const pkg = await loadTensorflow(undefined);
        return (current = { name: 'tensorflow', reason: `tensorflow: forced, using ${pkg}` });
      }
      if (wanted === 'wasm') await loadWasm();
      else if (wanted === 'cpu') await loadCpu();
      else await loadWebgpu();
      return (current = { name: wanted, reason: `${wanted}: forced` });
    } catch (err) {
      throw new Error(`Backend "${wanted}" was requested but cannot load: ${describe(err)}. ` +
        `Install it, or choose another with --backend / ${BACKEND_ENV} (auto, tensorflow, wasm, cpu, webgpu).`);
    }
  }

  const skipped: string[] = [];
  for (const [label, gpuOnly] of [['tfjs-node-gpu', true], ['tfjs-node', false]] as const) {
    try {
      const pkg = await loadTensorflow(gpuOnly);
      return (current = { name: 'tensorflow', reason: `tensorflow (${pkg})${skipped.length ? `; skipped ${skipped.join('; ')}` : ''}` });
    } catch (err) {
      skipped.push(`${label}: ${describe(err).replace(/^@tensorflow\/tfjs-node(-gpu)?: /, '')}`);
    }
  }
  try {
    await loadWasm();
    return (current = { name: 'wasm', reason: `wasm; skipped ${skipped.join('; ')}` });
  } catch (err) {
    skipped.push(`wasm: ${describe(err)}`);
  }
  await loadCpu();
  return (current = { name: 'cpu', reason: `cpu; skipped ${skipped.join('; ')}` });
}
