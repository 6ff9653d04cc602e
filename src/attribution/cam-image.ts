import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';

/** Options for {@link camImage}. */
export interface CamImageOptions {
  /** How much of the heat map shows over the image, 0–1. Default 0.5 (1 without an image). */
  alpha?: number;
}

/**
 * One image's class-activation map (from {@link gradCam}, `[1, h, w]` or `[h, w]`) as an RGB
 * `[h, w, 3]` float32 image 0–255: scaled so its largest value is 1, coloured blue (0) →
 * cyan → yellow → red (1) with the classic "jet" ramp, and blended over `pixels`
 * (`[1, h, w, 3]` or `[h, w, 3]`, 0–255, the map's size) when given. The caller owns it.
 *
 * @example
 * ```ts
 * const overlay = camImage(gradCam(net, photo, { camLayer: 'leaky_re_lu_13', channel: 281 }), photo, { alpha: 0.6 });
 * await tf.browser.toPixels(tf.div(overlay, 255) as tf.Tensor3D, canvas);
 * ```
 */
export function camImage(cam: tf.Tensor, pixels?: tf.Tensor, options: CamImageOptions = {}): tf.Tensor3D {
  const { alpha = pixels ? 0.5 : 1 } = options;
  checkOption(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1, 'alpha', 'a number from 0 to 1', alpha);
  if (!cam || !Array.isArray(cam.shape)) throw new DeepvisError('BAD_VALUE', `Expected a tf.Tensor map; got ${typeof cam}.`);
  if (!(cam.rank === 2 || (cam.rank === 3 && cam.shape[0] === 1))) {
    throw new DeepvisError('BAD_SHAPE', `Expected one image's map [1, h, w] or [h, w]; got shape [${cam.shape.join(', ')}]. Slice one image out of a batch first.`);
  }
  const [h, w] = cam.shape.slice(-2);
  if (pixels) {
    const p = pixels.shape;
    const ok = (pixels.rank === 3 || (pixels.rank === 4 && p[0] === 1)) && p[p.length - 3] === h && p[p.length - 2] === w && p[p.length - 1] === 3;
    if (!ok) throw new DeepvisError('BAD_SHAPE', `Expected the image as [1, ${h}, ${w}, 3] or [${h}, ${w}, 3] (the map's size); got shape [${p.join(', ')}].`);
  }
  return tf.tidy(() => {
    const m = tf.reshape(tf.cast(cam, 'float32'), [h, w, 1]);
    const u = tf.divNoNan(m, tf.max(m));
    // Jet: each channel a tent 1.5 − |4u − c| clipped to [0, 1], centred at c = 3 (red), 2, 1 (blue).
    const tent = (c: number) => tf.clipByValue(tf.sub(1.5, tf.abs(tf.sub(tf.mul(u, 4), c))), 0, 1);
    const heat = tf.mul(tf.concat([tent(3), tent(2), tent(1)], 2), 255);
    if (!pixels) return tf.mul(heat, alpha) as tf.Tensor3D;
    const image = tf.reshape(tf.cast(pixels, 'float32'), [h, w, 3]);
    return tf.add(tf.mul(image, 1 - alpha), tf.mul(heat, alpha)) as tf.Tensor3D;
  });
}
