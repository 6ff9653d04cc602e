import type * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../net/types';
import type { RunOptions } from './runner';
import type { UnitRef } from './unit';

/**
 * What an attribution's values are:
 * - `'signed'`: `[n, h, w, 3]` like the pixels, one signed value per pixel and colour
 *   (gradient, deconv, guided backprop, input × gradient, Integrated Gradients, SmoothGrad);
 * - `'unsigned'`: `[n, h, w, 3]`, ≥ 0 (VarGrad);
 * - `'coarse'`: `[n, h, w]`, one value per pixel from a coarser grid (a layer's maps upsampled:
 *   Grad-CAM, Grad-CAM++; or patches: occlusion), drawn over the image.
 */
export type AttributionKind = 'signed' | 'unsigned' | 'coarse';

/** One method's answer for a batch of images. The caller owns `values`. */
export interface Attribution {
  /** The method's registry name (`'guided'`, `'integrated'`…). */
  readonly method: string;
  readonly kind: AttributionKind;
  /** `[n, h, w, 3]` (`'signed'`, `'unsigned'`) or `[n, h, w]` (`'coarse'`). */
  readonly values: tf.Tensor;
}

/**
 * Options every method accepts; each reads the ones it uses and ignores the rest, so one bag
 * serves a whole registry (the CLI, the viewer and the bench pass one).
 */
export interface AttributionOptions extends RunOptions {
  /** Integrated Gradients: points on the path. Default 32. */
  steps?: number;
  /**
   * Integrated Gradients' path start and input × gradient's reference: `'mean'` (default,
   * `net.mean`: "zero" in centred pixel space), `'black'`, or a `[1, h, w, 3]` 0–255 image.
   */
  baseline?: 'mean' | 'black' | tf.Tensor4D;
  /** Grad-CAM, Grad-CAM++: the layer of maps `[n, h, w, c]` weighed. Default: the last rectifier with maps. */
  camLayer?: string;
  /** Occlusion: the patch side in pixels. Default an eighth of the shorter side. */
  window?: number;
  /** Occlusion: pixels between patch positions. Default half the window. */
  stride?: number;
}

/**
 * A registered attribution method: one signature for all, `run(net, pixels, target, options)`,
 * and how to draw its answer. Plain data; {@link ATTRIBUTION_METHODS} lists deepvis's.
 */
export interface AttributionMethod {
  /** The name the CLI's `--mode` and the viewer use. */
  readonly name: string;
  /** A label for people ("Guided backprop"). */
  readonly label: string;
  /** The kind of values it gives. */
  readonly kind: AttributionKind;
  /** Whether it differentiates through the net (false: forward passes only, any backend). */
  readonly gradient: boolean;
  /** The {@link AttributionOptions} it reads beyond the runner's (a CLI or a pane offers those). */
  readonly reads: readonly (keyof AttributionOptions)[];
  /** The attribution of `target` for each image of `pixels` (`[n, h, w, 3]`, 0–255). */
  run(net: Net, pixels: tf.Tensor4D, target: UnitRef, options?: AttributionOptions): Promise<Attribution>;
  /** Image `index` of `attribution` as RGB `[h, w, 3]` 0–255 (over `pixels` for coarse maps). */
  draw(attribution: Attribution, pixels: tf.Tensor4D, options?: DrawOptions): tf.Tensor3D;
}

/** How {@link AttributionMethod.draw} shows a map. */
export interface DrawOptions {
  /** Which image of the batch. Default 0. */
  index?: number;
  /** Per-pixel signals: the display filter (`'norm'` default; see `backwardImage`). */
  filter?: 'raw' | 'gray' | 'norm' | 'normblur';
  /** Per-pixel signals: scale by this percentile of the magnitudes, clipping above. Default 99. */
  percentile?: number;
}
