import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption, throwIfAborted } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { Net } from '../net/types';
import { yieldToEventLoop } from '../optimize/random';
import { accumulate, fillPixel, lastAxisChannel } from './attribution-parts';
import { backward } from './backward';

/** Options for {@link integratedGradients}. */
export interface IntegratedGradientsOptions {
  /** The layer of the explained unit. Default `net.logits`. */
  layer?: string;
  /** The unit (on the logits, a class). */
  channel: number;
  /**
   * On a layer of maps, the unit's position `[y, x]`. Default: where the channel is largest
   * for the image itself, kept fixed along the path.
   */
  at?: readonly [number, number];
  /**
   * Where the path starts: `'mean'` (default; `net.mean` everywhere, "zero" in centred pixel
   * space), `'black'`, or a `[1, h, w, 3]` 0–255 image.
   */
  baseline?: 'mean' | 'black' | tf.Tensor4D;
  /** Points on the path, at the midpoints of equal steps. Default 32. */
  steps?: number;
  /** Path points per backward pass. Default 8. */
  batchSize?: number;
  /** Called after each backward pass with the points done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting rejects with an `AbortError` (a DeepvisError with code `ABORTED`) and leaves no tensors. */
  signal?: AbortSignal;
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
  const { layer = net.logits, channel, at, baseline = 'mean', steps = 32, batchSize = 8, onProgress, signal } = options ?? ({} as IntegratedGradientsOptions);
  checkPixels(pixels, net, { finite: true });
  checkOption(Number.isInteger(steps) && steps >= 1 && steps <= 100_000, 'steps', 'an integer from 1 to 100000', steps);
  checkOption(Number.isInteger(batchSize) && batchSize >= 1, 'batchSize', 'an integer ≥ 1', batchSize);
  const fixedBaseline = baseline instanceof tf.Tensor;
  checkOption(baseline === 'mean' || baseline === 'black' || fixedBaseline, 'baseline', "'mean', 'black' or a [1, h, w, 3] image", fixedBaseline ? 'a tensor' : baseline);
  const [n, h, w] = pixels.shape;
  if (fixedBaseline && baseline.isDisposed) throw new DeepvisError('DISPOSED', "Option 'baseline' was already disposed; pass a live tensor.");
  if (fixedBaseline && baseline.shape.join() !== [1, h, w, 3].join()) {
    throw new DeepvisError('BAD_SHAPE', `Option 'baseline' must be [1, ${h}, ${w}, 3] like the image; got [${baseline.shape.join(', ')}].`);
  }
  const x = tf.cast(pixels, 'float32') as tf.Tensor4D;
  // [1, h, w, 3], or one pixel [1, 1, 1, 3] that broadcasts.
  const start = fixedBaseline ? tf.cast(baseline, 'float32') : fillPixel(net, baseline);
  const parts: tf.Tensor4D[] = [];
  let result: tf.Tensor4D | undefined;
  try {
    for (let i = 0; i < n; i++) {
      const image = tf.slice(x, [i, 0, 0, 0], [1, h, w, 3]);
      try {
        const where = at ?? strongestPosition(net, image, layer, channel);
        // Σ_k ∇f along the path, a batch of points at a time.
        let sum: tf.Tensor4D | null = null;
        try {
          for (let k = 0; k < steps; k += batchSize) {
            throwIfAborted(signal, 'integratedGradients');
            const m = Math.min(batchSize, steps - k);
            const g = tf.tidy(() => {
              const alphas = tf.reshape(tf.div(tf.add(tf.range(k, k + m), 0.5), steps), [m, 1, 1, 1]);
              const path = tf.add(start, tf.mul(alphas, tf.sub(image, start))) as tf.Tensor4D;
              return tf.sum(backward(net, path, { layer, channel, at: where }), 0, true) as tf.Tensor4D;
            });
            sum = accumulate(sum, g);
            onProgress?.(i * steps + k + m, n * steps);
            await yieldToEventLoop();
          }
          const total: tf.Tensor4D = sum!;
          parts.push(tf.tidy(() => tf.mul(tf.sub(image, start), tf.div(total, steps)) as tf.Tensor4D));
        } finally {
          sum?.dispose();
        }
      } finally {
        image.dispose();
      }
    }
    result = n === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor4D);
    return result;
  } finally {
    tf.dispose([x, start, ...parts.filter((p) => p !== result)]);
  }
}

/** Where `channel` of a map layer is largest for `image` (`'max'` for a vector layer). */
function strongestPosition(net: Net, image: tf.Tensor4D, layer: string, channel: number): 'max' | [number, number] {
  return tf.tidy(() => {
    const a = net.forward(image, { taps: [layer] })[layer];
    if (a.rank !== 4) return 'max';
    const [, , w, c] = a.shape;
    if (!(Number.isInteger(channel) && channel >= 0 && channel < c)) return 'max'; // backward says what is wrong
    const index = tf.argMax(tf.reshape(lastAxisChannel(a, channel), [-1])).dataSync()[0];
    return [Math.floor(index / w), index % w];
  });
}
