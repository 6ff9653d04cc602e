import * as tf from '@tensorflow/tfjs-core';
import { checkOption } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { Net } from '../net/types';
import { backwardImage } from './backward-image';
import { camImage } from './cam-image';
import type { Attribution, AttributionKind, AttributionMethod, AttributionOptions, DrawOptions } from './types';
import type { UnitRef } from './unit';

const KINDS: readonly AttributionKind[] = ['signed', 'unsigned', 'coarse'];

/**
 * Image `index` of an attribution as RGB `[h, w, 3]` 0–255: per-pixel signals through
 * `backwardImage` (filter `'norm'` by default), coarse maps as a heat map over the image
 * (`camImage` of the map's positive part). The caller owns the result.
 *
 * @example
 * ```ts
 * const a = await ATTRIBUTION_METHODS[0].run(net, photo, { layer: net.logits, channel: 281 });
 * const picture = drawAttribution(a, photo, { percentile: 99 });
 * ```
 */
export function drawAttribution(attribution: Attribution, pixels: tf.Tensor4D, options: DrawOptions = {}): tf.Tensor3D {
  const { index = 0, filter = 'norm', percentile, gamma } = options;
  const v = attribution.values;
  checkOption(Number.isInteger(index) && index >= 0 && index < v.shape[0], 'index', `an image of the batch, 0…${v.shape[0] - 1}`, index);
  return tf.tidy(() => {
    const one = tf.slice(v, [index], [1]);
    if (attribution.kind !== 'coarse') return backwardImage(one, filter, { percentile, gamma });
    return camImage(tf.relu(one), tf.slice(pixels, [index], [1]));
  });
}

/** What a method supplies; {@link attributionMethod} adds the drawing of its kind. */
export interface MethodSpec {
  readonly name: string;
  readonly label: string;
  readonly kind: AttributionKind;
  readonly gradient: boolean;
  /** The options it reads beyond the runner's. Default none. */
  readonly reads?: readonly (keyof AttributionOptions)[];
  /** The values `[n, h, w, 3]` or `[n, h, w]` for `target` (the method checks its own options). */
  values(net: Net, pixels: tf.Tensor4D, target: UnitRef, options: AttributionOptions): tf.Tensor | Promise<tf.Tensor>;
}

/**
 * A registry entry from a method's parts: its `run` wraps `values` into an {@link Attribution}
 * and checks the pixels; `draw` is {@link drawAttribution}. A new attribution method is one
 * file that exports one of these, plus a line in `ATTRIBUTION_METHODS`.
 *
 * @example
 * ```ts
 * const signOnly = attributionMethod({
 *   name: 'sign', label: 'Gradient sign', kind: 'signed', gradient: true,
 *   values: (net, pixels, target) => tf.tidy(() => tf.sign(backward(net, pixels, target))),
 * });
 * ```
 */
export function attributionMethod(spec: MethodSpec): AttributionMethod {
  checkOption(typeof spec.name === 'string' && /^[a-z][a-z0-9+-]*$/.test(spec.name), 'name', 'lower-case letters, digits, + and -', spec.name);
  checkOption(KINDS.includes(spec.kind), 'kind', "'signed', 'unsigned' or 'coarse'", spec.kind);
  return Object.freeze({
    name: spec.name,
    label: spec.label,
    kind: spec.kind,
    gradient: spec.gradient,
    reads: Object.freeze([...(spec.reads ?? [])]),
    async run(net: Net, pixels: tf.Tensor4D, target: UnitRef, options: AttributionOptions = {}): Promise<Attribution> {
      checkPixels(pixels, net, { finite: true });
      return { method: spec.name, kind: spec.kind, values: await spec.values(net, pixels, target, options) };
    },
    draw: drawAttribution,
  });
}
