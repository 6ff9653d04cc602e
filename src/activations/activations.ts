import type * as tf from '@tensorflow/tfjs-core';
import { checkOption } from '../errors';
import type { Net } from '../net/types';

/** Options for {@link activations}. */
export interface ActivationsOptions {
  /** Layer names (or `name/pre` for the value before an inline activation). */
  layers: readonly string[];
}

/**
 * The activations of any set of layers for a batch of 0–255 RGB pixels `[n, h, w, 3]`, in
 * one forward pass. Returns a record keyed by the names asked for; the caller owns the
 * tensors. An unknown name throws UNKNOWN_LAYER listing the closest names.
 *
 * @example
 * ```ts
 * const acts = activations(net, frame, { layers: ['leaky_re_lu_1', 'leaky_re_lu_5'] });
 * const grid = tileActivations(acts.leaky_re_lu_5);
 * tf.dispose(acts);
 * ```
 */
export function activations(net: Net, pixels: tf.Tensor4D, options: ActivationsOptions): Record<string, tf.Tensor> {
  const layers = options?.layers;
  checkOption(
    Array.isArray(layers) && layers.length > 0 && layers.every((l) => typeof l === 'string'),
    'layers',
    'a non-empty array of layer names (see net.describe())',
    layers,
  );
  return net.forward(pixels, { taps: layers });
}
