import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { gaussianBlur } from '../image/gaussian-blur';
import { greyToRgb } from '../util/grid';
import { constant } from '../constant';
import { rowPercentile } from '../util/percentile';

/** The backward pane's display filters (the toolbox's four). */
export type BackwardFilter = 'raw' | 'gray' | 'norm' | 'normblur';

const FILTERS: readonly BackwardFilter[] = ['raw', 'gray', 'norm', 'normblur'];

/**
 * The toolbox's blur width for `normblur`, in pixels.
 *
 * @example
 * ```ts
 * const soft = gaussianBlur(norm, NORMBLUR_SIGMA);   // what backwardImage(g, 'normblur') does before scaling
 * ```
 */
export const NORMBLUR_SIGMA = 4;

/** Options for {@link backwardImage}. */
export interface BackwardImageOptions {
  /**
   * Scale by this percentile (0–100, numpy's linear interpolation) of the magnitudes instead
   * of the largest, clipping what lies above: a few extreme pixels then no longer leave the
   * rest dark (Smilkov et al. show SmoothGrad clipped at 99). Default 100: the largest.
   */
  percentile?: number;
}

/**
 * A backward signal (from {@link backward}) as an RGB `[h, w, 3]` float32 image 0–255:
 * - `raw`: the signed sum over colour channels, scaled by its largest magnitude, zero
 *   black, negative red, positive green;
 * - `gray`: the mean over colour channels, signed and centred: zero is 127.5, the largest
 *   magnitude 0 or 255;
 * - `norm`: the L2 norm over colour channels, scaled so the largest is 255;
 * - `normblur`: the norm blurred with a Gaussian of sigma 4 (reflect borders), then scaled.
 * An all-zero signal gives black (`gray`: 127.5). With `percentile` below 100 the scale is
 * that percentile of the magnitudes, and values beyond it clip. The caller owns the result.
 *
 * @example
 * ```ts
 * const g = backward(net, frame, { layer: 'leaky_re_lu_10', channel: 37, mode: 'guided' });
 * const img = backwardImage(g, 'normblur');
 * await tf.browser.toPixels(tf.div(img, 255) as tf.Tensor3D, canvas);
 * const smooth = backwardImage(await smoothBackward(net, frame, { layer: net.logits, channel: 281 }), 'norm', { percentile: 99 });
 * ```
 */
export function backwardImage(signal: tf.Tensor, filter: BackwardFilter, options: BackwardImageOptions = {}): tf.Tensor3D {
  const { percentile = 100 } = options;
  checkOption(FILTERS.includes(filter), 'filter', "'raw', 'gray', 'norm' or 'normblur'", filter);
  checkOption(Number.isFinite(percentile) && percentile > 0 && percentile <= 100, 'percentile', 'a number above 0, at most 100', percentile);
  if (!signal || !Array.isArray(signal.shape)) throw new DeepvisError('BAD_VALUE', `Expected a tf.Tensor backward signal; got ${typeof signal}.`);
  const s = signal.shape;
  if (!((signal.rank === 3 && s[2] === 3) || (signal.rank === 4 && s[0] === 1 && s[3] === 3))) {
    throw new DeepvisError('BAD_SHAPE', `Expected one image's signal [1, h, w, 3] or [h, w, 3]; got shape [${s.join(', ')}]. Slice one image out of a batch first.`);
  }
  return tf.tidy(() => {
    const [h, w] = s.slice(-3);
    const x = tf.reshape(tf.cast(signal, 'float32'), [h, w, 3]);
    // v over its largest magnitude, or over a percentile of the magnitudes and clipped to ±1.
    const scaled = (v: tf.Tensor) => percentile === 100
      ? tf.divNoNan(v, tf.max(tf.abs(v)))
      : tf.clipByValue(tf.divNoNan(v, tf.reshape(rowPercentile(tf.reshape(tf.abs(v), [1, -1]) as tf.Tensor2D, percentile), [])), -1, 1);
    switch (filter) {
      case 'raw': {
        const v = scaled(tf.sum(x, 2, true));
        return tf.mul(tf.concat([tf.relu(tf.neg(v)), tf.relu(v), tf.zerosLike(v)], 2), constant(255)) as tf.Tensor3D;
      }
      case 'gray': {
        const v = scaled(tf.mean(x, 2, true));
        const half = constant(127.5);
        return greyToRgb(tf.add(tf.mul(v, half), half) as tf.Tensor3D);
      }
      default: {
        let n = tf.sqrt(tf.sum(tf.square(x), 2, true));
        if (filter === 'normblur') n = tf.reshape(gaussianBlur(tf.reshape(n, [1, h, w, 1]), NORMBLUR_SIGMA), [h, w, 1]);
        return greyToRgb(tf.mul(scaled(n), constant(255)) as tf.Tensor3D);
      }
    }
  });
}
