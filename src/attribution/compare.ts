// How alike two attribution maps are, and how much each pixel matters: the measures the
// sanity check and the faithfulness curves read.
import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';
import { gaussianBlur } from '../image/gaussian-blur';
import type { Attribution } from './types';

/**
 * Each pixel's importance in image `index` of an attribution, `[h, w]`: the L2 norm over
 * colours of a per-pixel signal (as the `'norm'` view draws it), or the coarse map itself.
 * The caller owns it.
 *
 * @example
 * ```ts
 * const importance = pixelImportance(await GUIDED.run(net, photo, target));   // [224, 224]
 * ```
 */
export function pixelImportance(attribution: Attribution, index = 0): tf.Tensor2D {
  return tf.tidy(() => {
    const one = tf.squeeze(tf.slice(attribution.values, [index], [1]), [0]);
    return (attribution.kind === 'coarse' ? one : tf.sqrt(tf.sum(tf.square(one), 2))) as tf.Tensor2D;
  });
}

/** Ranks 1…n of `values`, ties given the mean of their ranks (as scipy.stats.rankdata). */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const r = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) r[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/**
 * Spearman's rank correlation of two equally long lists (Pearson's of their ranks, ties
 * averaged, as `scipy.stats.spearmanr`); 0 when either is constant.
 *
 * @example
 * ```ts
 * spearman([1, 2, 3, 4], [10, 20, 40, 30]);   // 0.8
 * ```
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) throw new DeepvisError('BAD_SHAPE', `spearman needs two lists of one length; got ${a.length} and ${b.length}.`);
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (ra.length + 1) / 2;
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < ra.length; i++) {
    const [x, y] = [ra[i] - mean, rb[i] - mean];
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/**
 * The structural similarity (Wang et al. 2004) of two maps `[h, w]`, each first scaled to 0–1
 * by its own minimum and maximum: local means, variances and covariance under a Gaussian
 * window of σ 1.5 (truncated at 3.5σ, reflected borders), `C₁ = 0.01²`, `C₂ = 0.03²`, averaged
 * over the map less a 5-pixel border, as `skimage.metrics.structural_similarity(…, gaussian_weights=True,
 * data_range=1)`. 1 for equal maps.
 *
 * @example
 * ```ts
 * const s = ssim(pixelImportance(trained), pixelImportance(randomized));
 * ```
 */
export function ssim(a: tf.Tensor2D, b: tf.Tensor2D): number {
  if (a.shape.join() !== b.shape.join()) throw new DeepvisError('BAD_SHAPE', `ssim needs two maps of one shape; got [${a.shape.join(', ')}] and [${b.shape.join(', ')}].`);
  const value = tf.tidy(() => {
    const [h, w] = a.shape;
    const unit = (m: tf.Tensor2D) => {
      const lo = tf.min(m);
      return tf.reshape(tf.divNoNan(tf.sub(m, lo), tf.sub(tf.max(m), lo)), [1, h, w, 1]) as tf.Tensor4D;
    };
    const [x, y] = [unit(a), unit(b)];
    const blur = (t: tf.Tensor) => gaussianBlur(t as tf.Tensor4D, 1.5, { truncate: 3.5 });
    const [mx, my] = [blur(x), blur(y)];
    const vx = tf.sub(blur(tf.square(x)), tf.square(mx));
    const vy = tf.sub(blur(tf.square(y)), tf.square(my));
    const cxy = tf.sub(blur(tf.mul(x, y)), tf.mul(mx, my));
    const [c1, c2] = [0.01 ** 2, 0.03 ** 2];
    const top = tf.mul(tf.add(tf.mul(2, tf.mul(mx, my)), c1), tf.add(tf.mul(2, cxy), c2));
    const bottom = tf.mul(tf.add(tf.add(tf.square(mx), tf.square(my)), c1), tf.add(tf.add(vx, vy), c2));
    // Averaged away from the borders, where the window is not whole (skimage crops its radius, 5).
    const r = h > 10 && w > 10 ? 5 : 0;
    return tf.mean(tf.slice(tf.div(top, bottom), [0, r, r, 0], [1, h - 2 * r, w - 2 * r, 1]));
  });
  const s = value.dataSync()[0];
  value.dispose();
  return s;
}
