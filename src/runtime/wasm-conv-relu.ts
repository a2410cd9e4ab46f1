/**
 * Conv2D + bias + relu as one kernel while training, on wasm.
 *
 * tfjs fuses a convolution with its bias and relu only when no gradient is recorded (tfjs-core's
 * `shouldFuse`): during `fit` every Conv2D(relu) layer runs three kernels (Conv2D, Add, Relu), each a pass
 * over the activations, plus Relu's saved input. Here the forward pass is wasm's own FusedConv2D with relu
 * (one pass), and the gradient is tfjs's conv2d gradient taken at relu'(y) * dy: for y = relu(z), y > 0
 * exactly where z > 0, so the saved output stands in for the pre-activation. Like tfjs's own gradients, the
 * input's gradient is computed only when something needs it (not for a model's first layer).
 *
 * The kernel `TfjsTunerConv2DRelu` has the inputs {x, filter, bias} and the attributes {strides, pad} of
 * FusedConv2D (NHWC, dilation 1). `fuseConvReluWhileTraining` (models/) routes a layer through it. Its
 * gradient takes relu' and the bias gradient (the column sums of relu'(y) * dy) in one pass
 * (`TfjsTunerReluGradBiasSum`), the sums in the order of the Sum kernel's, so they are the same numbers.
 */
import tf from '../tf.cjs';
import type { Pad } from './kernel-utils.js';
import { addressOf, trainingKernels, type WasmBackendLike } from './simd/training-kernels.js';

export const CONV_RELU_KERNEL = 'TfjsTunerConv2DRelu';
/** {dy, y} -> [dy * step(y), its sums over all but the last axis]; float32, dy and y of one shape. */
export const RELU_GRAD_BIAS_SUM_KERNEL = 'TfjsTunerReluGradBiasSum';

function reluGradBiasSum(backend: WasmBackendLike, dy: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo[] {
  const cols = y.shape[y.shape.length - 1];
  const rows = y.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([...y.shape], 'float32');
  const sums = backend.makeOutput([cols], 'float32');
  trainingKernels(backend).reluGradSumRows(addressOf(backend, dy), addressOf(backend, y), addressOf(backend, out), addressOf(backend, sums), rows, cols);
  return [out, sums];
}

export interface ConvReluAttrs {
  strides: [number, number];
  pad: Pad;
}

let registered = false;

/**
 * Registers (once) the kernel on wasm and its gradient. Call it after the wasm FusedConv2D is final (after
 * registerWasmConvFixes), as it runs that kernel.
 */
export function registerWasmConvRelu(): void {
  if (registered) return;
  const fused = tf.getKernel('FusedConv2D', 'wasm');
  if (!fused) throw new Error(`registerWasmConvRelu: the wasm kernel FusedConv2D is not registered; import '@tensorflow/tfjs-backend-wasm' first.`);
  registered = true;
  tf.registerKernel({
    kernelName: RELU_GRAD_BIAS_SUM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
      return reluGradBiasSum(backend as unknown as WasmBackendLike, dy, y);
    },
  });
  tf.registerKernel({
    kernelName: CONV_RELU_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { strides, pad } = attrs as unknown as ConvReluAttrs;
      return fused.kernelFunc({
        inputs, backend,
        attrs: { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' } as unknown as tf.NamedAttrMap,
      });
    },
  });
  tf.registerGradient({
    kernelName: CONV_RELU_KERNEL,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as tf.Tensor4D[];
      const { strides, pad } = attrs as unknown as ConvReluAttrs;
      const [dz, dBias] = tf.engine().runKernel(RELU_GRAD_BIAS_SUM_KERNEL, { dy: dy as tf.Tensor, y }) as [tf.Tensor4D, tf.Tensor1D];
      const conv = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1] };
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...conv, inputShape: x.shape }) as tf.Tensor,
        filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: filter.shape }) as tf.Tensor,
        bias: () => dBias,
      };
    },
  });
}
