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
  checkOption(Number.isFinite(sigma) && sigma >= 0, 'sigma', 'a finite number ≥ 0 (pixels)', sigma);
  checkOption(Number.isFinite(truncate) && truncate > 0, 'truncate', 'a finite number > 0', truncate);
  // scipy skips an axis whose sigma is (near) zero; so does a radius of 0 (one weight of 1).
  const weights = sigma > 1e-15 ? gaussianKernel(sigma, truncate) : [1];
  if (weights.length === 1) return tf.clone(x);
  const radius = (weights.length - 1) / 2;
  const channels = x.shape[3];
  return tf.tidy(() => {
    const floatX = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    // One column of weights per channel: depthwise filters [k, 1, c, 1] and [1, k, c, 1].
    const perChannel = weights.flatMap((w) => new Array<number>(channels).fill(w));
    const alongH = tf.tensor4d(perChannel, [weights.length, 1, channels, 1]);
    const alongW = tf.tensor4d(perChannel, [1, weights.length, channels, 1]);
    const tall = reflectPad(floatX, 1, radius);
    const blurredH = tf.depthwiseConv2d(tall, alongH, 1, 'valid');
    const wide = reflectPad(blurredH, 2, radius);
    return tf.depthwiseConv2d(wide, alongW, 1, 'valid') as tf.Tensor4D;
  });
}

/**
 * Pads `axis` by `radius` on both sides with half-sample symmetric reflection. mirrorPad
 * takes at most the current size per call, so wider pads repeat it; reflecting the
 * reflected array continues the same period-2n pattern scipy's "reflect" mode makes.
 */
function reflectPad(x: tf.Tensor4D, axis: 1 | 2, radius: number): tf.Tensor4D {
  let y = x;
  let left = radius;
  let right = radius;
  while (left > 0 || right > 0) {
    const size = y.shape[axis];
    const l = Math.min(left, size);
    const r = Math.min(right, size);
    const pads: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
    pads[axis] = [l, r];
    y = tf.mirrorPad(y, pads, 'symmetric');
    left -= l;
    right -= r;
  }
  return y;
}
