import * as tf from '@tensorflow/tfjs-core';
import { constant } from '../constant';
import { DeepvisError, checkOption } from '../errors';

/**
 * How an optimized image is shown: `'norm01c'` centred on the mean image and stretched by its
 * largest deviation (as the toolbox saved its images, and as the paper's figures look), or
 * `'raw'`, the pixels as optimized.
 */
export type ImageDisplay = 'norm01c' | 'raw';

/** The values of {@link ImageDisplay}, the default first. */
export const IMAGE_DISPLAYS: readonly ImageDisplay[] = ['norm01c', 'raw'];

/** The toolbox's guard against a flat image (added to twice the largest deviation). */
const FLAT_GUARD = 1e-10;

function checkImage(image: tf.Tensor, center: number | readonly number[], what: string, option: string): void {
  if (!(image instanceof tf.Tensor)) throw new DeepvisError('BAD_VALUE', `${what}: 'image' must be a tf.Tensor; got ${typeof image}.`);
  if (image.isDisposed) throw new DeepvisError('DISPOSED', `${what}: the image tensor was already disposed.`);
  if (image.rank !== 3 && image.rank !== 4) {
    throw new DeepvisError('BAD_SHAPE', `${what} expects an image [h, w, c] or a batch [n, h, w, c]; got [${image.shape.join(', ')}].`);
  }
  const channels = image.shape[image.rank - 1];
  const ok = typeof center === 'number'
    ? Number.isFinite(center)
    : Array.isArray(center) && (center.length === 1 || center.length === channels) && center.every(Number.isFinite);
  checkOption(ok, option, `a finite number or ${channels} finite numbers (one per channel, e.g. net.mean)`, center);
}

/**
 * The toolbox's `norm01c`: maps an image to [0, 1] so that `center` lands on 0.5 and the
 * value farthest from it on 0 or 1, `(x − center) / (2 · max|x − center| + 1e-10) + 0.5`.
 * For an optimized image `center` is the mean image (`net.mean`), so grey is "the mean" and
 * the contrast is as large as the largest deviation allows. A batch `[n, h, w, c]` is
 * stretched image by image; `[h, w, c]` as one image. `center` is one number or one per
 * channel. The caller owns the result; `image` is not disposed.
 *
 * @example
 * ```ts
 * const shown = norm01c(tf.tensor3d([[[100], [110], [130]]]), 110);   // [[[0.25], [0.5], [0.833…]]]
 * ```
 */
export function norm01c<T extends tf.Tensor3D | tf.Tensor4D>(image: T, center: number | readonly number[]): T {
  checkImage(image, center, 'norm01c', 'center');
  return tf.tidy(() => {
    const c = typeof center === 'number' ? tf.scalar(center) : tf.tensor1d([...center]);
    const deviation = tf.sub(tf.cast(image, 'float32'), c);
    const axes = image.rank === 4 ? [1, 2, 3] : [0, 1, 2];
    const peak = tf.max(tf.abs(deviation), axes, true);
    return tf.add(tf.div(deviation, tf.add(tf.mul(peak, constant(2)), constant(FLAT_GUARD))), constant(0.5)) as T;
  });
}

/**
 * An optimized image (or a batch of them), 0–255 RGB, as it is shown and saved, 0–255 again:
 * `'norm01c'` (default) is {@link norm01c} around `mean` times 255, `'raw'` the pixels
 * clipped to 0–255. Ready for `writePng`, or for `tf.browser.toPixels` after
 * `tf.cast(tf.round(…), 'int32')`. The caller owns the result; `image` is not disposed.
 *
 * @example
 * ```ts
 * const r = await optimizeUnit(net, classLogit(130), { ...PAPER_PRESETS[2], steps: 200, size: 128 });
 * const shown = displayImage(r.image, { mean: net.mean });            // as the toolbox saved it
 * await writePng('flamingo.png', shown);
 * tf.dispose([shown, r.image, r.last]);
 * ```
 */
export function displayImage<T extends tf.Tensor3D | tf.Tensor4D>(
  image: T,
  options: { mean: number | readonly number[]; display?: ImageDisplay },
): T {
  const { mean, display = 'norm01c' } = options ?? ({} as { mean: number });
  checkOption(IMAGE_DISPLAYS.includes(display), 'display', IMAGE_DISPLAYS.map((d) => `'${d}'`).join(' or '), display);
  checkImage(image, mean, 'displayImage', 'mean');
  if (display === 'raw') return tf.tidy(() => tf.clipByValue(tf.cast(image, 'float32'), 0, 255) as T);
  return tf.tidy(() => {
    const stretched = norm01c(image, mean);
    return tf.mul(stretched, constant(255)) as T;
  });
}
