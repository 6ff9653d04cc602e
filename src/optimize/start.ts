import * as tf from '@tensorflow/tfjs-core';
import { allFinite } from '../util/finite';
import { DeepvisError, checkOption } from '../errors';
import { seededNormal } from '../util/random';

/** How the loop's image starts: the toolbox's names, or your own 0–255 RGB pixels. */
export type StartImage = 'mean_plus_rand' | 'mean' | 'randu' | tf.Tensor;

/**
 * The first image of a run, `[n, h, w, 3]` in centred pixel space (pixels − mean):
 * `'mean_plus_rand'` N(0, 10) noise around the mean image (toolbox default; every seed,
 * 0 included, gives the same noise on every call and backend),
 * `'mean'` zeros, `'randu'` uniform 0–255 pixels, or given pixels (`[h, w, 3]` or
 * `[n, h, w, 3]`, 0–255 RGB; one image is repeated over the batch).
 *
 * @example
 * ```ts
 * const x0 = startImage('mean_plus_rand', 2, 128, 128, net.mean, 7);
 * ```
 */
export function startImage(
  start: StartImage, n: number, h: number, w: number, mean: readonly number[], seed: number,
): tf.Tensor4D {
  const shape: [number, number, number, number] = [n, h, w, 3];
  if (start === 'mean_plus_rand') return seededNormal(shape, 0, 10, seed) as tf.Tensor4D;
  if (start === 'mean') return tf.zeros(shape);
  if (start === 'randu') return tf.tidy(() => tf.sub(tf.randomUniform(shape, 0, 255, 'float32', seed), tf.tensor1d(mean as number[])));
  checkOption(start instanceof tf.Tensor, 'start', "'mean_plus_rand', 'mean', 'randu' or a tensor of 0–255 RGB pixels", start);
  const t = start as tf.Tensor;
  if (t.isDisposed) throw new DeepvisError('DISPOSED', "Option 'start': the tensor was already disposed.");
  const ok = (t.rank === 3 && t.shape[2] === 3) || (t.rank === 4 && t.shape[3] === 3 && (t.shape[0] === 1 || t.shape[0] === n));
  if (!ok) {
    throw new DeepvisError('BAD_SHAPE', `Option 'start' must be [h, w, 3] or [${n === 1 ? 1 : `1 or ${n}`}, h, w, 3] pixels; got [${t.shape.join(', ')}].`);
  }
  if (!allFinite(t)) throw new DeepvisError('NOT_FINITE', "Option 'start': the image contains NaN or infinite values.");
  return tf.tidy(() => {
    const four = (t.rank === 3 ? tf.expandDims(t, 0) : t) as tf.Tensor4D;
    const centred = tf.sub(tf.cast(four, 'float32'), tf.tensor1d(mean as number[])) as tf.Tensor4D;
    return four.shape[0] === n ? centred : (tf.tile(centred, [n, 1, 1, 1]) as tf.Tensor4D);
  });
}
