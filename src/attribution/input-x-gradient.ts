import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import type { Net } from '../net/types';
import { fillPixel } from './attribution-parts';
import { backward } from './backward';
import { attributionMethod } from './method';
import type { AttributionOptions } from './types';
import type { UnitRef } from './unit';

/**
 * Input × gradient (Shrikumar et al. 2016): each pixel's difference from the reference times
 * the unit's gradient there, `(x − x₀) ⊙ ∇f(x)`, the first-order share of `f(x) − f(x₀)`; on a
 * net that is linear in the pixels it is that share exactly (and equals Integrated Gradients).
 * The reference `x₀` is `options.baseline`: `'mean'` (default, `net.mean`: "zero" in centred
 * pixel space, where a plain `x ⊙ ∇f` would be measured), `'black'` or a `[1, h, w, 3]` image.
 * One backward pass. Resolves to `[n, h, w, 3]`; the caller owns it.
 *
 * @example
 * ```ts
 * const a = await inputXGradient(net, photo, { layer: net.logits, channel: 281 });
 * const picture = backwardImage(a, 'norm', { percentile: 99 });
 * ```
 */
export async function inputXGradient(net: Net, pixels: tf.Tensor4D, target: UnitRef, options: Pick<AttributionOptions, 'baseline'> = {}): Promise<tf.Tensor4D> {
  const { baseline = 'mean' } = options;
  const fixed = baseline instanceof tf.Tensor;
  checkOption(baseline === 'mean' || baseline === 'black' || fixed, 'baseline', "'mean', 'black' or a [1, h, w, 3] image", fixed ? 'a tensor' : baseline);
  const [, h, w] = pixels.shape;
  if (fixed && baseline.shape.join() !== [1, h, w, 3].join()) {
    throw new DeepvisError('BAD_SHAPE', `Option 'baseline' must be [1, ${h}, ${w}, 3] like the image; got [${baseline.shape.join(', ')}].`);
  }
  const g = backward(net, pixels, target);
  try {
    return tf.tidy(() => {
      const reference = fixed ? tf.cast(baseline, 'float32') : fillPixel(net, baseline);
      return tf.mul(tf.sub(tf.cast(pixels, 'float32'), reference), g) as tf.Tensor4D;
    });
  } finally {
    g.dispose();
  }
}

/** Input × gradient in the registry (`'input-x-gradient'`). */
export const INPUT_X_GRADIENT = attributionMethod({
  name: 'input-x-gradient', label: 'Input × gradient', kind: 'signed', gradient: true, reads: ['baseline'],
  values: (net, pixels, target, options) => inputXGradient(net, pixels, target, options),
});
