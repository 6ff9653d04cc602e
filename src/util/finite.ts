import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities } from '../backends/capabilities';

/**
 * A scalar that is 0 when every value of `t` is finite and NaN when any is NaN or ±Infinity:
 * the sum of `0 · t`. A finite check by arithmetic alone, which holds on every backend (an
 * `isFinite` followed by a boolean reduction does not: on some it reports finite pixels as
 * not). The caller owns the result; one number to read back.
 *
 * @example
 * ```ts
 * const bad = nonFiniteSum(pixels);
 * if ((await bad.data())[0] !== 0) console.log('NaN or ±Infinity inside');
 * bad.dispose();
 * ```
 */
export function nonFiniteSum(t: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(t, tf.scalar(0, t.dtype === 'int32' ? 'int32' : 'float32'))));
}

/**
 * Whether every value of `t` is finite (one small synchronous readback; none for int32, which
 * holds neither NaN nor ±Infinity, and none, answering true, on a backend whose synchronous
 * readback is unreliable: `asyncReadbackOnly`). See {@link nonFiniteSum}.
 *
 * @example
 * ```ts
 * if (!allFinite(pixels)) throw new Error('NaN in the image');
 * ```
 */
export function allFinite(t: tf.Tensor): boolean {
  if (t.dtype === 'int32' || t.dtype === 'bool' || backendCapabilities().asyncReadbackOnly) return true;
  const s = nonFiniteSum(t);
  try {
    return s.dataSync()[0] === 0;
  } finally {
    s.dispose();
  }
}
