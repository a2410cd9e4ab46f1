/**
 * Routes a Conv2D(relu) layer through the fused conv + bias + relu kernel where the backend has it
 * (wasm, see runtime/wasm-conv-relu.ts), so that training runs one kernel where tfjs runs three; about
 * 10 % of a training step of the built-in CNN. Only the layer's `call` changes: its weights, config and
 * saved form are a plain Conv2D, and on other backends, or for other configurations, it runs as before.
 */
import tf from '../tf.cjs';
import { CONV_RELU_KERNEL, type ConvReluAttrs } from '../runtime/wasm-conv-relu.js';

interface ConvInternals {
  kernel: { read(): tf.Tensor4D };
  bias: { read(): tf.Tensor1D } | null;
}

/** Whether this Conv2D's config is one the fused kernel computes (relu, bias, NHWC, dilation 1). */
function fusable(layer: tf.layers.Layer): ConvReluAttrs | undefined {
  if (layer.getClassName() !== 'Conv2D') return undefined;
  const c = layer.getConfig() as {
    activation?: string; useBias?: boolean; dataFormat?: string; dilationRate?: number | number[];
    padding?: string; strides?: number | number[];
  };
  const pair = (v: number | number[] | undefined): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v ?? 1, v ?? 1]);
  const [dh, dw] = pair(c.dilationRate);
  if (c.activation !== 'relu' || !c.useBias || c.dataFormat !== 'channelsLast' || dh !== 1 || dw !== 1) return undefined;
  if (c.padding !== 'same' && c.padding !== 'valid') return undefined;
  return { strides: pair(c.strides), pad: c.padding };
}

/** Makes `layer` (a Conv2D with relu) compute through the fused kernel when it can; others are left as they are. */
export function fuseConvReluWhileTraining(layer: tf.layers.Layer): void {
  const attrs = fusable(layer);
  if (!attrs) return;
  const original = layer.call.bind(layer);
  const conv = layer as unknown as ConvInternals;
  layer.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (Array.isArray(inputs) && inputs.length !== 1) return original(inputs, kwargs);
    if (x.dtype !== 'float32' || x.rank !== 4 || !conv.bias || !tf.getKernel(CONV_RELU_KERNEL, tf.getBackend())) return original(inputs, kwargs);
    return tf.engine().runKernel(CONV_RELU_KERNEL, { x, filter: conv.kernel.read(), bias: conv.bias.read() }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
}
