/**
 * In-memory inputs of `ImageDataGenerator.flow`: images, labels and sample weights given as tensors,
 * nested arrays or flat arrays with a shape, read once into plain arrays that the iterator owns (the
 * caller's data is never written, and its tensors may be disposed right after `flow` returns).
 */
import tf from '../tf.cjs';
import { DataConfigError } from './errors.js';

/** A flat array of values in row-major order and the shape it has. */
export interface ArrayWithShape {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** Nested plain arrays, e.g. number[][][][] for images [n, h, w, c]. */
export type NestedArray = ReadonlyArray<number | NestedArray>;

/** Images [n, height, width, channels], channels-last. */
export type ImageArray = tf.Tensor | ArrayWithShape | NestedArray;

/** Targets whose first dimension is n: a tensor, a flat list of labels (shape [n]), nested arrays or data + shape. */
export type TargetArray = tf.Tensor | ArrayLike<number> | ArrayWithShape | NestedArray;

/** Values read out of one input, with their shape. `int` when they came as int32 (tensor or Int32Array). */
export interface ReadArray {
  data: ArrayLike<number>;
  shape: number[];
  int: boolean;
}

function isArrayWithShape(v: unknown): v is ArrayWithShape {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !Array.isArray(v) && 'data' in v && 'shape' in v;
}

/** Shape and flat values of nested arrays; throws naming `what` when they are ragged or not numbers. */
function flattenNested(v: NestedArray, what: string): ReadArray {
  const shape: number[] = [];
  for (let cur: unknown = v; Array.isArray(cur); cur = cur[0]) shape.push(cur.length);
  const out: number[] = [];
  const walk = (a: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof a !== 'number') throw new DataConfigError(`${what} must hold numbers; found ${JSON.stringify(a)} at depth ${depth}.`);
      out.push(a);
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[depth]) {
      throw new DataConfigError(`${what} is a ragged nested array: expected ${shape[depth]} entries at depth ${depth} (shape [${shape}]). Give every image the same size.`);
    }
    for (const e of a) walk(e, depth + 1);
  };
  walk(v, 0);
  return { data: out, shape, int: false };
}

function checkShape(data: ArrayLike<number>, shape: readonly number[], what: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new DataConfigError(`${what}.shape must be a list of whole numbers; got ${JSON.stringify(shape)}.`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new DataConfigError(`${what} has ${data.length} values but shape [${shape}] needs ${size}.`);
  return [...shape];
}

/** The non-tensor forms, read synchronously. */
function readPlain(v: Exclude<TargetArray, tf.Tensor>, what: string): ReadArray {
  if (isArrayWithShape(v)) return { data: v.data, shape: checkShape(v.data, v.shape, what), int: v.data instanceof Int32Array };
  if (ArrayBuffer.isView(v)) {
    const a = v as unknown as ArrayLike<number>;
    return { data: a, shape: [a.length], int: v instanceof Int32Array };
  }
  if (Array.isArray(v)) return flattenNested(v as NestedArray, what);
  throw new DataConfigError(`${what} must be a tf.Tensor, an array, or {data, shape}; got ${typeof v}.`);
}

/** Reads `v`; tensors with dataSync (fine on cpu, wasm and webgl; webgpu in Node needs readArrayAsync). */
export function readArraySync(v: TargetArray, what: string): ReadArray {
  if (v instanceof tf.Tensor) {
    let data: ArrayLike<number>;
    try {
      data = v.dataSync() as ArrayLike<number>;
    } catch (err) {
      throw new DataConfigError(
        `${what}: could not read the tensor synchronously on the '${tf.getBackend()}' backend (${(err as Error).message}). ` +
          'Use `await generator.flowAsync(x, y, options)`, or pass typed arrays.',
      );
    }
    return { data, shape: [...v.shape], int: v.dtype === 'int32' };
  }
  return readPlain(v, what);
}

/** Reads `v`; tensors with `await data()` (works on every backend). */
export async function readArrayAsync(v: TargetArray, what: string): Promise<ReadArray> {
  if (v instanceof tf.Tensor) return { data: (await v.data()) as ArrayLike<number>, shape: [...v.shape], int: v.dtype === 'int32' };
  return readPlain(v, what);
}
