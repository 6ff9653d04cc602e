import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption, formatValue } from '../errors';
import { gaussianBlur, MAX_SIGMA } from '../image/gaussian-blur';
import { zeroBelowPercentile } from '../util/percentile';
import type { Regularizer, RegularizerContext } from './types';
import { constant } from '../constant';

const checkPercentile = (name: string, p: number) =>
  checkOption(Number.isFinite(p) && p >= 0 && p <= 100, name, 'a percentile between 0 and 100', p);

/**
 * L2 decay `x ← (1 − decay) · x`: pulls the image towards the mean image (Table 1's θ_decay).
 *
 * @example
 * ```ts
 * const r = l2Decay(1e-4);   // preset 3
 * ```
 */
export function l2Decay(decay: number): Regularizer {
  checkOption(Number.isFinite(decay) && decay >= 0 && decay <= 1, 'decay', 'a number between 0 and 1', decay);
  return {
    name: 'l2Decay',
    params: { decay },
    apply: (x) => (decay === 0 ? tf.clone(x) : tf.tidy(() => tf.mul(x, constant(1 - decay)))),
  };
}

/**
 * Gaussian blur of each colour channel with sigma `width` pixels, on the steps where
 * `step % every === 0` (Table 1's θ_b_every, θ_b_width). `every = 0` or `width = 0` never blurs.
 * Reflect borders, kernel truncated at 4 sigma, as scipy.ndimage.gaussian_filter.
 *
 * @example
 * ```ts
 * const r = blurEvery(4, 1.0);   // preset 3
 * ```
 */
export function blurEvery(every: number, width: number): Regularizer {
  checkOption(Number.isInteger(every) && every >= 0, 'every', 'an integer ≥ 0 (steps; 0 never blurs)', every);
  checkOption(Number.isFinite(width) && width >= 0 && width <= MAX_SIGMA, 'width', `a number ≥ 0 and at most ${MAX_SIGMA} (sigma in pixels)`, width);
  return {
    name: 'blurEvery',
    params: { every, width },
    apply: (x, ctx) => (every > 0 && width > 0 && ctx.step % every === 0 ? gaussianBlur(x, width) : tf.clone(x)),
  };
}

/**
 * Sets to zero (the mean colour), in all channels, the pixels whose L2 norm over colour is
 * strictly below the `percentile`-th percentile of the image's pixel norms (θ_n_pct).
 *
 * @example
 * ```ts
 * const r = clipSmallNorm(50);   // preset 1: half the pixels become the mean colour
 * ```
 */
export function clipSmallNorm(percentile: number): Regularizer {
  checkPercentile('percentile', percentile);
  return {
    name: 'clipSmallNorm',
    params: { percentile },
    apply: (x) =>
      percentile === 0
        ? tf.clone(x)
        : tf.tidy(() => zeroBelowPercentile(x, tf.sqrt(tf.sum(tf.square(x), 3)) as tf.Tensor3D, percentile)),
  };
}

/**
 * Sets to zero, in all channels, the pixels with small contribution
 * `|Σ_c grad · (−x)|` (the linearized change in the objective if the pixel became the
 * mean colour), strictly below the `percentile`-th percentile of the image (θ_c_pct).
 *
 * @example
 * ```ts
 * const r = clipSmallContribution(90);   // preset 4
 * ```
 */
export function clipSmallContribution(percentile: number): Regularizer {
  checkPercentile('percentile', percentile);
  return {
    name: 'clipSmallContribution',
    params: { percentile },
    apply: (x, ctx) =>
      percentile === 0
        ? tf.clone(x)
        : tf.tidy(() => {
            const contribution = tf.abs(tf.sum(tf.mul(ctx.grad, tf.neg(x)), 3)) as tf.Tensor3D;
            return zeroBelowPercentile(x, contribution, percentile);
          }),
  };
}

/**
 * Several regularizers applied in order, as one.
 *
 * @example
 * ```ts
 * const preset3 = compose(l2Decay(1e-4), blurEvery(4, 1.0));
 * ```
 */
export function compose(...regularizers: Regularizer[]): Regularizer {
  regularizers.forEach((r, i) =>
    checkOption(!!r && typeof r.apply === 'function', `regularizers[${i}]`, 'a Regularizer ({ name, params, apply })', r));
  return {
    name: 'compose',
    params: {},
    parts: regularizers,
    apply: (x, ctx) => applyRegularizers(regularizers, x, ctx),
  };
}

/**
 * Applies `regularizers` in order to `x` (which stays the caller's) and returns a new tensor.
 * A regularizer that throws, or returns anything but a live tensor of `x`'s shape, leaves no
 * tensor behind; the latter is a BAD_VALUE naming it.
 */
export function applyRegularizers(regularizers: readonly Regularizer[], x: tf.Tensor4D, ctx: RegularizerContext): tf.Tensor4D {
  let y = x;
  try {
    for (const r of regularizers) {
      const next = r.apply(y, ctx);
      if (!(next instanceof tf.Tensor) || next.isDisposed || next.shape.join() !== x.shape.join()) {
        const got = next instanceof tf.Tensor ? (next.isDisposed ? 'a disposed tensor' : `shape [${next.shape.join(', ')}]`) : formatValue(next);
        if (next instanceof tf.Tensor && next !== y && next !== x) next.dispose();
        throw new DeepvisError('BAD_VALUE', `Regularizer '${r.name}' must return a new tensor of shape [${x.shape.join(', ')}]; got ${got}.`);
      }
      if (y !== x && next !== y) y.dispose();
      y = next;
    }
    return y === x ? tf.clone(x) : y;
  } catch (e) {
    if (y !== x) y.dispose();
    throw e;
  }
}

const factories: Record<string, (p: Record<string, number>) => Regularizer> = {
  l2Decay: (p) => l2Decay(p.decay),
  blurEvery: (p) => blurEvery(p.every, p.width),
  clipSmallNorm: (p) => clipSmallNorm(p.percentile),
  clipSmallContribution: (p) => clipSmallContribution(p.percentile),
};

/** The JSON form of a built-in regularizer. */
export interface RegularizerSpec {
  name: string;
  params?: Record<string, number>;
  parts?: RegularizerSpec[];
}

/**
 * Rebuilds a built-in regularizer from its JSON form (`JSON.parse(JSON.stringify(r))`).
 *
 * @example
 * ```ts
 * const r = regularizerFromJSON({ name: 'blurEvery', params: { every: 4, width: 1 } });
 * ```
 */
export function regularizerFromJSON(spec: RegularizerSpec): Regularizer {
  if (spec?.name === 'compose') return compose(...(spec.parts ?? []).map(regularizerFromJSON));
  const make = factories[spec?.name];
  checkOption(!!make, 'name', `one of ${[...Object.keys(factories), 'compose'].map((n) => `'${n}'`).join(', ')}`, spec?.name);
  return make(spec.params ?? {});
}
