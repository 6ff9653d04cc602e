import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { Net } from '../net/types';
import { accumulate, fillPixel } from './attribution-parts';
import { backward } from './backward';
import { attributionMethod } from './method';
import { runPerImage, type RunOptions } from './runner';
import { checkUnit, fixUnit, type UnitAt, type UnitRef } from './unit';

/** Options for {@link integratedGradients}. */
export interface IntegratedGradientsOptions extends RunOptions {
  /** The layer of the explained unit. Default `net.logits`. */
  layer?: string;
  /** The unit (on the logits, a class). */
  channel: number;
  /** Where on the unit's map (see {@link UnitAt}). Default `'max'`: where the channel is largest on the image itself, fixed along the path. */
  at?: UnitAt;
  /**
   * Where the path starts: `'mean'` (default; `net.mean` everywhere, "zero" in centred pixel
   * space), `'black'`, or a `[1, h, w, 3]` 0–255 image.
   */
  baseline?: 'mean' | 'black' | tf.Tensor4D;
  /** Points on the path, at the midpoints of equal steps. Default 32. */
  steps?: number;
}

/**
 * Integrated Gradients (Sundararajan et al. 2017): each pixel's share of a unit's change from
 * a baseline image to this one, `(x − x₀) ⊙ mean_k ∇f(x₀ + α_k (x − x₀))` with α_k the midpoints
 * of `steps` equal steps. The shares add up to `f(x) − f(x₀)` (completeness), up to the error of
 * the sum. Plain gradients only (the backward rules would break completeness). Resolves to
 * `[n, h, w, 3]` like `pixels`; the caller owns it. {@link backwardImage} draws it.
 *
 * @example
 * ```ts
 * const ig = await integratedGradients(net, photo, { channel: 281, steps: 64 });
 * const picture = backwardImage(ig, 'norm', { percentile: 99 });
 * ```
 */
export async function integratedGradients(net: Net, pixels: tf.Tensor4D, options: IntegratedGradientsOptions): Promise<tf.Tensor4D> {
  const { layer = net.logits, channel, at = 'max', baseline = 'mean', steps = 32, batchSize = 8, onProgress, signal } = options ?? ({} as IntegratedGradientsOptions);
  checkPixels(pixels, net, { finite: true });
  checkOption(Number.isInteger(steps) && steps >= 1 && steps <= 100_000, 'steps', 'an integer from 1 to 100000', steps);
  const fixedBaseline = baseline instanceof tf.Tensor;
  checkOption(baseline === 'mean' || baseline === 'black' || fixedBaseline, 'baseline', "'mean', 'black' or a [1, h, w, 3] image", fixedBaseline ? 'a tensor' : baseline);
  const [, h, w] = pixels.shape;
  if (fixedBaseline && baseline.isDisposed) throw new DeepvisError('DISPOSED', "Option 'baseline' was already disposed; pass a live tensor.");
  if (fixedBaseline && baseline.shape.join() !== [1, h, w, 3].join()) {
    throw new DeepvisError('BAD_SHAPE', `Option 'baseline' must be [1, ${h}, ${w}, 3] like the image; got [${baseline.shape.join(', ')}].`);
  }
  const unit: UnitRef = { layer, channel, at };
  checkUnit(net, unit);
  // [1, h, w, 3], or one pixel [1, 1, 1, 3] that broadcasts.
  const start = fixedBaseline ? tf.cast(baseline, 'float32') : fillPixel(net, baseline);
  try {
    return await runPerImage(pixels, 'integratedGradients', steps, { batchSize, onProgress, signal }, (image) => {
      const fixed = fixUnit(net, image, unit);
      let sum: tf.Tensor4D | null = null;   // Σ_k ∇f along the path
      return {
        step(k, m) {
          sum = accumulate(sum, tf.tidy(() => {
            const alphas = tf.reshape(tf.div(tf.add(tf.range(k, k + m), 0.5), steps), [m, 1, 1, 1]);
            const path = tf.add(start, tf.mul(alphas, tf.sub(image, start))) as tf.Tensor4D;
            return tf.sum(backward(net, path, fixed), 0, true) as tf.Tensor4D;
          }));
        },
        finish: () => tf.tidy(() => tf.mul(tf.sub(image, start), tf.div(sum!, steps))),
        dispose: () => sum?.dispose(),
      };
    }) as tf.Tensor4D;
  } finally {
    start.dispose();
  }
}

/** Integrated Gradients in the registry (`'integrated'`). */
export const INTEGRATED_GRADIENTS = attributionMethod({
  name: 'integrated', label: 'Integrated Gradients', kind: 'signed', gradient: true, reads: ['steps', 'baseline'],
  values: (net, pixels, target, options) => integratedGradients(net, pixels, { ...options, ...target }),
});
