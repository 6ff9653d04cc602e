import type * as tf from '@tensorflow/tfjs-core';

/** What a regularizer sees besides the image, at one step of the loop. */
export interface RegularizerContext {
  /** The step just taken, counting from 0. */
  readonly step: number;
  /** The number of steps in the run. */
  readonly steps: number;
  /** The gradient of the objective w.r.t. the image at this step (NHWC, like the image). */
  readonly grad: tf.Tensor4D;
  /** A seeded source of uniform numbers in [0, 1): same seed, same run. */
  readonly random: () => number;
  /** The RGB pixel value that is "zero" in centred pixel space (`net.mean`). */
  readonly mean: readonly number[];
}

/**
 * One r_θ operator of `x ← r_θ(x + η ∂a/∂x)`: a plain value made by a factory, so presets
 * are data (`JSON.stringify` keeps `name` and `params`). `apply` takes the NHWC image in
 * centred 0–255 pixel space and returns a new tensor; it must not dispose its input.
 *
 * @example
 * ```ts
 * const shrinkTowardsGray: Regularizer = {
 *   name: 'shrink', params: { by: 0.01 },
 *   apply: (x) => tf.mul(x, 0.99),
 * };
 * ```
 */
export interface Regularizer {
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
  apply(x: tf.Tensor4D, ctx: RegularizerContext): tf.Tensor4D;
  /** The parts of a composite made by `compose`. */
  readonly parts?: readonly Regularizer[];
}
