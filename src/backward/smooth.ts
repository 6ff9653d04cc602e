import * as tf from '@tensorflow/tfjs-core';
import { constant } from '../constant';
import { checkOption, throwIfAborted } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { Net } from '../net/types';
import { yieldToEventLoop } from '../optimize/random';
import { accumulate } from './attribution-parts';
import { backward, type BackwardOptions } from './backward';

/** Options for {@link smoothBackward}: those of {@link backward}, plus the noise. */
export interface SmoothBackwardOptions extends BackwardOptions {
  /** Noisy copies averaged. Default 25 (Smilkov et al. saw little change past ~50). */
  samples?: number;
  /**
   * The noise's standard deviation as a fraction of each image's own pixel range (max − min).
   * Default 0.15 (Smilkov et al. found 10–20% best). 0 gives `backward` itself.
   */
  noise?: number;
  /** Seed of the noise: the same seed gives the same result on one backend. Default 0. */
  noiseSeed?: number;
  /** Called after each sample with how many are done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting rejects with an `AbortError` (a DeepvisError with code `ABORTED`) and leaves no tensors. */
  signal?: AbortSignal;
}

/**
 * SmoothGrad (Smilkov et al. 2017): {@link backward} averaged over `samples` copies of the
 * image with Gaussian noise added, which keeps what the unit consistently responds to and
 * averages away the gradient's pixel-to-pixel noise. Works with every `mode` (SmoothGrad of
 * guided backprop too). Waits for the event loop between samples, so a page stays live.
 * Resolves to a signal of the same shape as `pixels`; the caller owns it.
 *
 * @example
 * ```ts
 * const g = await smoothBackward(net, frame, { layer: net.logits, channel: 281, samples: 25, noise: 0.15 });
 * const picture = backwardImage(g, 'norm');
 * ```
 */
export async function smoothBackward(net: Net, pixels: tf.Tensor4D, options: SmoothBackwardOptions): Promise<tf.Tensor4D> {
  const { samples = 25, noise = 0.15, noiseSeed = 0, onProgress, signal, ...rest } = options ?? ({} as SmoothBackwardOptions);
  checkPixels(pixels, net, { finite: true });
  checkOption(Number.isInteger(samples) && samples >= 1 && samples <= 100_000, 'samples', 'an integer from 1 to 100000', samples);
  checkOption(Number.isFinite(noise) && noise >= 0, 'noise', 'a number ≥ 0 (a fraction of the pixel range; 0.1–0.2 is usual)', noise);
  checkOption(Number.isInteger(noiseSeed), 'noiseSeed', 'an integer', noiseSeed);
  const x = pixels.dtype === 'float32' ? tf.clone(pixels) : (tf.cast(pixels, 'float32') as tf.Tensor4D);
  // Each image's own range sets its noise: [n, 1, 1, 1].
  const sigma = tf.tidy(() => tf.mul(tf.sub(tf.max(x, [1, 2, 3], true), tf.min(x, [1, 2, 3], true)), constant(noise)));
  let sum: tf.Tensor4D | null = null;
  try {
    for (let i = 0; i < samples; i++) {
      throwIfAborted(signal, 'smoothBackward');
      const g = tf.tidy(() => {
        const noisy = tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', noiseSeed * 100_003 + i), sigma)) as tf.Tensor4D;
        return backward(net, noisy, rest);
      });
      sum = accumulate(sum, g);
      onProgress?.(i + 1, samples);
      if (i + 1 < samples) await yieldToEventLoop();
    }
    const total: tf.Tensor4D = sum!;
    return tf.tidy(() => tf.div(total, constant(samples)) as tf.Tensor4D);
  } finally {
    tf.dispose([x, sigma, ...(sum ? [sum] : [])]);
  }
}
