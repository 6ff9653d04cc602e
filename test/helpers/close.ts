import { expect } from 'vitest';
import type * as tf from '@tensorflow/tfjs-core';
import { relativeError } from './relative-error';

export { relativeError };

/** Asserts two tensors have the same shape and agree within `rel` relative error. */
export function expectTensorsClose(actual: tf.Tensor, expected: tf.Tensor, rel: number, what = ''): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const e = relativeError(actual.dataSync(), expected.dataSync());
  expect(e, `${what} relative error`).toBeLessThanOrEqual(rel);
}

/**
 * Runs `fn` on another backend and returns its result as a tensor on the current one.
 * For references the current backend cannot compute (tfjs-layers gradients on wasm).
 */
export async function onBackend(name: string, fn: () => import('@tensorflow/tfjs-core').Tensor): Promise<import('@tensorflow/tfjs-core').Tensor> {
  const tf = await import('@tensorflow/tfjs-core');
  const current = tf.getBackend();
  await tf.setBackend(name);
  let values: Float32Array;
  let shape: number[];
  try {
    const t = fn();
    values = t.dataSync() as Float32Array;
    shape = t.shape;
    t.dispose();
  } finally {
    await tf.setBackend(current);
  }
  return tf.tensor(values, shape);
}

/** A tensor's values, read and the tensor disposed. */
export function takeValues(t: tf.Tensor): Float32Array {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}
