import type * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../net/types';

/**
 * An objective bound to one net: which taps it reads, and how it turns them into one
 * score per image. Made by {@link Objective.bind}, which validates names and ranges.
 */
export interface BoundObjective {
  /** The taps `value` reads. */
  readonly taps: readonly string[];
  /** One score per image, `[n]`, from the taps of a forward pass (differentiable). */
  value(taps: Record<string, tf.Tensor>): tf.Tensor1D;
  /**
   * For a single unit: `[n]` of 1 where the unit is the argmax of its layer (at its
   * position), else 0 (the toolbox's "majority" test). Absent for other objectives.
   */
  isArgmax?(taps: Record<string, tf.Tensor>): tf.Tensor1D;
}

/**
 * What a_i is: the quantity regularized optimization maximizes. A plain value with a
 * name, bound to a net before use. Combine with `add`, `scale`, `negate`.
 *
 * @example
 * ```ts
 * const o: Objective = { name: 'conv5 mean', bind: (net) => ({ taps: ['conv5'], value: (t) => tf.mean(t.conv5, [1, 2, 3]) }) };
 * ```
 */
export interface Objective {
  readonly name: string;
  bind(net: Net): BoundObjective;
}
