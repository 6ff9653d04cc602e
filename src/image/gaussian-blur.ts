import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';

/** Options for {@link gaussianBlur}. */
export interface GaussianBlurOptions {
  /** The kernel reaches `int(truncate · sigma + 0.5)` pixels each side. Default 4 (scipy's). */
  truncate?: number;
}

/**
 * The normalized 1-D Gaussian weights scipy.ndimage.gaussian_filter uses: radius
 * `int(truncate · sigma + 0.5)`, `exp(−x²/2σ²)` summed to 1. Computed in float64.
 *
 * @example
 * ```ts
 * gaussianKernel(1);  // 9 weights, radius 4, largest 0.3989…
 * ```
 */
export function gaussianKernel(sigma: number, truncate = 4): number[] {
  const radius = Math.trunc(truncate * sigma + 0.5);
  const w: number[] = [];
  for (let x = -radius; x <= radius; x++) w.push(Math.exp((-0.5 * x * x) / (sigma * sigma)));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

/**
 * Blurs each colour channel of an NHWC batch with a Gaussian of standard deviation `sigma`
 * pixels, exactly as `scipy.ndimage.gaussian_filter(x, (0, sigma, sigma, 0), mode='reflect')`
 * (what the deep visualization toolbox used): separable, "reflect" borders (half-sample
 * symmetric: `d c b a | a b c d | d c b a`, repeated when the kernel is wider than the
 * image), kernel truncated at `truncate` sigma. `sigma = 0` returns a copy.
 * Plain tfjs-core ops (mirrorPad and a depthwise convolution per axis), so it runs on
 * every backend.
 *
 * @example
 * ```ts
 * const soft = gaussianBlur(images, 1.0);          // images: [n, h, w, c]
 * const wide = gaussianBlur(images, 4, { truncate: 2 });
 * ```
 */
export function gaussianBlur(x: tf.Tensor4D, sigma: number, options: GaussianBlurOptions = {}): tf.Tensor4D {
  const truncate = options.truncate ?? 4;
  if (!x || x.rank !== 4) {
    throw new DeepvisError('BAD_SHAPE', `gaussianBlur expects an NHWC batch [n, h, w, c]; got shape [${x?.shape?.join(', ')}]. Use tf.expandDims(image, 0) for one image.`);
  }
  checkOption(Number.isFinite(sigma) && sigma >= 0 && sigma <= MAX_SIGMA, 'sigma', `a finite number ≥ 0 and at most ${MAX_SIGMA} (pixels)`, sigma);
  checkOption(Number.isFinite(truncate) && truncate > 0 && truncate * sigma <= 4 * MAX_SIGMA, 'truncate', `a number > 0 (truncate · sigma at most ${4 * MAX_SIGMA})`, truncate);
  // scipy skips an axis whose sigma is (near) zero; so does a radius of 0 (one weight of 1).
  const weights = sigma > 1e-15 ? gaussianKernel(sigma, truncate) : [1];
  if (weights.length === 1) return tf.clone(x);
  const [, h, w, channels] = x.shape;
  return tf.tidy(() => {
    const floatX = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    // One column of weights per channel: depthwise filters [k, 1, c, 1] and [1, k, c, 1].
    const along = (axis: 1 | 2, y: tf.Tensor4D, n: number) => {
      const { taps, before, after } = foldKernel(weights, n);
      const perChannel = taps.flatMap((t) => new Array<number>(channels).fill(t));
      const filter = tf.tensor4d(perChannel, axis === 1 ? [taps.length, 1, channels, 1] : [1, taps.length, channels, 1]);
      const pads: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
      pads[axis] = [before, after];
      return tf.depthwiseConv2d(tf.mirrorPad(y, pads, 'symmetric'), filter, 1, 'valid');
    };
    return along(2, along(1, floatX, h), w);
  });
}

/** The widest blur, in pixels: past the image's size a Gaussian is already a flat mean. */
export const MAX_SIGMA = 10_000;

/**
 * The kernel to run along an axis of `n` pixels, with the padding before and after it. The
 * half-sample symmetric extension repeats every 2n pixels, so a kernel wider than the axis
 * is folded onto one period (taps 2n apart summed, in float64): the same result, a kernel of
 * at most 2n taps and one mirrorPad.
 */
function foldKernel(weights: readonly number[], n: number): { taps: number[]; before: number; after: number } {
  const radius = (weights.length - 1) / 2;
  if (radius < n) return { taps: [...weights], before: radius, after: radius };
  const taps = new Array<number>(2 * n).fill(0);
  weights.forEach((v, i) => {
    const k = i - radius; // offset −radius … radius, folded into −n … n − 1
    taps[(((k + n) % (2 * n)) + 2 * n) % (2 * n)] += v;
  });
  return { taps, before: n, after: n - 1 };
}
