// Two user-defined r_θ operators, written exactly as deepvis writes its own: a factory that
// validates its arguments and returns a plain `{ name, params, apply(x, ctx) }` value.
import * as tf from '@tensorflow/tfjs-core';
import type { Regularizer } from '../../src/index';

/**
 * Pulls every pixel towards the mean of its four neighbours, `x ← (1 − weight)·x + weight·avg4(x)`:
 * one explicit step of total-variation-like smoothing (edges replicated). `weight = 0` is a no-op.
 * `onApply` (optional, not part of `params`) is called on each application — the example counts them.
 */
export function neighbourSmoothing(weight: number, onApply?: () => void): Regularizer {
  if (!Number.isFinite(weight) || weight < 0 || weight > 1) {
    throw new RangeError(`neighbourSmoothing: weight must be a number between 0 and 1; got ${weight}`);
  }
  return {
    name: 'neighbourSmoothing',
    params: { weight },   // numbers only: JSON.stringify(regularizer) keeps name and params
    apply: (x) => {
      onApply?.();
      // tidy disposes every intermediate; the returned tensor survives and the loop owns it.
      // The input x is never disposed here: the loop owns it.
      return tf.tidy(() => {
        const [, h, w] = x.shape;
        // Each neighbour image is x shifted by one pixel, the border row/column replicated.
        const up = tf.concat([tf.slice(x, [0, 0, 0, 0], [-1, 1, -1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, h - 1, -1, -1])], 1);
        const down = tf.concat([tf.slice(x, [0, 1, 0, 0], [-1, h - 1, -1, -1]), tf.slice(x, [0, h - 1, 0, 0], [-1, 1, -1, -1])], 1);
        const left = tf.concat([tf.slice(x, [0, 0, 0, 0], [-1, -1, 1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, -1, w - 1, -1])], 2);
        const right = tf.concat([tf.slice(x, [0, 0, 1, 0], [-1, -1, w - 1, -1]), tf.slice(x, [0, 0, w - 1, 0], [-1, -1, 1, -1])], 2);
        const avg = tf.div(tf.addN([up, down, left, right]), 4);
        return tf.add(tf.mul(x, 1 - weight), tf.mul(avg, weight)) as tf.Tensor4D;
      });
    },
  };
}

/**
 * Rolls the image cyclically by a random offset of up to `pixels` rows and columns on every
 * step, so that features must work wherever they land (a robustness transform). Randomness
 * comes from `ctx.random` (seeded by the run's `seed`), never `Math.random`: the same seed
 * gives the same run.
 */
export function jitter(pixels: number): Regularizer {
  if (!Number.isInteger(pixels) || pixels < 0) {
    throw new RangeError(`jitter: pixels must be an integer ≥ 0; got ${pixels}`);
  }
  return {
    name: 'jitter',
    params: { pixels },
    apply: (x, ctx) => {
      if (pixels === 0) return tf.clone(x);
      const dy = Math.floor(ctx.random() * (2 * pixels + 1)) - pixels;
      const dx = Math.floor(ctx.random() * (2 * pixels + 1)) - pixels;
      return tf.tidy(() => roll(roll(x, dy, 1), dx, 2));
    },
  };
}

/** Cyclic shift of `x` by `by` along `axis` (1 = rows, 2 = columns). */
function roll(x: tf.Tensor4D, by: number, axis: 1 | 2): tf.Tensor4D {
  const n = x.shape[axis];
  const k = ((by % n) + n) % n;
  if (k === 0) return tf.clone(x);
  const [a, b] = tf.split(x, [n - k, k], axis);
  return tf.concat([b, a], axis) as tf.Tensor4D;
}

/** The mean absolute difference between neighbouring pixels: lower is smoother. */
export function totalVariation(image: tf.Tensor3D): number {
  return tf.tidy(() => {
    const [h, w] = image.shape;
    const dy = tf.abs(tf.sub(tf.slice(image, [1, 0, 0], [h - 1, -1, -1]), tf.slice(image, [0, 0, 0], [h - 1, -1, -1])));
    const dx = tf.abs(tf.sub(tf.slice(image, [0, 1, 0], [-1, w - 1, -1]), tf.slice(image, [0, 0, 0], [-1, w - 1, -1])));
    return (tf.mean(dy).dataSync()[0] + tf.mean(dx).dataSync()[0]) / 2;
  });
}
