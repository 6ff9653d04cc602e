import * as tf from '@tensorflow/tfjs-core';

/**
 * A scalar made by a Fill kernel rather than uploaded from JavaScript, for ops that run every
 * step or frame: on WebGPU in Node a tensor made from numbers (`tf.mul(x, 255)` makes one)
 * costs ~0.75 ms, a Fill ~65 µs (measured on an H100, docs/benchmarks.md).
 *
 * @example
 * ```ts
 * const bytes = tf.mul(unit, constant(255));
 * ```
 */
export function constant(value: number, dtype: 'float32' | 'int32' = 'float32'): tf.Scalar {
  return tf.fill([], value, dtype) as tf.Scalar;
}
