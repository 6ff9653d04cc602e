import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import type { ReceptiveField } from '../net/receptive-field';

/** Options for {@link cropReceptiveField}. */
export interface CropOptions {
  /**
   * What fills the part of the field outside the image: a value for every channel, one
   * value per channel (pass `net.mean` for the net's "zero"), or `'mean'` for the image's
   * own mean colour. Default `0`.
   */
  fill?: number | readonly number[] | 'mean';
}

/**
 * Cuts the patch of `pixels` (`[h, w, c]`) that unit `(y, x)` of a layer sees, given
 * that layer's {@link ReceptiveField}. The result is always `field.size` big; where the
 * field leaves the image it is filled (see {@link CropOptions.fill}). Pixels inside the
 * image are copied exactly. The caller owns the result.
 *
 * @example
 * ```ts
 * const field = receptiveField(net, 'leaky_re_lu_5');
 * const patch = cropReceptiveField(image, field, 10, 3, { fill: net.mean });   // [22, 22, 3]
 * ```
 */
export function cropReceptiveField(
  pixels: tf.Tensor3D,
  field: ReceptiveField,
  y: number,
  x: number,
  options: CropOptions = {},
): tf.Tensor3D {
  if (!pixels || pixels.rank !== 3) {
    throw new DeepvisError('BAD_SHAPE', `cropReceptiveField expects one [h, w, c] image; got shape [${pixels?.shape?.join(', ')}]. Use tf.squeeze on a [1, h, w, c] batch.`);
  }
  checkOption(Number.isInteger(y) && Number.isInteger(x), 'y, x', 'integers (a unit position)', [y, x]);
  const fill = options.fill ?? 0;
  const [h, w, c] = pixels.shape;
  checkOption(
    fill === 'mean' || typeof fill === 'number' || (Array.isArray(fill) && fill.length === c),
    'fill', `a number, ${c} numbers (one per channel) or 'mean'`, fill,
  );
  const [fh, fw] = field.size;
  const top = y * field.stride[0] - field.padding[0];
  const left = x * field.stride[1] - field.padding[1];
  const [ry, rx] = [span(top, fh, h), span(left, fw, w)];
  return tf.tidy(() => {
    const value = fill === 'mean' ? tf.mean(tf.cast(pixels, 'float32'), [0, 1]) : tf.tensor1d(typeof fill === 'number' ? new Array(c).fill(fill) : [...fill]);
    if (ry.inside === 0 || rx.inside === 0) return tf.mul(tf.ones([fh, fw, 1]), value) as tf.Tensor3D;
    const inside = tf.cast(tf.slice(pixels, [ry.start, rx.start, 0], [ry.inside, rx.inside, c]), 'float32');
    const pads: [number, number][] = [[ry.before, ry.after], [rx.before, rx.after], [0, 0]];
    // crop + 0·fill inside, 0 + 1·fill outside: both exact in floating point.
    const outside = tf.sub(1, tf.pad(tf.ones([ry.inside, rx.inside, 1]), pads));
    return tf.add(tf.pad(inside, pads), tf.mul(outside, value)) as tf.Tensor3D;
  });
}

/** Where a window [from, from + length) meets [0, n): its start inside, length inside, and what lies before and after. */
function span(from: number, length: number, n: number) {
  const start = Math.min(Math.max(from, 0), n);
  const end = Math.max(Math.min(from + length, n), start);
  const before = Math.min(Math.max(start - from, 0), length);
  const inside = end - start;
  return { start, inside, before, after: length - inside - before };
}
