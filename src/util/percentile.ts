import * as tf from '@tensorflow/tfjs-core';
import { constant } from '../constant';

/**
 * The q-th percentile (0–100) of each row of `values` `[n, m]`, with linear interpolation
 * between the two nearest ranks, as numpy's default (`np.percentile(v, q)`): position
 * `q/100 · (m − 1)` in the sorted row. Returns `[n, 1]`. Sorting is a top-k on the device.
 *
 * @example
 * ```ts
 * rowPercentile(tf.tensor2d([[1, 2, 3, 4]]), 50);  // [[2.5]]
 * ```
 */
export function rowPercentile(values: tf.Tensor2D, q: number): tf.Tensor2D {
  return tf.tidy(() => {
    const m = values.shape[1];
    const position = (q / 100) * (m - 1);
    const lo = Math.floor(position);
    const hi = Math.min(lo + 1, m - 1);
    const frac = position - lo;
    // top-k sorts descending: rank r from the bottom is index m − 1 − r.
    const sorted = tf.topk(values, m, true).values;
    const at = (rank: number) => tf.slice(sorted, [0, m - 1 - rank], [-1, 1]);
    const low = at(lo);
    return frac === 0 ? low : tf.add(low, tf.mul(tf.sub(at(hi), low), constant(frac)));
  });
}

/**
 * Zeroes, in every channel, the pixels whose score `[n, h, w]` is strictly below the
 * q-th percentile of their image's scores.
 *
 * @example
 * ```ts
 * const sparse = zeroBelowPercentile(x, tf.norm(x, 'euclidean', 3), 50);
 * ```
 */
export function zeroBelowPercentile(x: tf.Tensor4D, score: tf.Tensor3D, q: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = score.shape;
    const flat = tf.reshape(score, [n, h * w]) as tf.Tensor2D;
    const threshold = rowPercentile(flat, q);
    const keep = tf.cast(tf.greaterEqual(flat, threshold), x.dtype);
    return tf.mul(x, tf.reshape(keep, [n, h, w, 1])) as tf.Tensor4D;
  });
}
