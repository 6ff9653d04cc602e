import * as tf from '@tensorflow/tfjs-core';
import { constant } from '../constant';
import { checkOption } from '../errors';
import type { Net } from '../net/types';
import { seededNormal } from '../util/random';
import { accumulate } from './attribution-parts';
import { GRADIENT, DECONV, GUIDED, type BackwardOptions } from './backward';
import { attributionMethod } from './method';
import { runPerImage, type RunOptions } from './runner';
import type { AttributionMethod, AttributionOptions } from './types';
import { checkUnit, fixUnit, type UnitRef } from './unit';

/** The noise of {@link smoothGrad} and {@link varGrad}. */
export interface NoiseOptions {
  /** Noisy copies per image. Default 25 (Smilkov et al. saw little change past ~50). */
  samples?: number;
  /**
   * The noise's standard deviation as a fraction of each image's own pixel range (max − min).
   * Default 0.15 (Smilkov et al. found 10–20% best). 0 gives the method itself.
   */
  noise?: number;
  /** Random seed of the noise: the same seed (0 included) gives the same result on one backend. Default 0. */
  seed?: number;
}

function checkNoise({ samples = 25, noise = 0.15, seed = 0 }: NoiseOptions): Required<NoiseOptions> {
  checkOption(Number.isInteger(samples) && samples >= 1 && samples <= 100_000, 'samples', 'an integer from 1 to 100000', samples);
  checkOption(Number.isFinite(noise) && noise >= 0, 'noise', 'a number ≥ 0 (a fraction of the pixel range; 0.1–0.2 is usual)', noise);
  checkOption(Number.isInteger(seed), 'seed', 'an integer', seed);
  return { samples, noise, seed };
}

/**
 * A method run on noisy copies of each image (sample k's noise drawn with seed
 * `seed · 100003 + k`, scaled by the image's own range), the values reduced to their mean or
 * variance over the copies. The unit is fixed on the clean image first (see `fixUnit`), so
 * every copy explains the same unit. Copies go `options.batchSize` at a time (default 1).
 */
function noiseTunnel(inner: AttributionMethod, reduce: 'mean' | 'variance', settings: NoiseOptions): AttributionMethod {
  const { samples, noise, seed } = checkNoise(settings);
  const word = reduce === 'mean' ? 'SmoothGrad' : 'VarGrad';
  return attributionMethod({
    name: `${reduce === 'mean' ? 'smoothgrad' : 'vargrad'}-${inner.name}`,
    label: `${word} of ${inner.label}`,
    kind: reduce === 'mean' ? inner.kind : inner.kind === 'coarse' ? 'coarse' : 'unsigned',
    gradient: inner.gradient,
    reads: inner.reads,
    async values(net: Net, pixels: tf.Tensor4D, target: UnitRef, options: AttributionOptions) {
      checkUnit(net, target);
      const { batchSize = 1, onProgress, signal } = options;
      const inner1 = { ...options, batchSize: undefined, onProgress: undefined };
      return runPerImage(pixels, word, samples, { batchSize, onProgress, signal }, (image) => {
        const fixed = fixUnit(net, image, target);
        // The image's own range sets its noise.
        const sigma = tf.tidy(() => tf.mul(tf.sub(tf.max(image), tf.min(image)), constant(noise)));
        let sum: tf.Tensor | null = null;
        let squares: tf.Tensor | null = null;
        return {
          async step(from, count) {
            const noisy = tf.tidy(() => tf.concat(Array.from({ length: count }, (_, k) =>
              tf.add(image, tf.mul(seededNormal(image.shape, 0, 1, seed * 100_003 + from + k), sigma)))) as tf.Tensor4D);
            let values: tf.Tensor | undefined;
            try {
              values = (await inner.run(net, noisy, fixed, inner1)).values;
              const v = values;
              sum = accumulate(sum, tf.tidy(() => tf.sum(v, 0, true)));
              if (reduce === 'variance') squares = accumulate(squares, tf.tidy(() => tf.sum(tf.square(v), 0, true)));
            } finally {
              tf.dispose([noisy, ...(values ? [values] : [])]);
            }
          },
          finish: () => tf.tidy(() => {
            const mean = tf.div(sum!, constant(samples));
            return reduce === 'mean' ? mean : tf.relu(tf.sub(tf.div(squares!, constant(samples)), tf.square(mean)));
          }),
          dispose: () => tf.dispose([sigma, ...(sum ? [sum] : []), ...(squares ? [squares] : [])]),
        };
      });
    },
  });
}

/**
 * SmoothGrad (Smilkov et al. 2017) around any registered method: its values averaged over
 * `samples` copies of the image with Gaussian noise added, which keeps what the unit
 * consistently responds to and averages away the pixel-to-pixel noise. Returns a new method
 * (`'smoothgrad-' + name`) with the same signature and kind.
 *
 * @example
 * ```ts
 * const smooth = smoothGrad(GUIDED, { samples: 25, noise: 0.15 });
 * const a = await smooth.run(net, photo, { layer: net.logits, channel: 281 });
 * const picture = smooth.draw(a, photo, { percentile: 99 });
 * ```
 */
export function smoothGrad(method: AttributionMethod, noise: NoiseOptions = {}): AttributionMethod {
  return noiseTunnel(method, 'mean', noise);
}

/**
 * VarGrad (Adebayo et al. 2018) around any registered method: the variance of its values over
 * noisy copies of the image (as {@link smoothGrad}), ≥ 0. Returns a new method
 * (`'vargrad-' + name`); per-pixel methods give kind `'unsigned'`.
 *
 * @example
 * ```ts
 * const a = await varGrad(GRADIENT, { samples: 16 }).run(net, photo, { layer: net.logits, channel: 281 });
 * ```
 */
export function varGrad(method: AttributionMethod, noise: NoiseOptions = {}): AttributionMethod {
  return noiseTunnel(method, 'variance', noise);
}

/** Options for {@link smoothBackward}: those of {@link backward}, the noise, and the runner's. */
export interface SmoothBackwardOptions extends BackwardOptions, NoiseOptions, RunOptions {}

/**
 * SmoothGrad over {@link backward} in any `mode`: `smoothGrad` of the matching registry
 * method, resolving to the values. Waits for the event loop between passes, so a page stays
 * live. Resolves to a signal of the same shape as `pixels`; the caller owns it.
 *
 * @example
 * ```ts
 * const g = await smoothBackward(net, frame, { layer: net.logits, channel: 281, samples: 25, noise: 0.15 });
 * const picture = backwardImage(g, 'norm');
 * ```
 */
export async function smoothBackward(net: Net, pixels: tf.Tensor4D, options: SmoothBackwardOptions): Promise<tf.Tensor4D> {
  const { samples, noise, seed, mode = 'gradient', batchSize, onProgress, signal, ...unit } = options ?? ({} as SmoothBackwardOptions);
  const method = { gradient: GRADIENT, deconv: DECONV, guided: GUIDED }[mode];
  checkOption(method !== undefined, 'mode', "'gradient', 'deconv' or 'guided'", mode);
  const tunnel = smoothGrad(method, { samples, noise, seed });
  return (await tunnel.run(net, pixels, unit, { batchSize, onProgress, signal })).values as tf.Tensor4D;
}
